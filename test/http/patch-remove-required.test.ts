import { describe, expect, it } from 'vitest';
import { newUser, patchOps, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, expectScimError, expectUnchanged, type Json, read } from './helpers.js';

/**
 * Issue 13, defect 11: `PATCH {"op":"remove","path":"active"}` answered 200 and changed nothing.
 * RFC 7644 §3.5.2.2: a removed attribute becomes unassigned, and "If an attribute is removed or
 * becomes unassigned and is defined as a required attribute or a read-only attribute, the server
 * SHALL return … a "scimType" error code of "mutability"". Roster always holds `active` (true or
 * false, no third state), so unassigning it is 400 mutability too, never a silent no-op and never
 * a silent deactivation. Every other required or defaulted attribute either does what the RFC
 * says or gives a precise error.
 */
describe('defect 11 (issue 13): PATCH remove of required and always-held attributes', () => {
  const { scim } = workspaceForSuite('remove-required');
  let counter = 0;

  const fresh = async (extra: Record<string, unknown> = {}): Promise<Json> => create(scim, newUser(`rr${++counter}@example.com`, extra));

  /** PATCHes, expects the SCIM error, and checks the user reads back exactly as before. */
  const refused = async (user: Json, status: number, scimType: string, ...operations: unknown[]): Promise<Json> => {
    const before = await read(scim, user.id);
    const response = await scim.patch(`/Users/${user.id}`, patchOps(...operations));
    expectScimError(response, status, scimType);
    await expectUnchanged(scim, user.id, before);
    return response.body;
  };

  it.each([true, false])('remove active (active: %s) is 400 mutability and changes nothing', async (active) => {
    const user = await fresh({ active });
    const body = await refused(user, 400, 'mutability', { op: 'remove', path: 'active' });
    expect(body.detail).toContain("'active' cannot be removed");
    expect(body.detail).toContain('true or false');
  });

  it('every other way of unassigning active is 400 mutability too (null, "", path-less, URN path)', async () => {
    const user = await fresh();
    await refused(user, 400, 'mutability', { op: 'replace', path: 'active', value: null });
    await refused(user, 400, 'mutability', { op: 'Add', path: 'active', value: '' });
    await refused(user, 400, 'mutability', { op: 'replace', value: { active: null } });
    await refused(user, 400, 'mutability', { op: 'remove', path: `${USER_SCHEMA}:active` });
    await refused(user, 400, 'mutability', { op: 'replace', path: 'title', value: 'first op' }, { op: 'remove', path: 'active' });
  });

  it('PUT with active: null is 400 invalidValue and changes nothing (it used to keep active silently)', async () => {
    const user = await fresh();
    const before = await read(scim, user.id);
    const response = await scim.put(`/Users/${user.id}`, newUser(user.userName, { active: null }));
    expectScimError(response, 400, 'invalidValue');
    expect(response.body.detail).toContain("'active' cannot be null or empty");
    await expectUnchanged(scim, user.id, before);
  });

  it('remove userName (required) is 400 mutability, as RFC 7644 §3.5.2.2 says', async () => {
    const user = await fresh();
    const body = await refused(user, 400, 'mutability', { op: 'remove', path: 'userName' });
    expect(body.detail).toContain("'userName' is required and cannot be removed");
    await refused(user, 400, 'mutability', { op: 'replace', path: 'userName', value: '' });
  });

  it('remove schemas, the core schema URN, id or meta is 400 mutability', async () => {
    const user = await fresh();
    for (const path of ['schemas', USER_SCHEMA, 'id', 'meta', 'meta.version', 'groups']) {
      await refused(user, 400, 'mutability', { op: 'remove', path });
    }
  });

  it('remove emails when they are the only source of the account email is 400 invalidValue naming the rule', async () => {
    const user = await create(scim, newUser(`plain${++counter}`, { emails: [{ value: `plain${counter}@example.com`, type: 'work' }] }));
    const body = await refused(user, 400, 'invalidValue', { op: 'remove', path: 'emails' });
    expect(body.detail).toContain('needs an email');
  });

  it('remove of an optional attribute does what the RFC says: it becomes unassigned', async () => {
    const user = await fresh({
      externalId: 'ext-1',
      title: 'Lead',
      displayName: 'Shown Name',
      emails: [{ value: `rr${counter + 1}@example.com`, type: 'work' }],
    });
    for (const path of ['externalId', 'title', 'emails']) {
      const response = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'remove', path }));
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body[path]).toBeUndefined();
      expect((await read(scim, user.id))[path]).toBeUndefined();
    }
    // displayName is unassigned; the response shows the name derived from name parts (docs/scim.md).
    const response = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'remove', path: 'displayName' }));
    expect(response.status).toBe(200);
    expect(response.body.displayName).toBe('Given Family');
  });

  describe('Groups', () => {
    const group = async (): Promise<Json> => ((await scim.get('/Groups')).body.Resources as Json[])[0] as Json;
    const groupRefused = async (scimType: string, ...operations: unknown[]): Promise<Json> => {
      const target = await group();
      const before = (await scim.get(`/Groups/${target.id}`)).body;
      const response = await scim.patch(`/Groups/${target.id}`, patchOps(...operations));
      expectScimError(response, 400, scimType);
      expect((await scim.get(`/Groups/${target.id}`)).body).toStrictEqual(before);
      return response.body;
    };

    it('remove displayName (required) is 400 mutability', async () => {
      const body = await groupRefused('mutability', { op: 'remove', path: 'displayName' });
      expect(body.detail).toContain("'displayName' is required and cannot be removed");
      await groupRefused('mutability', { op: 'replace', value: { displayName: null } });
    });

    it('remove schemas or id is 400 mutability', async () => {
      await groupRefused('mutability', { op: 'remove', path: 'schemas' });
      await groupRefused('mutability', { op: 'remove', path: 'id' });
    });
  });
});
