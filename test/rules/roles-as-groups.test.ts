import { beforeAll, describe, expect, it } from 'vitest';
import { createRole, listRoles, renameRole } from '../../src/directory/roles/roles.js';
import { addAppUser } from '../../src/directory/users/app-users.js';
import { expectScimError, expectStatus } from '../support/scim-assertions.js';
import { newUser, patchOps } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import {
  createUser,
  freshWorkspace,
  GROUP_SCHEMA,
  getGroup,
  getUser,
  groupOf,
  type Json,
  LIST_SCHEMA,
  logEntryFor,
  memberIds,
  snapshot,
  type Workspace,
} from './rules-support.js';

/**
 * The article: "awork User roles are mapped to the SCIM /Groups feature"; roles are only matched
 * (never created, renamed or deleted over SCIM), the guest role is never returned, and a user
 * holds exactly one role at a time.
 */
describe('roles as SCIM Groups', () => {
  const server = serverForSuite();
  let ws: Workspace;

  beforeAll(async () => {
    ws = await freshWorkspace(server, 'roles');
  });

  /** Creates `n` SCIM users in a workspace and returns their ids. */
  const users = async (w: Workspace, prefix: string, n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await createUser(w.scim, newUser(`${prefix}${i}@example.com`))).id);
    return ids;
  };
  const patchGroup = (w: Workspace, groupId: string, ...operations: unknown[]) =>
    w.scim.patch(`/Groups/${groupId}`, patchOps(...operations));
  const sorted = (ids: string[]) => [...ids].sort();

  describe('the roles of a new workspace', () => {
    it('are Admin (highest level), Member and Guest', async () => {
      const roles = await listRoles(server.store, ws.slug);
      expect(roles.map((r) => r.name).sort()).toEqual(['Admin', 'Guest', 'Member']);
      const byName = new Map(roles.map((r) => [r.name, r]));
      const admin = byName.get('Admin');
      const member = byName.get('Member');
      const guest = byName.get('Guest');
      expect(guest?.isGuest).toBe(true);
      expect(admin?.isGuest).toBe(false);
      expect(member?.isGuest).toBe(false);
      expect(Math.max(...roles.map((r) => r.level))).toBe(admin?.level);
      expect(admin?.level).toBeGreaterThan(member?.level as number);
    });

    it('GET /Groups lists Admin and Member only, never Guest', async () => {
      const response = await ws.scim.get('/Groups');
      expectStatus(response, 200);
      expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(response.body.schemas).toEqual([LIST_SCHEMA]);
      expect(response.body.totalResults).toBe(2);
      const groups = response.body.Resources as Json[];
      expect(groups.map((g) => g.displayName).sort()).toEqual(['Admin', 'Member']);
      expect(groups.map((g) => g.id).sort()).toEqual(sorted([ws.roles.admin, ws.roles.member]));
      for (const group of groups) {
        expect(group.schemas).toEqual([GROUP_SCHEMA]);
        expect(group.meta.resourceType).toBe('Group');
        expect(group.meta.location).toBe(`${server.scimUrl}/Groups/${group.id}`);
        expect(group.id).not.toBe(ws.roles.guest);
      }
      const byFilter = await ws.scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "Guest"')}`);
      expectStatus(byFilter, 200);
      expect(byFilter.body.totalResults).toBe(0);
      expect(byFilter.body.Resources ?? []).toEqual([]);
    });

    it('GET, PATCH and PUT of the guest role answer 404 and change nothing', async () => {
      const guest = await addAppUser(server.store, ws.slug, {
        email: 'guest.404@example.com',
        givenName: 'G',
        familyName: 'Uest',
        role: 'Guest',
      });
      const member = await createUser(ws.scim, newUser('guest404-member@example.com'));
      const before = await snapshot(ws.scim);
      expectScimError(await ws.scim.get(`/Groups/${ws.roles.guest}`), 404);
      expectScimError(await patchGroup(ws, ws.roles.guest, { op: 'add', path: 'members', value: [{ value: member.id }] }), 404);
      expectScimError(await patchGroup(ws, ws.roles.guest, { op: 'remove', path: 'members' }), 404);
      expectScimError(await ws.scim.put(`/Groups/${ws.roles.guest}`, { schemas: [GROUP_SCHEMA], displayName: 'Guest', members: [] }), 404);
      expect(await snapshot(ws.scim)).toStrictEqual(before);
      expect(await groupOf(ws.scim, member.id)).toBe(ws.roles.member);
      expect(await groupOf(ws.scim, guest.id)).toBeUndefined();
    });
  });

  describe('filters, projection and paging', () => {
    let w: Workspace;
    let assistants: string;

    beforeAll(async () => {
      w = await freshWorkspace(server, 'roles-filter');
      // Level 50: not the lowest non-guest level, so Member stays the default role.
      assistants = (await createRole(server.store, w.slug, 'Admin Assistants', 50)).id;
    });

    const groupsWhere = async (filter: string): Promise<Json[]> => {
      const response = await w.scim.get(`/Groups?filter=${encodeURIComponent(filter)}`);
      expectStatus(response, 200);
      expect(response.body.totalResults).toBe(response.body.Resources?.length ?? 0);
      return response.body.Resources ?? [];
    };

    it('displayName eq is an exact, case-insensitive match (not contains)', async () => {
      const exact = await groupsWhere('displayName eq "Admin"');
      expect(exact.map((g) => g.id)).toEqual([w.roles.admin]);
      const lower = await groupsWhere('displayName eq "admin"');
      expect(lower.map((g) => g.id)).toEqual([w.roles.admin]);
      expect((await groupsWhere('displayName eq "ADMIN ASSISTANTS"')).map((g) => g.id)).toEqual([assistants]);
      expect((await groupsWhere('displayName eq "Admin Assist"')).length).toBe(0);
      // A contains filter does find both, so the exact match above is not an accident of the data.
      expect((await groupsWhere('displayName co "admin"')).map((g) => g.id).sort()).toEqual(sorted([w.roles.admin, assistants]));
    });

    it('excludedAttributes=members and attributes=displayName omit members', async () => {
      const admin = await createUser(w.scim, newUser('projection@example.com'));
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: admin.id }] }), 204);
      const full = await getGroup(w.scim, w.roles.admin);
      expect(full.members.map((m: Json) => m.value)).toEqual([admin.id]);

      for (const query of ['excludedAttributes=members', 'attributes=displayName']) {
        const one = await w.scim.get(`/Groups/${w.roles.admin}?${query}`);
        expectStatus(one, 200);
        expect(one.body.members, query).toBeUndefined();
        expect(one.body.id).toBe(w.roles.admin);
        expect(one.body.displayName).toBe('Admin');
        const list = await w.scim.get(`/Groups?${query}`);
        expectStatus(list, 200);
        expect(list.body.totalResults).toBe(3);
        for (const group of list.body.Resources as Json[]) {
          expect(group.members, `${query} ${group.displayName}`).toBeUndefined();
          expect(typeof group.displayName).toBe('string');
        }
      }
    });

    it('pages with startIndex and count', async () => {
      const all = await w.scim.get('/Groups');
      expect(all.body.totalResults).toBe(3);
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= 3; startIndex++) {
        const page = await w.scim.get(`/Groups?startIndex=${startIndex}&count=1`);
        expectStatus(page, 200);
        expect(page.body.totalResults).toBe(3);
        expect(page.body.startIndex).toBe(startIndex);
        expect(page.body.itemsPerPage).toBe(1);
        expect(page.body.Resources).toHaveLength(1);
        seen.push(page.body.Resources[0].id);
      }
      expect(sorted(seen)).toEqual(sorted([w.roles.admin, w.roles.member, assistants]));
      expect(seen).toEqual((all.body.Resources as Json[]).map((g) => g.id));
      const past = await w.scim.get('/Groups?startIndex=4&count=1');
      expectStatus(past, 200);
      expect(past.body.totalResults).toBe(3);
      expect(past.body.Resources ?? []).toEqual([]);
      const none = await w.scim.get('/Groups?count=0');
      expect(none.body.totalResults).toBe(3);
      expect(none.body.Resources ?? []).toEqual([]);
    });
  });

  describe('membership', () => {
    it('PATCH add of several members in one op ("$ref": null) moves them to the role; repeating it is a no-op', async () => {
      const w = await freshWorkspace(server, 'm-add');
      const [a, b, c] = await users(w, 'add', 3);
      expect(await memberIds(w.scim, w.roles.member)).toEqual(sorted([a, b, c] as string[]));
      const add = {
        op: 'add',
        path: 'members',
        value: [
          { value: a, $ref: null },
          { value: b, $ref: null, display: 'B' },
        ],
      };
      expectStatus(await patchGroup(w, w.roles.admin, add), 204);

      expect(await memberIds(w.scim, w.roles.admin)).toEqual(sorted([a, b] as string[]));
      expect(await memberIds(w.scim, w.roles.member)).toEqual([c]);
      const group = await getGroup(w.scim, w.roles.admin);
      for (const member of group.members as Json[]) {
        expect(member.$ref).toBe(`${server.scimUrl}/Users/${member.value}`);
      }
      const userA = await getUser(w.scim, a as string);
      expect(userA.groups).toEqual([
        { value: w.roles.admin, $ref: `${server.scimUrl}/Groups/${w.roles.admin}`, display: 'Admin', type: 'direct' },
      ]);
      expect(await groupOf(w.scim, c as string)).toBe(w.roles.member);

      const usersBefore = await Promise.all([a, b, c].map((id) => getUser(w.scim, id as string)));
      expectStatus(await patchGroup(w, w.roles.admin, add), 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual(sorted([a, b] as string[]));
      const usersAfter = await Promise.all([a, b, c].map((id) => getUser(w.scim, id as string)));
      expect(usersAfter, 'an idempotent add rewrites no user').toStrictEqual(usersBefore);
    });

    it("Entra's membership check (id eq … and members[value eq …]) reflects the role a user holds", async () => {
      const w = await freshWorkspace(server, 'm-check');
      const [a, b] = await users(w, 'chk', 2);
      const check = async (groupId: string, userId: string): Promise<number> => {
        const filter = `id eq "${groupId}" and members[value eq "${userId}"]`;
        const response = await w.scim.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent(filter)}`);
        expectStatus(response, 200);
        for (const group of (response.body.Resources ?? []) as Json[]) expect(group.members).toBeUndefined();
        return response.body.totalResults;
      };
      expect(await check(w.roles.admin, a as string)).toBe(0);
      expect(await check(w.roles.member, a as string)).toBe(1);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      expect(await check(w.roles.admin, a as string)).toBe(1);
      expect(await check(w.roles.member, a as string)).toBe(0);
      expect(await check(w.roles.admin, b as string)).toBe(0);
      const byMember = await w.scim.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${a}"`)}`);
      expect((byMember.body.Resources as Json[]).map((g) => g.id)).toEqual([w.roles.admin]);
    });

    it('a membership change is a new version of the group and of the users it moves', async () => {
      const w = await freshWorkspace(server, 'm-ver');
      const [a, b] = await users(w, 'ver', 2);
      const adminBefore = await getGroup(w.scim, w.roles.admin);
      const memberBefore = await getGroup(w.scim, w.roles.member);
      const aBefore = await getUser(w.scim, a as string);
      const bBefore = await getUser(w.scim, b as string);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      const adminAfter = await getGroup(w.scim, w.roles.admin);
      expect(adminAfter.meta.version).not.toBe(adminBefore.meta.version);
      expect(Date.parse(adminAfter.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(adminBefore.meta.lastModified));
      const aAfter = await getUser(w.scim, a as string);
      expect(aAfter.meta.version).not.toBe(aBefore.meta.version);
      expect(await getUser(w.scim, b as string)).toStrictEqual(bBefore);
      // Member lost a member, so its representation changed too.
      const memberAfter = await getGroup(w.scim, w.roles.member);
      expect(memberAfter.members.map((m: Json) => m.value)).toEqual([b]);
      expect(memberAfter.meta.version, 'the role the user left has a new version as well').not.toBe(memberBefore.meta.version);
    });

    it('a user added to Admin leaves Member: one role at a time', async () => {
      const w = await freshWorkspace(server, 'm-one');
      const [a] = await users(w, 'one', 1);
      expect(await groupOf(w.scim, a as string)).toBe(w.roles.member);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual([a]);
      expect(await memberIds(w.scim, w.roles.member)).toEqual([]);
      expect(await groupOf(w.scim, a as string)).toBe(w.roles.admin);
      const byGroup = await w.scim.get(`/Users?filter=${encodeURIComponent(`groups.value eq "${w.roles.member}"`)}`);
      expectStatus(byGroup, 200);
      expect(byGroup.body.totalResults).toBe(0);
      // Adding to Member moves the user back: still one role.
      expectStatus(await patchGroup(w, w.roles.member, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual([]);
      expect(await groupOf(w.scim, a as string)).toBe(w.roles.member);
    });

    it('remove via members[value eq "id"] returns only that user to Member', async () => {
      const w = await freshWorkspace(server, 'm-rmf');
      const [a, b] = await users(w, 'rmf', 2);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }, { value: b }] }), 204);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'remove', path: `members[value eq "${a}"]` }), 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual([b]);
      expect(await groupOf(w.scim, a as string)).toBe(w.roles.member);
      expect(await groupOf(w.scim, b as string)).toBe(w.roles.admin);
    });

    it("Entra's Remove with a value list removes only the listed members", async () => {
      const w = await freshWorkspace(server, 'm-rmv');
      const [a, b, c] = await users(w, 'rmv', 3);
      const all = [{ value: a }, { value: b }, { value: c }];
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'Add', path: 'members', value: all }), 204);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'Remove', path: 'members', value: [{ value: b }] }), 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual(sorted([a, c] as string[]));
      expect(await memberIds(w.scim, w.roles.member)).toEqual([b]);
    });

    it('remove of members without a value returns every member to Member (the default role)', async () => {
      const w = await freshWorkspace(server, 'm-rma');
      const [a, b, c] = await users(w, 'rma', 3);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }, { value: b }] }), 204);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'remove', path: 'members' }), 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual([]);
      expect(await memberIds(w.scim, w.roles.member)).toEqual(sorted([a, b, c] as string[]));
      for (const id of [a, b, c]) expect(await groupOf(w.scim, id as string)).toBe(w.roles.member);
    });

    it('the default role is the lowest non-guest level: removed members go there', async () => {
      const w = await freshWorkspace(server, 'm-low');
      const trainee = await createRole(server.store, w.slug, 'Trainee', 5);
      const [a] = await users(w, 'low', 1);
      expect(await groupOf(w.scim, a as string), 'new users get the lowest non-guest role').toBe(trainee.id);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'remove', path: 'members' }), 204);
      expect(await groupOf(w.scim, a as string)).toBe(trainee.id);
    });

    it('replace of members sets the list; those dropped return to Member', async () => {
      const w = await freshWorkspace(server, 'm-rep');
      const [a, b, c] = await users(w, 'rep', 3);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }, { value: b }] }), 204);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'replace', path: 'members', value: [{ value: b }, { value: c }] }), 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual(sorted([b, c] as string[]));
      expect(await memberIds(w.scim, w.roles.member)).toEqual([a]);
    });

    it('a mixed remove and add in one request applies in order (Okta membership delta)', async () => {
      const w = await freshWorkspace(server, 'm-mix');
      const [a, b, c] = await users(w, 'mix', 3);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }, { value: b }] }), 204);
      const response = await patchGroup(
        w,
        w.roles.admin,
        { op: 'remove', path: `members[value eq "${a}"]` },
        { op: 'add', path: 'members', value: [{ value: c, display: 'c' }] },
      );
      expectStatus(response, 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual(sorted([b, c] as string[]));
      expect(await memberIds(w.scim, w.roles.member)).toEqual([a]);
    });

    it('a path-less replace with {"members": [...]} sets the list', async () => {
      const w = await freshWorkspace(server, 'm-pl');
      const [a, b, c] = await users(w, 'pl', 3);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'replace', value: { members: [{ value: b }, { value: c }] } }), 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual(sorted([b, c] as string[]));
      expect(await groupOf(w.scim, a as string)).toBe(w.roles.member);
    });

    it("Okta's path-less replace of {id, displayName} with the same name is a 204 no-op", async () => {
      const w = await freshWorkspace(server, 'm-okta');
      const [a] = await users(w, 'okta', 1);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      const before = await snapshot(w.scim);
      const groupBefore = await getGroup(w.scim, w.roles.admin);
      const response = await patchGroup(w, w.roles.admin, { op: 'replace', value: { id: w.roles.admin, displayName: 'Admin' } });
      expectStatus(response, 204);
      expect(response.body).toBeUndefined();
      expect(await memberIds(w.scim, w.roles.admin)).toEqual([a]);
      // A no-op writes nothing: the group (meta.version and lastModified included) reads back as before.
      expect(await getGroup(w.scim, w.roles.admin)).toStrictEqual(groupBefore);
      expect(await snapshot(w.scim)).toStrictEqual(before);
    });

    it('an unknown member id is skipped (204), the known ids are applied, and the log warns', async () => {
      const w = await freshWorkspace(server, 'm-unk');
      const other = await freshWorkspace(server, 'm-unk-other');
      const [a] = await users(w, 'unk', 1);
      const foreign = (await createUser(other.scim, newUser('foreign@example.com'))).id as string;
      const unknown = '01890000-0000-7000-8000-000000000000';
      const response = await patchGroup(w, w.roles.admin, {
        op: 'add',
        path: 'members',
        value: [{ value: unknown }, { value: a }, { value: foreign }],
      });
      expectStatus(response, 204);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual([a]);
      // The id of a user of another workspace is unknown here, and that user is untouched.
      expect(await groupOf(other.scim, foreign)).toBe(other.roles.member);
      const entry = await logEntryFor(server, w.workspaceId, response);
      expect(entry.method).toBe('PATCH');
      expect(entry.status).toBe(204);
      const warnings = entry.warnings.join('\n');
      expect(warnings).toContain(unknown);
      expect(warnings).toContain(foreign);
      expect(warnings).not.toContain(a as string);
    });

    it('PUT /Groups/{id} with members sets the list and answers 200 with the group', async () => {
      const w = await freshWorkspace(server, 'm-put');
      const [a, b, c] = await users(w, 'put', 3);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      const response = await w.scim.put(`/Groups/${w.roles.admin}`, {
        schemas: [GROUP_SCHEMA],
        id: w.roles.admin,
        displayName: 'Admin',
        members: [{ value: b }, { value: c }],
      });
      expectStatus(response, 200);
      expect(response.body.id).toBe(w.roles.admin);
      expect(response.body.displayName).toBe('Admin');
      expect((response.body.members as Json[]).map((m) => m.value).sort()).toEqual(sorted([b, c] as string[]));
      expect(await getGroup(w.scim, w.roles.admin)).toStrictEqual(response.body);
      expect(await groupOf(w.scim, a as string)).toBe(w.roles.member);
    });

    it('POST /Groups and DELETE /Groups/{id} answer 403 and change nothing', async () => {
      const w = await freshWorkspace(server, 'm-403');
      const [a] = await users(w, 'f', 1);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      const before = await snapshot(w.scim);
      const post = await w.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Contractors', members: [{ value: a }] });
      expectScimError(post, 403);
      const del = await w.scim.delete(`/Groups/${w.roles.admin}`);
      expectScimError(del, 403);
      expect(await snapshot(w.scim)).toStrictEqual(before);
      expect((await listRoles(server.store, w.slug)).map((r) => r.name).sort()).toEqual(['Admin', 'Guest', 'Member']);
    });

    it('PATCH replace of displayName with another name is 400 mutability and changes nothing', async () => {
      const w = await freshWorkspace(server, 'm-ren');
      const [a, b] = await users(w, 'ren', 2);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      const before = await snapshot(w.scim);
      expectScimError(await patchGroup(w, w.roles.admin, { op: 'replace', path: 'displayName', value: 'Owners' }), 400, 'mutability');
      // Together with a membership change: the whole request fails, nothing is applied.
      const mixed = await patchGroup(
        w,
        w.roles.admin,
        { op: 'add', path: 'members', value: [{ value: b }] },
        { op: 'replace', value: { displayName: 'Owners' } },
      );
      expectScimError(mixed, 400, 'mutability');
      const put = await w.scim.put(`/Groups/${w.roles.admin}`, { schemas: [GROUP_SCHEMA], displayName: 'Owners', members: [] });
      expectScimError(put, 400, 'mutability');
      expect(await snapshot(w.scim)).toStrictEqual(before);
      expect(await memberIds(w.scim, w.roles.admin)).toEqual([a]);
    });

    it('renaming a role in the app keeps its id; GET shows the new displayName', async () => {
      const w = await freshWorkspace(server, 'm-rename');
      const [a] = await users(w, 'rn', 1);
      expectStatus(await patchGroup(w, w.roles.admin, { op: 'add', path: 'members', value: [{ value: a }] }), 204);
      const renamed = await renameRole(server.store, w.slug, 'Admin', 'Administrators');
      expect(renamed.id).toBe(w.roles.admin);
      const group = await getGroup(w.scim, w.roles.admin);
      expect(group.displayName).toBe('Administrators');
      expect(group.members.map((m: Json) => m.value)).toEqual([a]);
      const user = await getUser(w.scim, a as string);
      expect(user.groups[0]).toMatchObject({ value: w.roles.admin, display: 'Administrators' });
      const old = await w.scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "Admin"')}`);
      expect(old.body.totalResults).toBe(0);
      // The IdP's next push with the new name is accepted (no rename over SCIM happens).
      const push = await patchGroup(w, w.roles.admin, { op: 'replace', value: { id: w.roles.admin, displayName: 'Administrators' } });
      expectStatus(push, 204);
    });

    it('removing a member from Member (the default role) keeps them in Member', async () => {
      const w = await freshWorkspace(server, 'm-def');
      const [a, b, c] = await users(w, 'def', 3);
      expectStatus(await patchGroup(w, w.roles.member, { op: 'remove', path: `members[value eq "${a}"]` }), 204);
      expectStatus(await patchGroup(w, w.roles.member, { op: 'Remove', path: 'members', value: [{ value: b }] }), 204);
      expectStatus(await patchGroup(w, w.roles.member, { op: 'remove', path: 'members' }), 204);
      expect(await memberIds(w.scim, w.roles.member)).toEqual(sorted([a, b, c] as string[]));
      for (const id of [a, b, c]) expect(await groupOf(w.scim, id as string)).toBe(w.roles.member);
    });
  });
});
