import { beforeAll, describe, expect, it } from 'vitest';
import { idpSuite, lifecycle, oktaUser, oktaUserNameFilter } from './idp-harness.js';
import { GROUP_SCHEMA, guid, idp, type Json, OKTA, patchOp, replay, type Send, USER_SCHEMA } from './replay.js';
import { expectEmptyList, expectList, expectNoNulls, expectScimError, expectStatus, readUser as readUserIn } from './replay-assertions.js';

/**
 * Okta, OIN integrations and the "SCIM 2.0 Test App" catalogue apps (idp-behaviour.md §2):
 * PUT for profiles, path-less PATCH for (de)activation, PATCH for group pushes, never DELETE /Users.
 * Headers: `User-Agent: Okta SCIM Client 1.0.0`, `Accept: application/scim+json`,
 * `Accept-Charset: utf-8`, `Accept-Encoding: gzip,deflate`.
 */
describe('Okta (OIN / SCIM 2.0 Test App)', () => {
  const suite = idpSuite('okta-oin', OKTA);
  const { send, readUser, findUsers, idsByUserName, readGroup, memberIds, groupNamesOf } = suite;
  let counter = 0;

  /** O-U2's body with a fresh identity. */
  const createBody = (extra: Json = {}): Json =>
    oktaUser(
      `test.user${++counter}.${guid().slice(0, 8)}@okta.local`,
      { givenName: 'Test', familyName: 'User', password: '1mz050nq' },
      extra,
    );

  /** O-U1 existence check (no match) then O-U2 create. */
  const provision = suite.provisioner(createBody, oktaUserNameFilter);

  describe('Runscope "Okta SCIM 2.0 Spec Test" sequence', () => {
    const spec: { first?: Json; body?: Json; created?: Json } = {};

    it('1. GET /Users?count=1&startIndex=1 → ListResponse with integer paging fields and a complete user', async () => {
      await provision();
      const list = expectList(await send('GET', '/Users?count=1&startIndex=1'));
      expect(list.Resources).toHaveLength(1);
      expect(list.startIndex).toBe(1);
      const user = list.Resources[0] as Json;
      expect(typeof user.id).toBe('string');
      expect(typeof user.userName).toBe('string');
      expect(typeof user.active).toBe('boolean');
      expect(typeof user.name.givenName).toBe('string');
      expect(typeof user.name.familyName).toBe('string');
      expect(typeof user.emails[0].value).toBe('string');
      spec.first = user;
    });

    it('2. GET /Users/{that id} → 200 with the same id and fields', async () => {
      const user = expectStatus(await send('GET', `/Users/${spec.first?.id}`), 200);
      expect(user.id).toBe(spec.first?.id);
      expect(user.userName).toBe(spec.first?.userName);
    });

    it('3. filter userName eq "abcdefgh@example.com" → 200 with totalResults 0', async () => {
      expectEmptyList(await send('GET', `/Users?filter=${encodeURIComponent('userName eq "abcdefgh@example.com"')}`));
    });

    it('4. GET /Users/010101001010101011001010101011 (not a UUID) → 404 SCIM error with detail', async () => {
      expectScimError(await send('GET', '/Users/010101001010101011001010101011'), 404);
    });

    it('5. POST /Users with realistic values → 201; active, names, userName and email echo back', async () => {
      spec.body = createBody({ userName: `Runscope300Hfluaklab${counter}@example.com` });
      spec.body.emails = [{ primary: true, type: 'work', value: spec.body.userName }];
      const created = expectStatus(await send('POST', '/Users', spec.body), 201);
      expect(created.active).toBe(true);
      expect(created.userName).toBe(spec.body.userName);
      expect(created.name).toMatchObject({ givenName: 'Test', familyName: 'User' });
      expect(created.emails[0].value).toBe(spec.body.userName);
      expect(created.password).toBeUndefined();
      spec.created = created;
    });

    it('6. GET the created user → 200', async () => {
      const user = await readUser(spec.created?.id);
      expect(user.userName).toBe(spec.body?.userName);
    });

    it('7. the same POST again → 409 SCIM error; still exactly one user', async () => {
      expectScimError(await send('POST', '/Users', spec.body), 409, 'uniqueness');
      expect(await idsByUserName(spec.body?.userName)).toEqual([spec.created?.id]);
    });

    it('8. case sensitivity check: the UPPERCASED userName finds the user (totalResults 1)', async () => {
      const upper = String(spec.body?.userName).toUpperCase();
      const list = expectList(await send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${upper}"`)}`));
      expect(list.totalResults).toBe(1);
      expect(list.Resources[0].id).toBe(spec.created?.id);
    });

    it('9. GET /Groups → 200, integer totalResults, Resources a list, in under 600 ms', async () => {
      const started = performance.now();
      const list = expectList(await send('GET', '/Groups'));
      expect(performance.now() - started).toBeLessThan(600);
      expect(list.Resources.map((g: Json) => g.displayName).sort()).toEqual(['Admin', 'Member']);
    });
  });

  describe('user lifecycle, in order', () => {
    const { life, id } = lifecycle<{ body?: Json }>();

    it('O-U1 existence check: %20/%22/%40-encoded userName filter with startIndex=1&count=100 → 200 empty list', async () => {
      life.body = createBody();
      const response = await send('GET', oktaUserNameFilter(life.body.userName));
      const list = expectEmptyList(response);
      expect(list.itemsPerPage).toBe(0);
    });

    it('O-U2 POST with password, groups: [] and locale → 201 with a body; reads back without the password', async () => {
      const created = expectStatus(await send('POST', '/Users', life.body), 201);
      life.id = created.id;
      expect(created).toMatchObject({ userName: life.body?.userName, displayName: 'Test User', locale: 'en-US', active: true });
      expect(created.password).toBeUndefined();
      expectNoNulls(created);
      const stored = await readUser(id());
      expect(stored).toMatchObject({ externalId: life.body?.externalId, locale: 'en-US', displayName: 'Test User' });
      expect(stored.password).toBeUndefined();
      expect(await groupNamesOf(id())).toEqual(['Member']);
    });

    it('O-U1 a later existence check links the user: the filter finds exactly it', async () => {
      const list = expectList(await send('GET', oktaUserNameFilter(life.body?.userName)));
      expect(list.Resources.map((u: Json) => u.id)).toEqual([id()]);
    });

    it('O-U4 profile update: GET, then PUT of the full object with id, meta and groups: [] → 200; reads back', async () => {
      const current = expectStatus(await send('GET', `/Users/${id()}`), 200);
      const body = {
        ...current,
        schemas: [USER_SCHEMA],
        name: { ...current.name, givenName: 'Updated', middleName: 'Excited' },
        displayName: 'Updated User',
        groups: [],
      };
      const updated = expectStatus(await send('PUT', `/Users/${id()}`, body), 200);
      expect(updated.name).toMatchObject({ givenName: 'Updated', middleName: 'Excited', familyName: 'User' });
      const stored = await readUser(id());
      expect(stored.name).toMatchObject({ givenName: 'Updated', middleName: 'Excited', familyName: 'User' });
      expect(stored.displayName).toBe('Updated User');
      expect(stored.id).toBe(id());
      expect(await groupNamesOf(id())).toEqual(['Member']);
    });

    it('O-U5 deactivate: path-less {"op":"replace","value":{"active":false}} → 200/204; active false, still readable', async () => {
      const response = await send('PATCH', `/Users/${id()}`, patchOp({ op: 'replace', value: { active: false } }));
      expectStatus(response, [200, 204]);
      const stored = await readUser(id());
      expect(stored.active).toBe(false);
      expect((await findUsers(`userName eq "${life.body?.userName}"`)).map((u) => [u.id, u.active])).toEqual([[id(), false]]);
    });

    it('O-U5 reactivate: the same shape with true → active true', async () => {
      expectStatus(await send('PATCH', `/Users/${id()}`, patchOp({ op: 'replace', value: { active: true } })), [200, 204]);
      expect((await readUser(id())).active).toBe(true);
    });

    it('a PUT while deactivated keeps the user deactivated when the body says active: false', async () => {
      await send('PATCH', `/Users/${id()}`, patchOp({ op: 'replace', value: { active: false } }));
      const current = expectStatus(await send('GET', `/Users/${id()}`), 200);
      expectStatus(await send('PUT', `/Users/${id()}`, { ...current, title: 'Suspended', groups: [] }), 200);
      const stored = await readUser(id());
      expect(stored.active).toBe(false);
      expect(stored.title).toBe('Suspended');
    });

    it('unassign = deactivate (Okta never sends DELETE /Users): the user is inactive and still readable', async () => {
      const stored = await readUser(id());
      expect(stored.active).toBe(false);
    });
  });

  describe('group push', () => {
    const { admin, member } = suite.roles();

    it('import: GET /Groups?startIndex=1&count=100 → Admin and Member (Guest hidden), integer paging', async () => {
      const list = expectList(await send('GET', '/Groups?startIndex=1&count=100'));
      expect(list.totalResults).toBe(2);
      expect(list.startIndex).toBe(1);
      expect(list.Resources.map((g: Json) => g.displayName).sort()).toEqual(['Admin', 'Member']);
      for (const group of list.Resources as Json[]) expect(group.schemas).toContain(GROUP_SCHEMA);
    });

    it('group-exists lookup: displayName eq "Admin" (%20-encoded) and GET /Groups/{id} [INF]', async () => {
      const list = expectList(await send('GET', `/Groups?filter=displayName%20eq%20%22Admin%22&startIndex=1&count=100`));
      expect(list.Resources.map((g: Json) => g.id)).toEqual([admin.id]);
      expect(expectStatus(await send('GET', `/Groups/${admin.id}`), 200).displayName).toBe('Admin');
      expectScimError(await send('GET', `/Groups/${guid()}`), 404);
    });

    it('push of a group Roster does not have: POST /Groups → 403 SCIM error; nothing created', async () => {
      const body = { schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] };
      expectScimError(await send('POST', '/Groups', body), 403);
      expectEmptyList(await send('GET', `/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22`));
    });

    it('post-link reconcile: path-less replace {id, displayName} → 2xx no-op; name and members unchanged', async () => {
      const a = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id, display: a.userName }] }));
      const before = await memberIds(admin.id);
      expect(before).toContain(a.id);
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'replace', value: { id: admin.id, displayName: 'Admin' } }),
      );
      expectStatus(response, [200, 204]);
      expect((await readGroup(admin.id)).displayName).toBe('Admin');
      expect(await memberIds(admin.id)).toEqual(before);
    });

    it('membership delta: remove members[value eq "…"] and add members in one PATCH → both applied', async () => {
      const [a, b] = [await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id, display: a.userName }] }));
      expect(await memberIds(admin.id)).toContain(a.id);
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp(
          { op: 'remove', path: `members[value eq "${a.id}"]` },
          { op: 'add', path: 'members', value: [{ value: b.id, display: b.userName }] },
        ),
      );
      expectStatus(response, [200, 204]);
      const members = await memberIds(admin.id);
      expect(members).not.toContain(a.id);
      expect(members).toContain(b.id);
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
      expect(await groupNamesOf(b.id)).toEqual(['Admin']);
    });

    it('the reconcile op sent along with a membership update in the same push', async () => {
      const a = await provision();
      const first = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'replace', value: { id: admin.id, displayName: 'Admin' } }));
      expectStatus(first, [200, 204]);
      const second = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'add', path: 'members', value: [{ value: a.id, display: a.userName }] }),
      );
      expectStatus(second, [200, 204]);
      expect(await memberIds(admin.id)).toContain(a.id);
    });

    it('full membership push: replace members → exactly the listed members', async () => {
      const [a, b, c] = [await provision(), await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }] }));
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'replace', path: 'members', value: [b, c].map((u) => ({ value: u.id, display: u.userName })) }),
      );
      expectStatus(response, [200, 204]);
      expect(await memberIds(admin.id)).toEqual([b.id, c.id].sort());
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
    });

    it('path-less replace {"members": […]} → exactly the listed members', async () => {
      const [a, b] = [await provision(), await provision()];
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'replace', value: { members: [a, b].map((u) => ({ value: u.id, display: u.userName })) } }),
      );
      expectStatus(response, [200, 204]);
      expect(await memberIds(admin.id)).toEqual([a.id, b.id].sort());
    });

    it('path-less replace {id, displayName, members} in one value → members applied, name kept', async () => {
      const a = await provision();
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'replace', value: { id: admin.id, displayName: 'Admin', members: [{ value: a.id }] } }),
      );
      expectStatus(response, [200, 204]);
      expect(await memberIds(admin.id)).toEqual([a.id]);
      expect((await readGroup(admin.id)).displayName).toBe('Admin');
    });

    it('an unknown member id in an add does not fail the known ids (fleet#52600)', async () => {
      const [a, b] = [await provision(), await provision()];
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'add', path: 'members', value: [{ value: a.id }, { value: '00u-not-in-roster' }, { value: b.id }] }),
      );
      expectStatus(response, [200, 204]);
      const members = await memberIds(admin.id);
      expect(members).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(members).not.toContain('00u-not-in-roster');
    });

    it('a filtered remove is really applied (authentik#25686: 200 but not applied)', async () => {
      const [a, b] = [await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }));
      const response = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'remove', path: `members[value eq "${a.id}"]` }));
      expectStatus(response, [200, 204]);
      const members = await memberIds(admin.id);
      expect(members).not.toContain(a.id);
      expect(members).toContain(b.id);
    });

    it('pushing a user to Member leaves Admin (one role per user)', async () => {
      const a = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }] }));
      expect(await groupNamesOf(a.id)).toEqual(['Admin']);
      expectStatus(
        await send('PATCH', `/Groups/${member.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }] })),
        [200, 204],
      );
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
      expect(await memberIds(admin.id)).not.toContain(a.id);
    });

    it('removing a member from the default role Member keeps them in it (Roster: one role, Member is the fallback)', async () => {
      const a = await provision();
      const response = await send('PATCH', `/Groups/${member.id}`, patchOp({ op: 'remove', path: `members[value eq "${a.id}"]` }));
      expectStatus(response, [200, 204]);
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
      expect(await memberIds(member.id)).toContain(a.id);
    });

    it('a PUT /Users with groups: [] does not strip the role pushed through /Groups', async () => {
      const a = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }] }));
      const current = expectStatus(await send('GET', `/Users/${a.id}`), 200);
      expectStatus(await send('PUT', `/Users/${a.id}`, { ...current, nickName: 'Pushed', groups: [] }), 200);
      expect((await readUser(a.id)).nickName).toBe('Pushed');
      expect(await groupNamesOf(a.id)).toEqual(['Admin']);
    });

    it('unlink and delete: DELETE /Groups/{id} → 403 SCIM JSON error (Okta parses it); the role stays', async () => {
      const before = await memberIds(admin.id);
      expectScimError(await send('DELETE', `/Groups/${admin.id}`), 403);
      expect(await memberIds(admin.id)).toEqual(before);
    });

    it('a rename push (different displayName) → 400 SCIM JSON error; the role keeps its name', async () => {
      expectScimError(
        await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'replace', value: { id: admin.id, displayName: 'Administrators' } })),
        400,
        'mutability',
      );
      expect((await readGroup(admin.id)).displayName).toBe('Admin');
    });
  });

  describe("errors are JSON (Okta's Jackson parser fails on text)", () => {
    it('a malformed JSON body → 400 SCIM error', async () => {
      expectScimError(await send('POST', '/Users', '{"userName": '), 400);
    });

    it('a missing token → 401 SCIM error', async () => {
      const response = await replay(suite.server, undefined, {
        method: 'GET',
        path: '/Users?startIndex=1&count=100',
        headers: OKTA.always,
      });
      expectScimError(response, 401);
    });

    it('an unknown filter attribute → 400 SCIM error', async () => {
      expectScimError(await send('GET', `/Users?filter=${encodeURIComponent('nosuch eq "x"')}`), 400);
    });
  });

  describe('import paging (O-U6)', () => {
    let importToken: string;
    let importSend: Send;
    const created: string[] = [];

    beforeAll(async () => {
      importToken = await suite.server.workspace('okta-import');
      importSend = idp(suite.server, importToken, OKTA);
      for (let i = 0; i < 150; i++) {
        const body = createBody({ userName: `import${String(i).padStart(3, '0')}@okta.local` });
        body.emails = [{ primary: true, type: 'work', value: body.userName }];
        const response = await importSend('POST', '/Users', body);
        expect(response.status, response.describe).toBe(201);
        created.push(response.json?.id as string);
      }
    }, 120_000);

    const page = async (startIndex: number): Promise<Json> =>
      expectList(await importSend('GET', `/Users?startIndex=${startIndex}&count=100`));

    it('startIndex=1&count=100 then startIndex=101: 100 + 50, integers, no duplicates, no gaps', async () => {
      const first = await page(1);
      expect(first).toMatchObject({ totalResults: 150, startIndex: 1, itemsPerPage: 100 });
      const second = await page(101);
      expect(second).toMatchObject({ totalResults: 150, startIndex: 101, itemsPerPage: 50 });
      const ids = [...first.Resources, ...second.Resources].map((u: Json) => u.id as string);
      expect(new Set(ids).size).toBe(150);
      expect([...ids].sort()).toEqual([...created].sort());
    });

    it('the order is stable across repeated reads and across an update between pages', async () => {
      const first = (await page(1)).Resources.map((u: Json) => u.id);
      expect((await page(1)).Resources.map((u: Json) => u.id)).toEqual(first);
      const touched = first[0] as string;
      const current = expectStatus(await importSend('GET', `/Users/${touched}`), 200);
      expectStatus(await importSend('PUT', `/Users/${touched}`, { ...current, title: 'Touched', groups: [] }), 200);
      expect((await readUserIn(suite.server, importToken, touched)).title).toBe('Touched');
      const again = (await page(1)).Resources.map((u: Json) => u.id);
      expect(again).toEqual(first);
      const second = (await page(101)).Resources.map((u: Json) => u.id);
      expect(new Set([...again, ...second]).size).toBe(150);
    });

    it('a startIndex past the end → 200 with no Resources and the total', async () => {
      const last = await page(201);
      expect(last).toMatchObject({ totalResults: 150, startIndex: 201, itemsPerPage: 0, Resources: [] });
    });

    it('the import workspace is isolated from the main one', async () => {
      const list = expectList(await send('GET', `/Users?filter=${encodeURIComponent('userName eq "import000@okta.local"')}`));
      expect(list.totalResults).toBe(0);
    });
  });
});
