import { beforeAll, describe, expect, it } from 'vitest';
import { newUser, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, ENTERPRISE, expectScimError, type Json, q } from './helpers.js';

/** attributes= and excludedAttributes= (RFC 7644 §3.4.2.5, §3.9). */
describe('attribute projection', () => {
  const { scim } = workspaceForSuite('projection');
  let user: Json;

  beforeAll(async () => {
    user = await create(
      scim,
      newUser('proj@example.com', {
        name: { givenName: 'Pro', familyName: 'Jection', middleName: 'M' },
        title: 'Tester',
        emails: [
          { value: 'proj@example.com', type: 'work', primary: true },
          { value: 'proj@home.org', type: 'home' },
        ],
        [ENTERPRISE]: { department: 'QA', employeeNumber: '42' },
      }),
    );
  });

  const keys = (body: Json) => Object.keys(body).sort();
  const one = async (query: string): Promise<Json> => {
    const response = await scim.get(`/Users/${user.id}?${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  const listed = async (query: string): Promise<Json> => {
    const response = await scim.get(`${q('userName eq "proj@example.com"')}&${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.totalResults).toBe(1);
    return response.body.Resources[0];
  };

  it('attributes=userName returns only id, schemas and userName', async () => {
    for (const body of [await one('attributes=userName'), await listed('attributes=userName')]) {
      expect(keys(body)).toEqual(['id', 'schemas', 'userName']);
      expect(body.id).toBe(user.id);
      expect(body.schemas).toEqual([USER_SCHEMA]);
      expect(body.userName).toBe('proj@example.com');
    }
  });

  it('attributes with a sub-attribute returns only that sub-attribute', async () => {
    const body = await one('attributes=name.givenName');
    expect(keys(body)).toEqual(['id', 'name', 'schemas']);
    expect(body.name).toEqual({ givenName: 'Pro' });
    const emails = await one('attributes=emails.value');
    expect(emails.emails).toEqual([{ value: 'proj@example.com' }, { value: 'proj@home.org' }]);
  });

  it('attributes lists several names, any case, with spaces', async () => {
    const body = await one('attributes=USERNAME,%20title,name.FamilyName');
    expect(keys(body)).toEqual(['id', 'name', 'schemas', 'title', 'userName']);
    expect(body.name).toEqual({ familyName: 'Jection' });
  });

  it('attributes can pick extension attributes or a whole extension', async () => {
    const single = await one(`attributes=${ENTERPRISE}:department`);
    expect(keys(single)).toEqual([ENTERPRISE, 'id', 'schemas'].sort());
    expect(single[ENTERPRISE]).toEqual({ department: 'QA' });
    expect(single.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    const whole = await one(`attributes=${ENTERPRISE}`);
    expect(whole[ENTERPRISE]).toEqual({ department: 'QA', employeeNumber: '42' });
  });

  it('excludedAttributes drops the named attributes and keeps the rest', async () => {
    for (const body of [await one('excludedAttributes=emails,name'), await listed('excludedAttributes=emails,name')]) {
      expect(body.emails).toBeUndefined();
      expect(body.name).toBeUndefined();
      expect(body.userName).toBe('proj@example.com');
      expect(body.title).toBe('Tester');
      expect(body.meta).toEqual(user.meta);
      expect(body[ENTERPRISE]).toEqual(user[ENTERPRISE]);
    }
  });

  it('excludedAttributes can drop a sub-attribute or an extension', async () => {
    const body = await one('excludedAttributes=name.middleName');
    expect(body.name).toEqual({ givenName: 'Pro', familyName: 'Jection', formatted: user.name.formatted });
    const noExtension = await one(`excludedAttributes=${ENTERPRISE}`);
    expect(noExtension[ENTERPRISE]).toBeUndefined();
    expect(noExtension.schemas).toEqual([USER_SCHEMA]);
  });

  it('always returns id and schemas, even when id is excluded or neither is asked for', async () => {
    const excluded = await one('excludedAttributes=id,userName');
    expect(excluded.id).toBe(user.id);
    expect(excluded.schemas).toContain(USER_SCHEMA);
    expect(excluded.userName).toBeUndefined();
    const asked = await one('attributes=title');
    expect(keys(asked)).toEqual(['id', 'schemas', 'title']);
  });

  it('accepts "schemas" (an attribute of every resource, RFC 7643 §3) in excludedAttributes and still returns it', async () => {
    const excluded = await one('excludedAttributes=schemas,title');
    expect(excluded.id).toBe(user.id);
    expect(excluded.schemas).toContain(USER_SCHEMA);
    expect(excluded.title).toBeUndefined();
  });

  it('rejects unknown attribute names with 400', async () => {
    expectScimError(await scim.get(`/Users/${user.id}?attributes=shoeSize`), 400);
    expectScimError(await scim.get('/Users?excludedAttributes=name.nope'), 400);
  });

  it('a projection does not change what a later plain GET returns', async () => {
    await one('attributes=userName');
    const response = await scim.get(`/Users/${user.id}`);
    expect(response.body).toStrictEqual(user);
  });
});
