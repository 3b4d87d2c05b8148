import { describe, expect, it } from 'vitest';
import { createRole } from '../../src/directory/roles/roles.js';
import { addAppUser, listAppUsers } from '../../src/directory/users/app-users.js';
import { expectScimError, expectStatus } from '../support/scim-assertions.js';
import { newUser, patchOps, USER_SCHEMA } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import {
  createUser,
  databaseText,
  filterUsers,
  freshWorkspace,
  getUser,
  groupOf,
  type Json,
  logEntryFor,
  memberIds,
  snapshot,
  userTotal,
  type Workspace,
} from './rules-support.js';

/**
 * The user lifecycle rules of the reference article: imported users get the lowest non-guest
 * role, existing app users are matched (by userName or account email) instead of duplicated,
 * guests stay guests unless the Groups feature says otherwise, deactivation and DELETE keep the
 * person in the app.
 */
describe('user lifecycle', () => {
  const server = serverForSuite();

  const appUser = async (w: Workspace, email: string, role?: string) =>
    addAppUser(server.store, w.slug, { email, givenName: 'App', familyName: 'User', ...(role ? { role } : {}) });
  const appUserRecord = async (w: Workspace, id: string) => {
    const found = (await listAppUsers(server.store, w.slug)).find((u) => u.id === id);
    expect(found, `app user ${id}`).toBeDefined();
    return found as NonNullable<typeof found>;
  };

  describe('new SCIM users', () => {
    it('get Member, the lowest non-guest role', async () => {
      const w = await freshWorkspace(server, 'u-new');
      const created = await createUser(w.scim, newUser('new.member@example.com'));
      expect(created.groups).toEqual([
        { value: w.roles.member, $ref: `${server.scimUrl}/Groups/${w.roles.member}`, display: 'Member', type: 'direct' },
      ]);
      expect(await groupOf(w.scim, created.id)).toBe(w.roles.member);
      expect(await memberIds(w.scim, w.roles.member)).toEqual([created.id]);
      expect((await appUserRecord(w, created.id)).roleId).toBe(w.roles.member);
    });

    it('get whichever non-guest role has the lowest level, never Guest', async () => {
      const w = await freshWorkspace(server, 'u-low');
      const viewer = await createRole(server.store, w.slug, 'Viewer', 1);
      const created = await createUser(w.scim, newUser('viewer@example.com'));
      expect(await groupOf(w.scim, created.id)).toBe(viewer.id);
      expect((await appUserRecord(w, created.id)).roleId).not.toBe(w.roles.guest);
    });
  });

  describe('matching existing app users', () => {
    it('an app user is visible over SCIM and found by userName eq (any case)', async () => {
      const w = await freshWorkspace(server, 'u-find');
      const user = await appUser(w, 'ada@example.com');
      const found = await filterUsers(w.scim, 'userName eq "ADA@Example.com"');
      expect(found.map((u) => u.id)).toEqual([user.id]);
      expect(found[0]).toMatchObject({
        userName: 'ada@example.com',
        active: true,
        name: { givenName: 'App', familyName: 'User' },
        emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      });
      expect(found[0]?.groups[0].value).toBe(w.roles.member);
    });

    it('a POST with the same userName in another case adopts the app user (same id, 201, now managed)', async () => {
      const w = await freshWorkspace(server, 'u-adopt');
      const user = await appUser(w, 'grace@example.com');
      expect((await appUserRecord(w, user.id)).scimManaged).toBe(false);
      const total = await userTotal(w.scim);
      const response = await w.scim.post(
        '/Users',
        newUser('Grace@Example.COM', {
          name: { givenName: 'Grace', familyName: 'Hopper' },
          emails: [{ value: 'grace@example.com', type: 'work' }],
        }),
      );
      expectStatus(response, 201);
      expect(response.body.id).toBe(user.id);
      expect(await userTotal(w.scim)).toBe(total);
      const read = await getUser(w.scim, user.id);
      expect(read.name).toMatchObject({ givenName: 'Grace', familyName: 'Hopper' });
      expect(read).toStrictEqual(response.body);
      const record = await appUserRecord(w, user.id);
      expect(record.scimManaged).toBe(true);
      expect(record.roleId).toBe(w.roles.member);
      expect((await listAppUsers(server.store, w.slug)).filter((u) => u.email === 'grace@example.com')).toHaveLength(1);
    });

    it('a POST with another userName but the account email as work email adopts the app user', async () => {
      const w = await freshWorkspace(server, 'u-email');
      const user = await appUser(w, 'john.doe@example.com');
      const total = await userTotal(w.scim);
      const response = await w.scim.post(
        '/Users',
        newUser('jdoe', { emails: [{ value: 'john.doe@example.com', type: 'work', primary: true }] }),
      );
      expectStatus(response, 201);
      expect(response.body.id).toBe(user.id);
      expect(response.body.userName).toBe('jdoe');
      expect(await userTotal(w.scim)).toBe(total);
      expect((await filterUsers(w.scim, 'userName eq "jdoe"')).map((u) => u.id)).toEqual([user.id]);
      expect(await filterUsers(w.scim, 'userName eq "john.doe@example.com"')).toEqual([]);
      expect((await appUserRecord(w, user.id)).scimManaged).toBe(true);
      expect(await listAppUsers(server.store, w.slug)).toHaveLength(1);
    });

    it('a second POST of a SCIM-managed userName is 409 uniqueness and writes nothing', async () => {
      const w = await freshWorkspace(server, 'u-409');
      const first = await createUser(w.scim, newUser('dup@example.com', { title: 'First' }));
      const before = await snapshot(w.scim);
      expectScimError(await w.scim.post('/Users', newUser('DUP@example.com', { title: 'Second' })), 409, 'uniqueness');
      expectScimError(await w.scim.post('/Users', newUser('dup@example.com', { title: 'Third' })), 409, 'uniqueness');
      expect(await snapshot(w.scim)).toStrictEqual(before);
      expect((await getUser(w.scim, first.id)).title).toBe('First');
    });
  });

  describe('userName changes', () => {
    it('PATCH renames the userName; renaming onto a taken userName is 409 and changes nothing', async () => {
      const w = await freshWorkspace(server, 'u-rename');
      const a = await createUser(w.scim, newUser('alice@example.com'));
      const b = await createUser(w.scim, newUser('bob@example.com'));
      const renamed = await w.scim.patch(`/Users/${a.id}`, patchOps({ op: 'replace', path: 'userName', value: 'alice.smith@example.com' }));
      expectStatus(renamed, 200);
      expect(renamed.body.userName).toBe('alice.smith@example.com');
      const read = await getUser(w.scim, a.id);
      expect(read.userName).toBe('alice.smith@example.com');
      expect(read.meta.version).not.toBe(a.meta.version);
      expect(await filterUsers(w.scim, 'userName eq "alice@example.com"')).toEqual([]);
      expect((await filterUsers(w.scim, 'userName eq "alice.smith@example.com"')).map((u) => u.id)).toEqual([a.id]);

      const before = await snapshot(w.scim);
      expectScimError(
        await w.scim.patch(`/Users/${a.id}`, patchOps({ op: 'replace', path: 'userName', value: 'bob@example.com' })),
        409,
        'uniqueness',
      );
      expectScimError(
        await w.scim.patch(`/Users/${a.id}`, patchOps({ op: 'replace', value: { userName: 'BOB@example.com' } })),
        409,
        'uniqueness',
      );
      expectScimError(await w.scim.put(`/Users/${a.id}`, newUser('Bob@Example.com')), 409, 'uniqueness');
      expect(await snapshot(w.scim)).toStrictEqual(before);
      expect((await getUser(w.scim, b.id)).userName).toBe('bob@example.com');
    });
  });

  describe('guest users', () => {
    it('a guest can be updated over SCIM and stays a guest until the Groups feature assigns a role', async () => {
      const w = await freshWorkspace(server, 'u-guest');
      const guest = await appUser(w, 'visitor@partner.example', 'Guest');
      const visible = await getUser(w.scim, guest.id);
      expect(visible.groups).toBeUndefined();
      expect(await memberIds(w.scim, w.roles.member)).toEqual([]);

      // Another guest matched by a POST (the IdP's first sync) keeps the guest role too.
      const other = await appUser(w, 'auditor@partner.example', 'Guest');
      const adopted = await w.scim.post('/Users', newUser('auditor@partner.example', { title: 'Auditor' }));
      expectStatus(adopted, 201);
      expect(adopted.body.id).toBe(other.id);
      expect(adopted.body.groups).toBeUndefined();
      expect((await getUser(w.scim, other.id)).title).toBe('Auditor');
      expect((await appUserRecord(w, other.id)).roleId).toBe(w.roles.guest);

      const patched = await w.scim.patch(
        `/Users/${guest.id}`,
        patchOps({ op: 'replace', path: 'title', value: 'Consultant' }, { op: 'replace', path: 'name.givenName', value: 'Vera' }),
      );
      expectStatus(patched, 200);
      expect(patched.body.groups).toBeUndefined();
      const read = await getUser(w.scim, guest.id);
      expect(read.title).toBe('Consultant');
      expect(read.name.givenName).toBe('Vera');
      expect(read.groups).toBeUndefined();
      expect((await appUserRecord(w, guest.id)).roleId).toBe(w.roles.guest);

      // A PUT keeps the guest role as well.
      expectStatus(await w.scim.put(`/Users/${guest.id}`, newUser('visitor@partner.example', { title: 'Partner' })), 200);
      expect((await getUser(w.scim, guest.id)).groups).toBeUndefined();

      const join = await w.scim.patch(`/Groups/${w.roles.member}`, patchOps({ op: 'add', path: 'members', value: [{ value: guest.id }] }));
      expectStatus(join, 204);
      expect(await groupOf(w.scim, guest.id)).toBe(w.roles.member);
      expect(await memberIds(w.scim, w.roles.member)).toEqual([guest.id]);
      expect((await appUserRecord(w, guest.id)).roleId).toBe(w.roles.member);
    });
  });

  describe('active', () => {
    it('accepts "True", "false" and "FALSE" strings (Entra, OneLogin) and rejects other strings', async () => {
      const w = await freshWorkspace(server, 'u-active');
      const created = await createUser(w.scim, newUser('strings@example.com', { active: 'false' }));
      expect(created.active).toBe(false);
      expect((await getUser(w.scim, created.id)).active).toBe(false);

      expectStatus(await w.scim.patch(`/Users/${created.id}`, patchOps({ op: 'Replace', path: 'active', value: 'True' })), 200);
      expect((await getUser(w.scim, created.id)).active).toBe(true);
      expectStatus(await w.scim.patch(`/Users/${created.id}`, patchOps({ op: 'Replace', path: 'active', value: 'FALSE' })), 200);
      expect((await getUser(w.scim, created.id)).active).toBe(false);
      expectStatus(await w.scim.put(`/Users/${created.id}`, newUser('strings@example.com', { active: 'True' })), 200);
      expect((await getUser(w.scim, created.id)).active).toBe(true);
      expectStatus(await w.scim.put(`/Users/${created.id}`, newUser('strings@example.com', { active: 'false' })), 200);
      expect((await getUser(w.scim, created.id)).active).toBe(false);

      const before = await snapshot(w.scim);
      expectScimError(
        await w.scim.patch(`/Users/${created.id}`, patchOps({ op: 'replace', path: 'active', value: 'yes' })),
        400,
        'invalidValue',
      );
      expectScimError(await w.scim.post('/Users', newUser('bad-active@example.com', { active: 'enabled' })), 400, 'invalidValue');
      expect(await snapshot(w.scim)).toStrictEqual(before);
    });

    it('a deactivated user stays readable by id and by filter with active false', async () => {
      const w = await freshWorkspace(server, 'u-deact');
      const created = await createUser(w.scim, newUser('leaver@example.com'));
      const other = await createUser(w.scim, newUser('stayer@example.com'));
      const response = await w.scim.patch(`/Users/${created.id}`, patchOps({ op: 'replace', path: 'active', value: false }));
      expectStatus(response, 200);
      expect(response.body.active).toBe(false);
      const read = await getUser(w.scim, created.id);
      expect(read.active).toBe(false);
      expect(read.userName).toBe('leaver@example.com');
      expect((await filterUsers(w.scim, 'active eq false')).map((u) => u.id)).toEqual([created.id]);
      expect((await filterUsers(w.scim, 'userName eq "leaver@example.com"')).map((u) => u.active)).toEqual([false]);
      expect((await filterUsers(w.scim, 'active eq true')).map((u) => u.id)).toEqual([other.id]);
      expect(await userTotal(w.scim)).toBe(2);
      expect((await appUserRecord(w, created.id)).active).toBe(false);
    });
  });

  describe('DELETE', () => {
    it('answers 204, then 404 by id and absent from filters; the app keeps the user, deactivated', async () => {
      const w = await freshWorkspace(server, 'u-del');
      const gone = await createUser(w.scim, newUser('gone@example.com'));
      const kept = await createUser(w.scim, newUser('kept@example.com'));
      const response = await w.scim.delete(`/Users/${gone.id}`);
      expectStatus(response, 204);
      expect(response.body).toBeUndefined();
      expectScimError(await w.scim.get(`/Users/${gone.id}`), 404);
      expect(await filterUsers(w.scim, 'userName eq "gone@example.com"')).toEqual([]);
      expect(await filterUsers(w.scim, 'active eq false')).toEqual([]);
      expect((await w.scim.get('/Users')).body.Resources.map((u: Json) => u.id)).toEqual([kept.id]);
      expect(await memberIds(w.scim, w.roles.member)).toEqual([kept.id]);
      expectScimError(await w.scim.delete(`/Users/${gone.id}`), 404);
      expectScimError(await w.scim.patch(`/Users/${gone.id}`, patchOps({ op: 'replace', path: 'active', value: true })), 404);
      expectScimError(await w.scim.put(`/Users/${gone.id}`, newUser('gone@example.com')), 404);
      const record = await appUserRecord(w, gone.id);
      expect(record.active).toBe(false);
      expect(record.scimDeleted).toBe(true);
      expect(record.userName).toBe('gone@example.com');
    });

    it('a POST of the same userName afterwards brings the same person back, active', async () => {
      const w = await freshWorkspace(server, 'u-back');
      const gone = await createUser(w.scim, newUser('boomerang@example.com', { title: 'Engineer' }));
      expectStatus(await w.scim.delete(`/Users/${gone.id}`), 204);
      const back = await w.scim.post('/Users', newUser('boomerang@example.com'));
      expectStatus(back, 201);
      expect(back.body.id).toBe(gone.id);
      expect(back.body.active).toBe(true);
      const read = await getUser(w.scim, gone.id);
      expect(read.active).toBe(true);
      expect(await userTotal(w.scim)).toBe(1);
      const record = await appUserRecord(w, gone.id);
      expect(record.active).toBe(true);
      expect(record.scimDeleted).toBe(false);
      expect(await listAppUsers(server.store, w.slug)).toHaveLength(1);
    });
  });

  describe('PUT', () => {
    it('leaves attributes the body omits unchanged', async () => {
      const w = await freshWorkspace(server, 'u-put');
      const created = await createUser(
        w.scim,
        newUser('keeper@example.com', {
          externalId: 'ext-keeper',
          title: 'Architect',
          timezone: 'Europe/Berlin',
          preferredLanguage: 'de-DE',
          phoneNumbers: [{ value: '+49 30 1234', type: 'work' }],
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
        }),
      );
      const response = await w.scim.put(`/Users/${created.id}`, {
        schemas: [USER_SCHEMA],
        userName: 'keeper@example.com',
        displayName: 'The Keeper',
      });
      expectStatus(response, 200);
      const read = await getUser(w.scim, created.id);
      expect(read).toStrictEqual(response.body);
      expect(read.displayName).toBe('The Keeper');
      const { displayName: _d, meta: _m, ...rest } = read;
      const { displayName: _d0, meta: _m0, ...restBefore } = created;
      expect(rest).toStrictEqual(restBefore);
      expect(read.meta.version).not.toBe(created.meta.version);
    });
  });

  describe('password', () => {
    it('is never echoed, and never stored', async () => {
      const w = await freshWorkspace(server, 'u-pw');
      const marker = `pw-${process.pid}-${Date.now()}`;
      const password = `S3cret!${marker}`;
      const userName = `${marker}@example.com`;
      const response = await w.scim.post('/Users', newUser(userName, { password }));
      expectStatus(response, 201);
      expect(JSON.stringify(response.body)).not.toContain(password);
      expect(response.body.password).toBeUndefined();
      const id = response.body.id as string;
      const patched = await w.scim.patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'password', value: `${password}-2` }));
      expect(JSON.stringify(patched.body ?? {})).not.toContain(password);
      const put = await w.scim.put(`/Users/${id}`, newUser(userName, { password: `${password}-3` }));
      expect(JSON.stringify(put.body ?? {})).not.toContain(password);
      const read = await w.scim.get(`/Users/${id}`);
      expect(JSON.stringify(read.body)).not.toContain(password);
      expect(read.body.password).toBeUndefined();
      expect(JSON.stringify(await w.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`))).not.toContain(password);
      expect(JSON.stringify(await listAppUsers(server.store, w.slug))).not.toContain(password);
      const entry = await logEntryFor(server, w.workspaceId, response);
      expect(JSON.stringify(entry)).not.toContain(password);

      // Whatever the engine, the stored data holds the user but not the password.
      const stored = await databaseText(server.database);
      expect(stored.includes(userName), 'the test server database was read').toBe(true);
      expect(stored.includes(password)).toBe(false);
    });
  });
});
