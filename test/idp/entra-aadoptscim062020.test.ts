import { describe, expect, it } from 'vitest';
import { entraUser, idpSuite, lifecycle } from './idp-harness.js';
import { ENTERPRISE, ENTRA, enterprise, guid, type Json, patchOp, plusEncoded, workEmail } from './replay.js';
import { expectEmptyList, expectList, expectNoNulls, expectScimError, expectStatus } from './replay-assertions.js';

/**
 * Microsoft Entra ID with `?aadOptscim062020` appended to the Tenant URL (idp-behaviour.md §1.4):
 * lower-case ops, boolean `active`, path-less replaces whose keys are dotted sub-attribute paths
 * and full URN paths, and member removal by `members[value eq "…"]` without a value.
 */
describe('Entra ID with the aadOptscim062020 flag', () => {
  const suite = idpSuite('entra-flag', ENTRA);
  const { send, patchUser, readUser, expectUserGone, findUsers, idsByUserName, memberIds, groupByName, groupNamesOf } = suite;
  let counter = 0;

  const createBody = (extra: Json = {}): Json => {
    const userName = `flag_user_${++counter}-${guid()}@contoso.com`;
    return entraUser(userName, userName, { givenName: 'Ada', familyName: 'Lovelace' }, extra);
  };

  const provision = suite.provisioner(createBody, (userName) => `/Users?filter=${plusEncoded(`userName eq "${userName}"`)}`);

  describe('user lifecycle, in order', () => {
    const { life, id } = lifecycle<{ body?: Json }>();

    it('Test Connection: random-GUID userName filter, no User-Agent → 200 empty ListResponse', async () => {
      expectEmptyList(await send('GET', `/Users?filter=${plusEncoded(`userName eq "${guid()}"`)}`));
    });

    it('the flag itself arriving as a query parameter is tolerated [INF]', async () => {
      expectEmptyList(await send('GET', `/Users?aadOptscim062020&filter=${plusEncoded(`userName eq "${guid()}"`)}`));
    });

    it('matching query (no match) then POST /Users → 201; reads back', async () => {
      life.body = createBody();
      expectEmptyList(await send('GET', `/Users?filter=${plusEncoded(`userName eq "${life.body.userName}"`)}`));
      const created = expectStatus(await send('POST', '/Users', life.body), 201);
      life.id = created.id;
      expectNoNulls(created);
      const stored = await readUser(id());
      expect(stored).toMatchObject({ userName: life.body.userName, externalId: life.body.externalId, active: true });
    });

    it('matching by externalId eq "…" finds the user', async () => {
      const list = expectList(await send('GET', `/Users?filter=${plusEncoded(`externalId eq "${life.body?.externalId}"`)}`));
      expect(list.Resources.map((u: Json) => u.id)).toEqual([id()]);
    });

    it('replace emails[type eq "work"].value plus a path-less replace with dotted and URN keys → all applied', async () => {
      const updated = await patchUser(
        id(),
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'bjfe.kkom@contoso.com' },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            [`${ENTERPRISE}:employeeNumber`]: 'Aklq',
          },
        },
      );
      expect(updated.displayName).toBe('Bjfe');
      const stored = await readUser(id());
      expect(workEmail(stored)).toBe('bjfe.kkom@contoso.com');
      expect(stored.emails).toHaveLength(1);
      expect(stored.displayName).toBe('Bjfe');
      expect(stored.name).toMatchObject({ givenName: 'Kkom', familyName: 'Unua' });
      expect(enterprise(stored).employeeNumber).toBe('Aklq');
    });

    it('path-less replace with the enterprise department and externalId as URN / plain keys', async () => {
      const externalId = guid();
      await patchUser(id(), { op: 'replace', value: { externalId, [`${ENTERPRISE}:department`]: 'Research' } });
      const stored = await readUser(id());
      expect(stored.externalId).toBe(externalId);
      expect(enterprise(stored).department).toBe('Research');
      expect(enterprise(stored).employeeNumber).toBe('Aklq');
      expect((await findUsers(`externalId eq "${externalId}"`)).map((u) => u.id)).toEqual([id()]);
    });

    it('add nickName "Babs" (lower-case op)', async () => {
      await patchUser(id(), { op: 'add', path: 'nickName', value: 'Babs' });
      expect((await readUser(id())).nickName).toBe('Babs');
    });

    it('replace userName → the new one matches, the old one does not', async () => {
      const old = life.body?.userName as string;
      const next = `renamed-${guid()}@contoso.com`;
      await patchUser(id(), { op: 'replace', path: 'userName', value: next });
      expect((await readUser(id())).userName).toBe(next);
      expect(await idsByUserName(next)).toEqual([id()]);
      expect(await idsByUserName(old)).toEqual([]);
      if (life.body) life.body.userName = next;
    });

    it('disable: {"op":"replace","path":"active","value":false} → active false, still readable and findable', async () => {
      expect((await patchUser(id(), { op: 'replace', path: 'active', value: false })).active).toBe(false);
      expect((await readUser(id())).active).toBe(false);
      const found = await findUsers(`userName eq "${life.body?.userName}"`);
      expect(found.map((u) => [u.id, u.active])).toEqual([[id(), false]]);
    });

    it('re-enable: replace active true', async () => {
      expect((await patchUser(id(), { op: 'replace', path: 'active', value: true })).active).toBe(true);
      expect((await readUser(id())).active).toBe(true);
    });

    it('path-less replace {"active": false} also disables (same engine)', async () => {
      await patchUser(id(), { op: 'replace', value: { active: false } });
      expect((await readUser(id())).active).toBe(false);
      await patchUser(id(), { op: 'replace', value: { active: true } });
      expect((await readUser(id())).active).toBe(true);
    });

    it('DELETE /Users/{id} → 204; later GET → 404; the filter finds nobody', async () => {
      const response = await send('DELETE', `/Users/${id()}`);
      expect(response.status, response.describe).toBe(204);
      await expectUserGone(id());
      expect(await idsByUserName(life.body?.userName as string)).toEqual([]);
    });
  });

  describe('manager (lower-case ops)', () => {
    it('add the manager as a bare string id, then remove it with a value filter', async () => {
      const manager = await provision();
      const user = await provision();
      await patchUser(user.id, { op: 'add', path: `${ENTERPRISE}:manager`, value: manager.id });
      const stored = enterprise(await readUser(user.id)).manager as Json;
      expect(stored).toMatchObject({ value: manager.id });
      expect(typeof stored.$ref).toBe('string');
      await patchUser(user.id, { op: 'remove', path: `${ENTERPRISE}:manager[value eq "${manager.id}"]` });
      expect(enterprise(await readUser(user.id)).manager).toBeUndefined();
    });

    it('path-less replace with the URN manager key sets the manager', async () => {
      const manager = await provision();
      const user = await provision();
      await patchUser(user.id, { op: 'replace', value: { [`${ENTERPRISE}:manager`]: manager.id } });
      expect(enterprise(await readUser(user.id)).manager?.value).toBe(manager.id);
    });
  });

  describe('roles as Groups', () => {
    const { admin } = suite.roles();

    it('group lookup: GET /Groups?excludedAttributes=members&filter=displayName+eq+%22Admin%22', async () => {
      const list = expectList(await send('GET', '/Groups?excludedAttributes=members&filter=displayName+eq+%22Admin%22'));
      expect(list.Resources.map((g: Json) => [g.id, g.displayName, g.members])).toEqual([[admin.id, 'Admin', undefined]]);
    });

    it('add members (lower-case op) → 204; read back', async () => {
      const [a, b] = [await provision(), await provision()];
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }),
      );
      expect(response.status, response.describe).toBe(204);
      expect(await memberIds(admin.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    });

    it('remove members[value eq "…"] without a value → only that member leaves', async () => {
      const [a, b, c] = [await provision(), await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [a, b, c].map((u) => ({ value: u.id })) }));
      expect(await memberIds(admin.id)).toEqual(expect.arrayContaining([a.id, b.id, c.id]));
      const response = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'remove', path: `members[value eq "${b.id}"]` }));
      expect(response.status, response.describe).toBe(204);
      const members = await memberIds(admin.id);
      expect(members).not.toContain(b.id);
      expect(members).toEqual(expect.arrayContaining([a.id, c.id]));
      expect(await groupNamesOf(b.id)).toEqual(['Member']);
    });

    it('several filtered removes in one PATCH', async () => {
      const [a, b, c] = [await provision(), await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [a, b, c].map((u) => ({ value: u.id })) }));
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'remove', path: `members[value eq "${a.id}"]` }, { op: 'remove', path: `members[value eq "${c.id}"]` }),
      );
      expect(response.status, response.describe).toBe(204);
      const members = await memberIds(admin.id);
      expect(members).toContain(b.id);
      expect(members).not.toContain(a.id);
      expect(members).not.toContain(c.id);
    });

    it('remove members[value eq "<not a member>"] → 204 and nobody leaves', async () => {
      const a = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }] }));
      const before = await memberIds(admin.id);
      const response = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'remove', path: `members[value eq "${guid()}"]` }));
      expect(response.status, response.describe).toBe(204);
      expect(await memberIds(admin.id)).toEqual(before);
    });

    it('replace displayName with the current name → 204 no-op', async () => {
      const before = await memberIds(admin.id);
      const response = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Admin' }));
      expect(response.status, response.describe).toBe(204);
      expect((await groupByName('Admin')).id).toBe(admin.id);
      expect(await memberIds(admin.id)).toEqual(before);
    });

    it('errors stay SCIM JSON: an unknown member sub-attribute path → 400 with status "400"', async () => {
      const before = await memberIds(admin.id);
      expectScimError(await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'replace', path: 'members.display', value: 'x' })), 400);
      expect(await memberIds(admin.id)).toEqual(before);
    });
  });
});
