/**
 * Storage conformance, part 2: the user repository (round trips, optimistic versions, role
 * moves, seat counting), on the engine ROSTER_TEST_ENGINE selects.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import type { User, Workspace } from '../../src/directory/model.js';
import { ALL, addWorkspace, addWorkspaceWithRoles, conflictOf, rowCount, storeForSuite, team, user, userFilter } from './fixtures.js';

describe('user repository', () => {
  const handle = storeForSuite();
  const store = () => handle().store;

  const workspaceWithRoles = () => addWorkspaceWithRoles(store());

  /** A user with every optional attribute set. */
  function fullUser(ws: Workspace, roleId: string, teamIds: string[], managerId: string): User {
    return user(ws.id, roleId, 'Ann.Lee@Example.com', {
      email: 'Ann.Lee@Example.com',
      externalId: 'Ext-Ann',
      formattedName: 'Dr. Ann B. Lee PhD',
      familyName: 'Lee',
      givenName: 'Ann',
      middleName: 'B.',
      honorificPrefix: 'Dr.',
      honorificSuffix: 'PhD',
      displayName: 'Ann Lee',
      nickName: 'Annie',
      title: 'CTO',
      userType: 'Employee',
      preferredLanguage: 'de-DE',
      locale: 'de-DE',
      timezone: 'Europe/Berlin',
      employeeNumber: 'E-1',
      costCenter: 'CC',
      organization: 'Org',
      division: 'Div',
      department: 'Dept',
      managerId,
      active: false,
      scimManaged: false,
      lastSyncedAt: '2024-02-02T02:02:02.002Z',
      createdAt: '2024-01-01T01:01:01.001Z',
      updatedAt: '2024-03-03T03:03:03.003Z',
      version: 7,
      teamIds,
      contacts: {
        emails: [
          { value: 'Ann.Lee@Example.com', type: 'work', primary: true, display: 'Work' },
          { value: 'ann@home.example', type: 'home', primary: false },
          { value: 'no-type@example.com' },
        ],
        phoneNumbers: [
          { value: '+49 30 1234', type: 'work' },
          { value: '+49 170 000', type: 'mobile', primary: true, display: 'Mobile' },
        ],
        addresses: [
          {
            type: 'work',
            formatted: 'Hauptstr. 1\n10115 Berlin\nDE',
            streetAddress: 'Hauptstr. 1',
            locality: 'Berlin',
            region: 'BE',
            postalCode: '10115',
            country: 'DE',
            primary: true,
          },
          { type: 'home', locality: 'Potsdam' },
        ],
      },
    });
  }

  it('insert then byId returns the same user, contacts and teams in order; the account email comes back lower-cased', async () => {
    const { ws, member } = await workspaceWithRoles();
    const teams = [team(ws.id, 'Gamma'), team(ws.id, 'Alpha'), team(ws.id, 'Beta')];
    for (const t of teams) await store().read.teams.insert(t);
    const teamIds = [teams[0]?.id, teams[1]?.id, teams[2]?.id] as string[];
    const ann = fullUser(ws, member.id, teamIds, newId());
    await store().transaction((r) => r.users.insert(ann));
    // docs/attribute-mapping.md: "The account email is kept lower-cased for matching."
    expect(await store().read.users.byId(ws.id, ann.id)).toStrictEqual({ ...ann, email: 'ann.lee@example.com' });

    const minimal = user(ws.id, member.id, 'min@example.com');
    await store().read.users.insert(minimal);
    const read = await store().read.users.byId(ws.id, minimal.id);
    expect(read).toStrictEqual(minimal);
    // Attributes never set are absent, not undefined or null.
    expect(Object.keys(read ?? {}).sort()).toEqual(Object.keys(minimal).sort());
  });

  it('byId, byUserName and byEmail: exact workspace, case-insensitive userName and email', async () => {
    const { ws, member } = await workspaceWithRoles();
    const other = await addWorkspace(store());
    const pat = user(ws.id, member.id, 'Pat.Doe', { email: 'Pat@Example.COM' });
    await store().read.users.insert(pat);
    const expected = { ...pat, email: 'pat@example.com' };
    expect(await store().read.users.byId(ws.id, pat.id)).toStrictEqual(expected);
    expect(await store().read.users.byId(other.id, pat.id)).toBeUndefined();
    expect(await store().read.users.byId(ws.id, newId())).toBeUndefined();
    expect(await store().read.users.byUserName(ws.id, 'pat.doe')).toStrictEqual(expected);
    expect(await store().read.users.byUserName(ws.id, 'PAT.DOE')).toStrictEqual(expected);
    expect(await store().read.users.byUserName(ws.id, 'pat.do')).toBeUndefined();
    expect(await store().read.users.byUserName(other.id, 'Pat.Doe')).toBeUndefined();
    expect(await store().read.users.byEmail(ws.id, 'pat@example.com')).toStrictEqual(expected);
    expect(await store().read.users.byEmail(ws.id, 'PAT@EXAMPLE.COM')).toStrictEqual(expected);
    expect(await store().read.users.byEmail(ws.id, 'Pat.Doe')).toBeUndefined();
    expect(await store().read.users.byEmail(other.id, 'pat@example.com')).toBeUndefined();
  });

  it('byUserNameOrEmail answers byUserName and byEmail in one read', async () => {
    const { ws, member } = await workspaceWithRoles();
    const other = await addWorkspace(store());
    const pat = user(ws.id, member.id, 'Pat.Doe', { email: 'Pat@Example.COM' });
    const sam = user(ws.id, member.id, 'sam@example.com');
    for (const u of [pat, sam]) await store().read.users.insert(u);
    const stored = { ...pat, email: 'pat@example.com' };
    const match = (userName: string, email: string | undefined, workspaceId = ws.id) =>
      store().read.users.byUserNameOrEmail(workspaceId, userName, email);
    expect(await match('PAT.DOE', 'pat@EXAMPLE.com')).toStrictEqual({ byUserName: stored, byEmail: stored });
    expect(await match('pat.doe', undefined)).toStrictEqual({ byUserName: stored, byEmail: undefined });
    expect(await match('SAM@example.com', 'pat@example.com')).toStrictEqual({ byUserName: sam, byEmail: stored });
    expect(await match('nobody', 'PAT@example.com')).toStrictEqual({ byUserName: undefined, byEmail: stored });
    expect(await match('nobody', 'nobody@example.com')).toStrictEqual({ byUserName: undefined, byEmail: undefined });
    expect(await match('pat.doe', 'pat@example.com', other.id)).toStrictEqual({ byUserName: undefined, byEmail: undefined });
  });

  it('update writes only on the expected version and replaces contacts and teams', async () => {
    const { ws, member } = await workspaceWithRoles();
    const [red, blue, green] = [team(ws.id, 'Red'), team(ws.id, 'Blue'), team(ws.id, 'Green')];
    for (const t of [red, blue, green]) await store().read.teams.insert(t);
    const v1 = user(ws.id, member.id, 'upd@example.com', {
      title: 'Old',
      teamIds: [red.id, blue.id],
      contacts: { emails: [{ value: 'old@example.com', type: 'work' }], phoneNumbers: [{ value: '+1' }], addresses: [] },
    });
    await store().read.users.insert(v1);

    const v2: User = {
      ...v1,
      title: 'New',
      version: 2,
      updatedAt: '2024-06-01T00:00:00.000Z',
      teamIds: [green.id, red.id],
      contacts: {
        emails: [{ value: 'new@example.com', type: 'work' }, { value: 'new2@example.com' }],
        phoneNumbers: [],
        addresses: [{ locality: 'Kiel' }],
      },
    };
    expect(await store().transaction((r) => r.users.update(v2, 1))).toBe(true);
    expect(await store().read.users.byId(ws.id, v1.id)).toStrictEqual(v2);

    // A writer that read version 1 is refused, and nothing of its change lands.
    const stale: User = {
      ...v1,
      title: 'Stale',
      version: 2,
      teamIds: [blue.id],
      contacts: { emails: [{ value: 'stale@example.com' }], phoneNumbers: [], addresses: [] },
    };
    expect(await store().transaction((r) => r.users.update(stale, 1))).toBe(false);
    expect(await store().read.users.byId(ws.id, v1.id)).toStrictEqual(v2);

    // An unknown user is not updated.
    expect(await store().read.users.update({ ...v2, id: newId() }, 2)).toBe(false);

    // The contact index follows the update: filters see the new values only.
    const search = async (filter: string) => (await store().read.users.search(ws.id, { ...ALL, filter: userFilter(filter) })).total;
    expect(await search('emails.value eq "old@example.com"')).toBe(0);
    expect(await search('emails.value eq "stale@example.com"')).toBe(0);
    expect(await search('emails.value eq "new2@example.com"')).toBe(1);
    expect(await search('phoneNumbers pr')).toBe(0);
    expect(await search('addresses.locality eq "kiel"')).toBe(1);
    expect(await search(`urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams eq "Blue"`)).toBe(0);
    expect(await search(`urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams eq "Green"`)).toBe(1);
  });

  it('byIds returns the users of the workspace it was asked for, leaving unknown ids out', async () => {
    const { ws, member } = await workspaceWithRoles();
    const other = await workspaceWithRoles();
    const a = user(ws.id, member.id, 'a@example.com');
    const b = user(ws.id, member.id, 'b@example.com', { teamIds: [newId()] });
    const c = user(ws.id, member.id, 'c@example.com');
    const foreign = user(other.ws.id, other.member.id, 'f@example.com');
    for (const u of [a, b, c, foreign]) await store().read.users.insert(u);
    const found = await store().read.users.byIds(ws.id, [b.id, newId(), a.id, foreign.id, 'not-an-id']);
    const byId = (x: User, y: User) => x.id.localeCompare(y.id);
    expect([...found].sort(byId)).toStrictEqual([a, b].sort(byId));
    expect(await store().read.users.byIds(ws.id, [])).toEqual([]);
    expect(await store().read.users.byIds(ws.id, [newId()])).toEqual([]);
  });

  it('nameParts maps known ids to their set name parts only', async () => {
    const { ws, member } = await workspaceWithRoles();
    const full = user(ws.id, member.id, 'full@example.com', {
      displayName: 'Full Name',
      formattedName: 'Ms. Full N. Name',
      givenName: 'Full',
      middleName: 'N.',
      familyName: 'Name',
      title: 'Not a name part',
    });
    const bare = user(ws.id, member.id, 'bare@example.com', { familyName: 'Only' });
    for (const u of [full, bare]) await store().read.users.insert(u);
    const parts = await store().read.users.nameParts(ws.id, [full.id, bare.id, newId()]);
    expect([...parts.entries()].sort(([x], [y]) => x.localeCompare(y))).toStrictEqual(
      [
        [
          full.id,
          {
            userName: 'full@example.com',
            displayName: 'Full Name',
            formattedName: 'Ms. Full N. Name',
            givenName: 'Full',
            middleName: 'N.',
            familyName: 'Name',
          },
        ],
        [bare.id, { userName: 'bare@example.com', familyName: 'Only' }],
      ].sort(([x], [y]) => (x as string).localeCompare(y as string)),
    );
    expect((await store().read.users.nameParts(ws.id, [])).size).toBe(0);
  });

  it('membersOf lists the SCIM-visible holders of the roles, in id order', async () => {
    const { ws, member, admin, guest } = await workspaceWithRoles();
    const ids = [0, 1, 2, 3, 4].map((i) => newId(Date.UTC(2024, 0, 1) + i));
    const m1 = user(ws.id, member.id, 'm1@example.com', { id: ids[0], givenName: 'Em', familyName: 'One' });
    const a1 = user(ws.id, admin.id, 'a1@example.com', { id: ids[1], displayName: 'Admin One' });
    const gone = user(ws.id, member.id, 'gone@example.com', { id: ids[2], scimDeleted: true, active: false });
    const g1 = user(ws.id, guest.id, 'g1@example.com', { id: ids[3] });
    const m2 = user(ws.id, member.id, 'm2@example.com', { id: ids[4], active: false });
    for (const u of [m2, g1, gone, a1, m1]) await store().read.users.insert(u);
    expect(await store().read.users.membersOf(ws.id, [member.id, admin.id])).toStrictEqual([
      { roleId: member.id, userId: m1.id, name: { userName: 'm1@example.com', givenName: 'Em', familyName: 'One' } },
      { roleId: admin.id, userId: a1.id, name: { userName: 'a1@example.com', displayName: 'Admin One' } },
      { roleId: member.id, userId: m2.id, name: { userName: 'm2@example.com' } },
    ]);
    expect(await store().read.users.membersOf(ws.id, [guest.id])).toStrictEqual([
      { roleId: guest.id, userId: g1.id, name: { userName: 'g1@example.com' } },
    ]);
    expect(await store().read.users.membersOf(ws.id, [])).toEqual([]);
    expect(await store().read.users.membersOf(ws.id, [newId()])).toEqual([]);
  });

  it('assignRole moves users in one statement and counts only those whose role changed', async () => {
    const { ws, member, admin } = await workspaceWithRoles();
    const other = await workspaceWithRoles();
    const a = user(ws.id, member.id, 'a@example.com');
    const b = user(ws.id, member.id, 'b@example.com', { version: 4 });
    const already = user(ws.id, admin.id, 'already@example.com');
    const foreign = user(other.ws.id, other.member.id, 'foreign@example.com');
    for (const u of [a, b, already, foreign]) await store().read.users.insert(u);
    const at = '2024-07-01T00:00:00.000Z';
    const changed = await store().transaction((r) =>
      r.users.assignRole(ws.id, [a.id, b.id, already.id, foreign.id, newId()], admin.id, at),
    );
    expect(changed).toBe(2);
    expect(await store().read.users.byId(ws.id, a.id)).toStrictEqual({
      ...a,
      roleId: admin.id,
      version: 2,
      updatedAt: at,
      lastSyncedAt: at,
    });
    expect(await store().read.users.byId(ws.id, b.id)).toStrictEqual({
      ...b,
      roleId: admin.id,
      version: 5,
      updatedAt: at,
      lastSyncedAt: at,
    });
    expect(await store().read.users.byId(ws.id, already.id)).toStrictEqual(already);
    expect(await store().read.users.byId(other.ws.id, foreign.id)).toStrictEqual(foreign);
    // Again: nobody changes.
    expect(await store().read.users.assignRole(ws.id, [a.id, b.id], admin.id, at)).toBe(0);
    expect(await store().read.users.assignRole(ws.id, [], admin.id, at)).toBe(0);
  });

  it('reassignRole moves every SCIM-visible holder and leaves removed users where they are', async () => {
    const { ws, member, admin, guest } = await workspaceWithRoles();
    const x = user(ws.id, admin.id, 'x@example.com');
    const y = user(ws.id, admin.id, 'y@example.com', { active: false });
    const removed = user(ws.id, admin.id, 'removed@example.com', { scimDeleted: true, active: false });
    const stays = user(ws.id, member.id, 'stays@example.com');
    for (const u of [x, y, removed, stays]) await store().read.users.insert(u);
    const at = '2024-08-01T00:00:00.000Z';
    expect(await store().transaction((r) => r.users.reassignRole(ws.id, admin.id, guest.id, at))).toBe(2);
    expect(await store().read.users.byId(ws.id, x.id)).toStrictEqual({
      ...x,
      roleId: guest.id,
      version: 2,
      updatedAt: at,
      lastSyncedAt: at,
    });
    expect(await store().read.users.byId(ws.id, y.id)).toStrictEqual({
      ...y,
      roleId: guest.id,
      version: 2,
      updatedAt: at,
      lastSyncedAt: at,
    });
    expect(await store().read.users.byId(ws.id, removed.id)).toStrictEqual(removed);
    expect(await store().read.users.byId(ws.id, stays.id)).toStrictEqual(stays);
    expect(await store().read.users.reassignRole(ws.id, admin.id, guest.id, at)).toBe(0);
  });

  it('insertMany writes many users with contacts and team links, past the statement chunk sizes', async () => {
    const { ws, member, guest } = await workspaceWithRoles();
    const [t1, t2, t3] = [team(ws.id, 'T1'), team(ws.id, 'T2'), team(ws.id, 'T3')];
    for (const t of [t1, t2, t3]) await store().read.teams.insert(t);
    const base = Date.UTC(2024, 0, 1);
    const many = Array.from({ length: 450 }, (_, i) =>
      user(ws.id, i % 10 === 0 ? guest.id : member.id, `Bulk${String(i).padStart(3, '0')}@Example.com`, {
        id: newId(base + i),
        familyName: `Family ${i}`,
        active: i % 3 !== 0,
        teamIds: i % 2 ? [t3.id, t1.id] : [t2.id],
        contacts: {
          emails: [
            { value: `Bulk${i}@Example.com`, type: 'work', primary: true },
            { value: `bulk${i}@home.example`, type: 'home' },
            { value: `bulk${i}@other.example` },
          ],
          phoneNumbers: [],
          addresses: [],
        },
      }),
    );
    await store().transaction((r) => r.users.insertMany(many));
    await store().read.users.insertMany([]);
    const read = await store().read.users.byIds(
      ws.id,
      many.map((u) => u.id),
    );
    expect([...read].sort((x, y) => x.id.localeCompare(y.id))).toStrictEqual(many.map((u) => ({ ...u, email: u.email.toLowerCase() })));
    expect(await rowCount(handle().database.url, 'user_contacts', ws.id)).toBe(1350);
    expect(await rowCount(handle().database.url, 'user_teams', ws.id)).toBe(675);
    const total = async (filter: string) => (await store().read.users.search(ws.id, { ...ALL, filter: userFilter(filter) })).total;
    expect(await total('emails[type eq "home" and value sw "bulk44"]')).toBe(11);
    expect(await total('urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams eq "T3"')).toBe(225);
    // 450 users, every third inactive (150), every tenth a guest (45), every thirtieth both (15).
    expect(await store().read.users.countSeatsUsed(ws.id)).toBe(450 - 150 - 45 + 15);
  });

  it('insertMany refuses a taken userName with users_user_name, and the transaction writes none of the batch', async () => {
    const { ws, member } = await workspaceWithRoles();
    await store().read.users.insert(user(ws.id, member.id, 'taken@example.com'));
    const batch = [
      user(ws.id, member.id, 'fresh1@example.com'),
      user(ws.id, member.id, 'TAKEN@example.com'),
      user(ws.id, member.id, 'fresh2@example.com'),
    ];
    expect((await conflictOf(store().transaction((r) => r.users.insertMany(batch)))).constraint).toBe('users_user_name');
    expect(await store().read.users.byUserName(ws.id, 'fresh1@example.com')).toBeUndefined();
    expect(await rowCount(handle().database.url, 'users', ws.id)).toBe(1);
    const twice = [user(ws.id, member.id, 'twin@example.com'), user(ws.id, member.id, 'Twin@Example.com')];
    expect((await conflictOf(store().transaction((r) => r.users.insertMany(twice)))).constraint).toBe('users_user_name');
    expect(await rowCount(handle().database.url, 'users', ws.id)).toBe(1);
  });

  it('countSeatsUsed counts active users holding a non-guest role, per workspace', async () => {
    const { ws, member, admin, guest } = await workspaceWithRoles();
    const other = await workspaceWithRoles();
    const users = [
      user(ws.id, member.id, 'active-member@example.com'),
      user(ws.id, admin.id, 'active-admin@example.com'),
      user(ws.id, member.id, 'inactive-member@example.com', { active: false }),
      user(ws.id, guest.id, 'active-guest@example.com'),
      user(ws.id, member.id, 'deleted@example.com', { active: false, scimDeleted: true }),
      user(other.ws.id, other.member.id, 'elsewhere@example.com'),
    ];
    for (const u of users) await store().read.users.insert(u);
    expect(await store().read.users.countSeatsUsed(ws.id)).toBe(2);
    expect(await store().read.users.countSeatsUsed(other.ws.id)).toBe(1);
    expect(await store().read.users.countSeatsUsed(newId())).toBe(0);
    expect(await store().transaction((r) => r.workspaces.seatUsage(ws.id))).toEqual({ seats: ws.seats, used: 2 });
    expect(await store().transaction((r) => r.workspaces.seatUsage(other.ws.id))).toEqual({ seats: other.ws.seats, used: 1 });
    expect(await store().transaction((r) => r.workspaces.seatUsage(newId()))).toBeUndefined();
  });
});
