import { describe, expect, it } from 'vitest';
import { newUser, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, ENTERPRISE, expectScimError, q, read } from './helpers.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** POST /Users (RFC 7644 §3.3). */
describe('POST /Users', () => {
  const { server, scim } = workspaceForSuite('create');

  const total = async (): Promise<number> => (await scim.get('/Users?count=0')).body.totalResults;
  const countNamed = async (userName: string): Promise<number> => (await scim.get(q(`userName eq "${userName}"`))).body.totalResults;

  it('answers 201 with Location, ETag and full meta', async () => {
    const started = Date.now();
    const response = await scim.post('/Users', newUser('ada@example.com'));
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const body = response.body;
    expect(typeof body.id).toBe('string');
    expect(body.id.length).toBeGreaterThan(0);
    expect(body.schemas).toEqual([USER_SCHEMA]);
    expect(response.headers.get('location')).toBe(`${server.scimUrl}/Users/${body.id}`);
    expect(body.meta.location).toBe(`${server.scimUrl}/Users/${body.id}`);
    expect(body.meta.resourceType).toBe('User');
    expect(body.meta.created).toMatch(ISO);
    expect(body.meta.lastModified).toMatch(ISO);
    expect(Date.parse(body.meta.created)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(body.meta.created)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(Date.parse(body.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(body.meta.created));
    expect(typeof body.meta.version).toBe('string');
    expect(body.meta.version).toMatch(/^W\/".+"$/);
    expect(response.headers.get('etag')).toBe(body.meta.version);
    expect(body.userName).toBe('ada@example.com');
    expect(body.active).toBe(true);
    expect(body.name).toMatchObject({ givenName: 'Given', familyName: 'Family' });
    expect(body.emails).toEqual([{ value: 'ada@example.com', type: 'work', primary: true }]);
    // What POST returned is what GET returns.
    const fetched = await scim.get(`/Users/${body.id}`);
    expect(fetched.body).toStrictEqual(body);
    expect(fetched.headers.get('etag')).toBe(body.meta.version);
  });

  it('gives a new user a lastModified equal to its created (RFC 7643 §3.1)', async () => {
    for (let i = 0; i < 10; i++) {
      const body = await create(scim, newUser(`fresh${i}@example.com`));
      expect(body.meta.lastModified, `user ${i}`).toBe(body.meta.created);
    }
  });

  it('issues a new id per user, ignoring an id or meta in the body', async () => {
    const body = await create(
      scim,
      newUser('ids@example.com', { id: 'client-chosen', meta: { created: '2000-01-01T00:00:00Z', version: 'W/"x"' } }),
    );
    expect(body.id).not.toBe('client-chosen');
    expect(body.meta.created).not.toBe('2000-01-01T00:00:00.000Z');
    expect(body.meta.created).not.toBe('2000-01-01T00:00:00Z');
    expect(body.meta.version).not.toBe('W/"x"');
    const other = await create(scim, newUser('ids2@example.com'));
    expect(other.id).not.toBe(body.id);
  });

  it('stores the common attributes and reads them back', async () => {
    const attributes = {
      externalId: 'ext-123',
      name: { givenName: 'Grace', familyName: 'Hopper', middleName: 'B', honorificPrefix: 'Dr.' },
      displayName: 'Amazing Grace',
      nickName: 'Gracie',
      title: 'Rear Admiral',
      userType: 'Employee',
      locale: 'en-US',
      phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
      addresses: [{ streetAddress: '1 Navy Way', locality: 'Arlington', country: 'US', type: 'work' }],
    };
    const body = await create(scim, newUser('full@example.com', attributes));
    expect(await read(scim, body.id)).toMatchObject(attributes);
  });

  describe('uniqueness', () => {
    it('refuses a taken userName with 409 uniqueness and writes nothing', async () => {
      await create(scim, newUser('taken@example.com'));
      const before = await total();
      const response = await scim.post('/Users', newUser('taken@example.com', { title: 'Impostor' }));
      expectScimError(response, 409, 'uniqueness');
      expect(await total()).toBe(before);
      expect(await countNamed('taken@example.com')).toBe(1);
      const existing = (await scim.get(q('userName eq "taken@example.com"'))).body.Resources[0];
      expect(existing.title).toBeUndefined();
    });

    it('treats userName case-insensitively for uniqueness', async () => {
      await create(scim, newUser('Case.Person@Example.com'));
      const before = await total();
      expectScimError(await scim.post('/Users', newUser('case.person@example.com')), 409, 'uniqueness');
      expectScimError(await scim.post('/Users', newUser('CASE.PERSON@EXAMPLE.COM')), 409, 'uniqueness');
      expect(await total()).toBe(before);
    });
  });

  describe('validation', () => {
    it('requires userName (400 invalidValue), also when empty or null', async () => {
      const before = await total();
      const { userName: _ignored, ...withoutUserName } = newUser('missing@example.com');
      expectScimError(await scim.post('/Users', withoutUserName), 400, 'invalidValue');
      expectScimError(await scim.post('/Users', { ...withoutUserName, userName: '' }), 400, 'invalidValue');
      expectScimError(await scim.post('/Users', { ...withoutUserName, userName: null }), 400, 'invalidValue');
      expect(await total()).toBe(before);
    });

    it('needs an email: userName that is not an email and no email is 400', async () => {
      const before = await total();
      const response = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'jdoe', active: true });
      expectScimError(response, 400, 'invalidValue');
      expect(response.body.detail).toContain('jdoe');
      expect(await total()).toBe(before);
      expect(await countNamed('jdoe')).toBe(0);
      const withEmail = await create(scim, {
        schemas: [USER_SCHEMA],
        userName: 'jdoe',
        emails: [{ value: 'jdoe@example.com', type: 'work' }],
      });
      expect(withEmail.userName).toBe('jdoe');
    });

    it.each([
      ['active: 5', { active: 5 }],
      ['active: "yes"', { active: 'yes' }],
      ['name: "x"', { name: 'x' }],
      ['name.givenName: {}', { name: { givenName: { first: 'x' } } }],
      ['title: {}', { title: { a: 1 } }],
      ['userName: {}', { userName: { value: 'x' } }],
      [
        'emails with two primaries',
        {
          emails: [
            { value: 'a@example.com', primary: true },
            { value: 'b@example.com', primary: true },
          ],
        },
      ],
      ['emails[0].primary: "maybe"', { emails: [{ value: 'a@example.com', primary: 'maybe' }] }],
      ['an enterprise extension that is not an object', { [ENTERPRISE]: 'Sales' }],
    ])('rejects wrong types (%s) with 400 invalidValue and writes nothing', async (_name, patch) => {
      const before = await total();
      const response = await scim.post('/Users', newUser('types@example.com', patch));
      expectScimError(response, 400, 'invalidValue');
      expect(await total()).toBe(before);
      expect(await countNamed('types@example.com')).toBe(0);
    });

    it('rejects a body that is not a JSON object with 400 invalidSyntax', async () => {
      expectScimError(await scim.post('/Users', [newUser('array@example.com')]), 400, 'invalidSyntax');
      expectScimError(await scim.post('/Users', '"a string"'), 400, 'invalidSyntax');
      expectScimError(await scim.post('/Users', 'null'), 400, 'invalidSyntax');
    });
  });

  describe('lenient input', () => {
    it('accepts "active" as a string boolean in any case', async () => {
      const inactive = await create(scim, newUser('strbool1@example.com', { active: 'False' }));
      expect(inactive.active).toBe(false);
      const active = await create(scim, newUser('strbool2@example.com', { active: 'TRUE' }));
      expect(active.active).toBe(true);
      expect((await read(scim, inactive.id)).active).toBe(false);
    });

    it('defaults active to true', async () => {
      const { active: _ignored, ...body } = newUser('defaultactive@example.com');
      expect((await create(scim, body)).active).toBe(true);
    });

    it('ignores unknown attributes and never echoes the password', async () => {
      const response = await scim.post(
        '/Users',
        newUser('secret@example.com', { password: 'hunter2', shoeSize: 44, roles: [{ value: 'admin' }] }),
      );
      expect(response.status).toBe(201);
      expect(JSON.stringify(response.body)).not.toContain('hunter2');
      expect(response.body.password).toBeUndefined();
      expect(response.body.shoeSize).toBeUndefined();
      expect(response.body.roles).toBeUndefined();
      const fetched = await scim.get(`/Users/${response.body.id}`);
      expect(JSON.stringify(fetched.body)).not.toContain('hunter2');
      const listed = await scim.get(q('userName eq "secret@example.com"'));
      expect(JSON.stringify(listed.body)).not.toContain('hunter2');
    });

    it('accepts attribute names in any case', async () => {
      const body = await create(scim, {
        schemas: [USER_SCHEMA],
        USERNAME: 'anycase@example.com',
        Name: { GivenName: 'Any', FAMILYNAME: 'Case' },
        Title: 'Boss',
      });
      expect(body.userName).toBe('anycase@example.com');
      expect(body.name).toMatchObject({ givenName: 'Any', familyName: 'Case' });
      expect(body.title).toBe('Boss');
    });
  });

  describe('derived names', () => {
    it('derives name.formatted and displayName from the name parts when absent', async () => {
      const body = await create(scim, newUser('derived@example.com', { name: { givenName: 'Ada', familyName: 'Lovelace' } }));
      expect(body.name.formatted).toBe('Ada Lovelace');
      expect(body.displayName).toBe('Ada Lovelace');
      expect((await read(scim, body.id)).displayName).toBe('Ada Lovelace');
    });

    it('keeps a given name.formatted and displayName', async () => {
      const body = await create(
        scim,
        newUser('given@example.com', {
          name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Countess Ada' },
          displayName: 'The Countess',
        }),
      );
      expect(body.name.formatted).toBe('Countess Ada');
      expect(body.displayName).toBe('The Countess');
    });

    it('falls back to userName for displayName without a name', async () => {
      const { name: _ignored, ...body } = newUser('noname@example.com');
      const created = await create(scim, body);
      expect(created.displayName).toBe('noname@example.com');
      expect(created.name).toBeUndefined();
    });
  });

  describe('enterprise extension', () => {
    it('stores employeeNumber, department and manager and returns them', async () => {
      const manager = await create(
        scim,
        newUser('boss@example.com', { name: { givenName: 'Big', familyName: 'Boss' }, displayName: 'Big Boss' }),
      );
      const response = await scim.post(
        '/Users',
        newUser('worker@example.com', {
          schemas: [USER_SCHEMA, ENTERPRISE],
          [ENTERPRISE]: {
            employeeNumber: '701984',
            department: 'Tour Operations',
            costCenter: '4130',
            organization: 'Universal Studios',
            division: 'Theme Park',
            manager: { value: manager.id },
          },
        }),
      );
      expect(response.status).toBe(201);
      expect(response.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
      const expected = {
        employeeNumber: '701984',
        department: 'Tour Operations',
        costCenter: '4130',
        organization: 'Universal Studios',
        division: 'Theme Park',
        manager: { value: manager.id, $ref: `${server.scimUrl}/Users/${manager.id}`, displayName: 'Big Boss' },
      };
      expect(response.body[ENTERPRISE]).toEqual(expected);
      expect((await read(scim, response.body.id))[ENTERPRISE]).toEqual(expected);
    });

    it('accepts the manager as a bare id string (Entra) and returns it as {value, $ref, displayName}', async () => {
      const manager = await create(scim, newUser('boss2@example.com', { displayName: 'Second Boss' }));
      const body = await create(scim, newUser('worker2@example.com', { [ENTERPRISE]: { manager: manager.id } }));
      expect(body[ENTERPRISE].manager).toEqual({
        value: manager.id,
        $ref: `${server.scimUrl}/Users/${manager.id}`,
        displayName: 'Second Boss',
      });
    });

    it("gives the manager's displayName as GET returns it, also when it is derived from the name", async () => {
      const manager = await create(scim, newUser('boss3@example.com', { name: { givenName: 'Derived', familyName: 'Boss' } }));
      expect(manager.displayName).toBe('Derived Boss');
      const body = await create(scim, newUser('worker3@example.com', { [ENTERPRISE]: { manager: { value: manager.id } } }));
      expect(body[ENTERPRISE].manager.displayName).toBe(manager.displayName);
    });

    it('accepts extension attributes by their full URN path at the top level', async () => {
      const body = await create(scim, newUser('urnkeys@example.com', { [`${ENTERPRISE}:department`]: 'Finance' }));
      expect(body[ENTERPRISE]).toEqual({ department: 'Finance' });
    });
  });
});
