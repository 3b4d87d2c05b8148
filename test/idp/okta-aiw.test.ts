import { describe, expect, it } from 'vitest';
import { idpSuite, lifecycle, oktaUser, oktaUserNameFilter } from './idp-harness.js';
import { GROUP_SCHEMA, guid, type Json, OKTA } from './replay.js';
import { expectEmptyList, expectList, expectNoNulls, expectScimError, expectStatus } from './replay-assertions.js';

/**
 * Okta custom apps built with the App Integration Wizard (idp-behaviour.md §2.1): PUT for
 * profile changes, PUT with `active: false` for deactivation and `active: true` for
 * reactivation, and PUT /Groups/{id} with `id` and `members` for group pushes.
 */
describe('Okta (App Integration Wizard custom app)', () => {
  const suite = idpSuite('okta-aiw', OKTA);
  const { send, readUser, findUsers, readGroup, memberIds, groupNamesOf } = suite;
  let counter = 0;

  const createBody = (extra: Json = {}): Json =>
    oktaUser(
      `aiw.user${++counter}.${guid().slice(0, 8)}@okta.local`,
      { givenName: 'Aiw', familyName: 'User', password: 'Xy12-secret' },
      extra,
    );

  const provision = suite.provisioner(createBody, oktaUserNameFilter);

  /** The full group as an AIW app PUTs it: schemas, id, displayName and the complete member list. */
  const groupBody = (group: Json, users: readonly Json[]): Json => ({
    schemas: [GROUP_SCHEMA],
    id: group.id,
    displayName: group.displayName,
    members: users.map((u) => ({ value: u.id, display: u.userName })),
  });

  describe('user lifecycle, in order', () => {
    const { life, id } = lifecycle<{ body?: Json }>();

    it('existence check → 200 empty list; POST → 201; reads back', async () => {
      life.body = createBody();
      expectEmptyList(await send('GET', oktaUserNameFilter(life.body.userName)));
      const created = expectStatus(await send('POST', '/Users', life.body), 201);
      life.id = created.id;
      expect(created.password).toBeUndefined();
      expectNoNulls(created);
      expect(await readUser(id())).toMatchObject({ userName: life.body.userName, active: true, locale: 'en-US' });
    });

    it('profile update: GET then PUT the full user (id, meta, groups: []) → 200; reads back', async () => {
      const current = expectStatus(await send('GET', `/Users/${id()}`), 200);
      const updated = expectStatus(
        await send('PUT', `/Users/${id()}`, {
          ...current,
          name: { ...current.name, givenName: 'Renamed' },
          title: 'Engineer',
          password: 'Xy12-changed',
          groups: [],
        }),
        200,
      );
      expect(updated.name.givenName).toBe('Renamed');
      expect(updated.password).toBeUndefined();
      const stored = await readUser(id());
      expect(stored.name.givenName).toBe('Renamed');
      expect(stored.title).toBe('Engineer');
      expect(stored.active).toBe(true);
    });

    it('deactivation: PUT the full user with "active": false → 200; active false, still readable and findable', async () => {
      const current = expectStatus(await send('GET', `/Users/${id()}`), 200);
      const response = await send('PUT', `/Users/${id()}`, { ...current, active: false, groups: [] });
      expect(expectStatus(response, 200).active).toBe(false);
      const stored = await readUser(id());
      expect(stored.active).toBe(false);
      expect(stored.name.givenName).toBe('Renamed');
      const found = await findUsers(`userName eq "${life.body?.userName}"`);
      expect(found.map((u) => [u.id, u.active])).toEqual([[id(), false]]);
    });

    it('a profile PUT while deactivated (active: false repeated) keeps the user inactive', async () => {
      const current = expectStatus(await send('GET', `/Users/${id()}`), 200);
      expectStatus(await send('PUT', `/Users/${id()}`, { ...current, title: 'Former engineer', active: false, groups: [] }), 200);
      const stored = await readUser(id());
      expect(stored.active).toBe(false);
      expect(stored.title).toBe('Former engineer');
    });

    it('reactivation: PUT with "active": true → active true', async () => {
      const current = expectStatus(await send('GET', `/Users/${id()}`), 200);
      expect(expectStatus(await send('PUT', `/Users/${id()}`, { ...current, active: true, groups: [] }), 200).active).toBe(true);
      expect((await readUser(id())).active).toBe(true);
    });

    it('a PUT that changes userName and email → the new userName matches, the old one does not', async () => {
      const current = expectStatus(await send('GET', `/Users/${id()}`), 200);
      const next = `aiw.renamed.${guid().slice(0, 8)}@okta.local`;
      expectStatus(
        await send('PUT', `/Users/${id()}`, {
          ...current,
          userName: next,
          emails: [{ primary: true, value: next, type: 'work' }],
          groups: [],
        }),
        200,
      );
      expect((await readUser(id())).userName).toBe(next);
      expect((await findUsers(`userName eq "${next}"`)).map((u) => u.id)).toEqual([id()]);
      expect(await findUsers(`userName eq "${life.body?.userName}"`)).toEqual([]);
    });

    it('PUT of an unknown id → 404 SCIM error', async () => {
      expectScimError(await send('PUT', `/Users/${guid()}`, createBody()), 404);
    });
  });

  describe('group push with PUT /Groups/{id}', () => {
    const { admin, member } = suite.roles();

    it('import: GET /Groups?startIndex=1&count=100 → Admin and Member with integer paging fields', async () => {
      const list = expectList(await send('GET', '/Groups?startIndex=1&count=100'));
      expect(list.Resources.map((g: Json) => g.displayName).sort()).toEqual(['Admin', 'Member']);
    });

    it('first push: PUT with id, displayName and members → 200 with the group; members read back', async () => {
      const [a, b] = [await provision(), await provision()];
      const response = await send('PUT', `/Groups/${admin.id}`, groupBody(admin, [a, b]));
      const body = expectStatus(response, 200);
      expect(body.id).toBe(admin.id);
      expect(body.displayName).toBe('Admin');
      expect(sortedValues(body.members)).toEqual([a.id, b.id].sort());
      expect(await memberIds(admin.id)).toEqual([a.id, b.id].sort());
      expect(await groupNamesOf(a.id)).toEqual(['Admin']);
    });

    it('second push of the same body (SimpleIdServer#247) → 200 again, same members', async () => {
      const current = await readGroup(admin.id);
      const body = { ...current, schemas: [GROUP_SCHEMA] };
      const response = await send('PUT', `/Groups/${admin.id}`, body);
      expectStatus(response, 200);
      expect(await memberIds(admin.id)).toEqual(sortedValues(current.members));
    });

    it('a push with one member removed and one added → exactly the new list', async () => {
      const [a, b, c] = [await provision(), await provision(), await provision()];
      expectStatus(await send('PUT', `/Groups/${admin.id}`, groupBody(admin, [a, b])), 200);
      expect(await memberIds(admin.id)).toEqual([a.id, b.id].sort());
      expectStatus(await send('PUT', `/Groups/${admin.id}`, groupBody(admin, [b, c])), 200);
      expect(await memberIds(admin.id)).toEqual([b.id, c.id].sort());
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
    });

    it('a push with members: [] empties the role; its former members fall back to Member', async () => {
      const a = await provision();
      expectStatus(await send('PUT', `/Groups/${admin.id}`, groupBody(admin, [a])), 200);
      expect(await memberIds(admin.id)).toEqual([a.id]);
      const body = expectStatus(await send('PUT', `/Groups/${admin.id}`, groupBody(admin, [])), 200);
      expect(body.members ?? []).toEqual([]);
      expect(await memberIds(admin.id)).toEqual([]);
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
    });

    it('a push without a members attribute clears the role (vouch#1415 semantics)', async () => {
      const a = await provision();
      expectStatus(await send('PUT', `/Groups/${admin.id}`, groupBody(admin, [a])), 200);
      expect(await memberIds(admin.id)).toEqual([a.id]);
      expectStatus(await send('PUT', `/Groups/${admin.id}`, { schemas: [GROUP_SCHEMA], id: admin.id, displayName: 'Admin' }), 200);
      expect(await memberIds(admin.id)).toEqual([]);
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
    });

    it('a push naming an id Roster does not know → 200; the known members are applied', async () => {
      const a = await provision();
      const body = groupBody(admin, [a]);
      body.members.push({ value: '00u-unknown-in-roster', display: 'ghost@okta.local' });
      expectStatus(await send('PUT', `/Groups/${admin.id}`, body), 200);
      expect(await memberIds(admin.id)).toEqual([a.id]);
    });

    it('a push with meta and externalId in the body is accepted', async () => {
      const a = await provision();
      const body = { ...groupBody(admin, [a]), externalId: '00g1abcd', meta: { resourceType: 'Group' } };
      expectStatus(await send('PUT', `/Groups/${admin.id}`, body), 200);
      expect(await memberIds(admin.id)).toEqual([a.id]);
    });

    it('pushing Member with a user of Admin moves the user to Member (one role per user)', async () => {
      const a = await provision();
      expectStatus(await send('PUT', `/Groups/${admin.id}`, groupBody(admin, [a])), 200);
      const members = (await readGroup(member.id)).members ?? [];
      const current = members.map((m: Json) => ({ id: m.value, userName: m.display }));
      expectStatus(await send('PUT', `/Groups/${member.id}`, groupBody(member, [...current, a])), 200);
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
      expect(await memberIds(admin.id)).not.toContain(a.id);
    });

    it('a push renaming the group → 400 mutability SCIM error; name and members unchanged', async () => {
      const before = await memberIds(admin.id);
      const response = await send('PUT', `/Groups/${admin.id}`, { ...groupBody(admin, []), displayName: 'Administrators' });
      expectScimError(response, 400, 'mutability');
      expect((await readGroup(admin.id)).displayName).toBe('Admin');
      expect(await memberIds(admin.id)).toEqual(before);
    });

    it('PUT /Groups/{unknown id} → 404 SCIM error', async () => {
      expectScimError(await send('PUT', `/Groups/${guid()}`, { schemas: [GROUP_SCHEMA], displayName: 'Admin', members: [] }), 404);
    });

    it('unlink and delete: DELETE /Groups/{id} → 403 SCIM error; the role stays', async () => {
      const before = await memberIds(admin.id);
      expectScimError(await send('DELETE', `/Groups/${admin.id}`), 403);
      expect(await memberIds(admin.id)).toEqual(before);
    });
  });
});

function sortedValues(members: unknown): string[] {
  return ((members ?? []) as Json[]).map((m) => m.value as string).sort();
}
