import { beforeAll, describe, expect, it } from 'vitest';
import { newUser, patchOps, type ScimClient, scimClient, startServer, type TestServer, USER_SCHEMA } from '../support/scim-server.js';
import { create, filterNames, type Json, read } from './helpers.js';

/**
 * `profileUrl` (RFC 7643 §4.1.1, a reference to an external page; Okta's SCIM 2.0 profile sends
 * it), end to end: the attribute added through the attribute table (directory/user-attributes.ts)
 * is stored, returned, filtered, sorted, patched and replaced like every other simple attribute.
 */
describe('profileUrl', () => {
  const url = (name: string) => `https://profiles.example.com/${name}`;
  let server: TestServer;
  let scim: ScimClient;

  beforeAll(async () => {
    server = await startServer();
    scim = scimClient(server, await server.workspace('profile-url'));
    return () => server.close();
  });

  let counter = 0;
  const fresh = async (profileUrl?: string): Promise<Json> =>
    create(scim, newUser(`profile${++counter}@example.com`, profileUrl === undefined ? {} : { profileUrl }));
  const patch = async (id: string, ...operations: unknown[]): Promise<Json> => {
    const response = await scim.patch(`/Users/${id}`, patchOps(...operations));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  it('is published in /Schemas as a reference to an external resource', async () => {
    const response = await scim.get(`/Schemas/${USER_SCHEMA}`);
    expect(response.status).toBe(200);
    const attribute = response.body.attributes.find((a: Json) => a.name === 'profileUrl');
    expect(attribute).toMatchObject({ type: 'reference', referenceTypes: ['external'], multiValued: false, mutability: 'readWrite' });
  });

  it('is stored on POST and returned by GET', async () => {
    const created = await fresh(url('ada'));
    expect(created.profileUrl).toBe(url('ada'));
    expect((await read(scim, created.id)).profileUrl).toBe(url('ada'));
  });

  it('is filtered and sorted in the database, ignoring case as its schema says (caseExact false)', async () => {
    const first = await fresh(url('Filter-B'));
    const second = await fresh(url('filter-a'));
    const without = await fresh();
    expect(await filterNames(scim, `profileUrl eq "${url('filter-b')}"`)).toEqual([first.userName]);
    expect(await filterNames(scim, 'profileUrl co "/FILTER-"')).toEqual([first.userName, second.userName].sort());
    expect(await filterNames(scim, `${USER_SCHEMA}:profileUrl sw "https://profiles.example.com/filter"`)).toHaveLength(2);
    expect(await filterNames(scim, `userName eq "${without.userName}" and profileUrl pr`)).toEqual([]);
    expect(await filterNames(scim, `userName eq "${without.userName}" and not (profileUrl pr)`)).toEqual([without.userName]);
    const sorted = await scim.get(`/Users?filter=${encodeURIComponent('profileUrl co "/filter-"')}&sortBy=profileUrl`);
    expect(sorted.status).toBe(200);
    expect(sorted.body.Resources.map((r: Json) => r.id)).toEqual([second.id, first.id]);
  });

  it('is replaced and removed by PATCH, with and without a path', async () => {
    const user = await fresh(url('patch'));
    expect((await patch(user.id, { op: 'replace', path: 'profileUrl', value: url('patched') })).profileUrl).toBe(url('patched'));
    expect(await filterNames(scim, `profileUrl eq "${url('patch')}"`)).toEqual([]);
    expect(await filterNames(scim, `profileUrl eq "${url('patched')}"`)).toEqual([user.userName]);
    expect((await patch(user.id, { op: 'Replace', value: { profileUrl: url('pathless') } })).profileUrl).toBe(url('pathless'));
    const removed = await patch(user.id, { op: 'remove', path: 'profileUrl' });
    expect(removed.profileUrl).toBeUndefined();
    expect((await read(scim, user.id)).profileUrl).toBeUndefined();
    expect(await filterNames(scim, `userName eq "${user.userName}" and profileUrl pr`)).toEqual([]);
    expect((await patch(user.id, { op: 'add', path: 'profileUrl', value: url('added') })).profileUrl).toBe(url('added'));
  });

  it('is replaced by PUT, kept when left out and cleared by null', async () => {
    const user = await fresh(url('put'));
    const put = async (extra: Json) => {
      const response = await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: user.userName, ...extra });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body;
    };
    expect((await put({ profileUrl: url('replaced') })).profileUrl).toBe(url('replaced'));
    expect((await put({ title: 'Left out' })).profileUrl).toBe(url('replaced'));
    expect((await put({ profileUrl: null })).profileUrl).toBeUndefined();
    expect((await read(scim, user.id)).profileUrl).toBeUndefined();
    expect(await filterNames(scim, `userName eq "${user.userName}" and profileUrl pr`)).toEqual([]);
  });
});
