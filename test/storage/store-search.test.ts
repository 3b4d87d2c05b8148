/**
 * Storage conformance, part 3: the user search (filters compiled to SQL, sorting, paging) and
 * the Groups view of roles, over one fixed fixture (see fixtures.ts). The expected user sets are
 * the same on SQLite and PostgreSQL.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import type { Role } from '../../src/directory/model.js';
import type { UserQuery } from '../../src/directory/ports.js';
import {
  ALL,
  addWorkspace,
  ENTERPRISE,
  groupFilter,
  role,
  SEARCH_USER_NAMES,
  type SearchFixture,
  type SearchUserName,
  seedSearchFixture,
  storeForSuite,
  TEAMS,
  user,
  userFilter,
  userSort,
} from './fixtures.js';

const A = 'alice@x.com';
const B = 'Bob@X.com';
const C = 'carol';
const D = 'dave@x.com';
const E5 = 'eve_99@x.com';
const E6 = 'eve199@x.com';
const G = 'grace%off@x.com';
const H = 'hoffman@x.com';
const I = 'ivan@x.com';
const J = 'judy@x.com';
const K = 'kurt@x.com';
const L = 'leo@x.com';

/** Every SCIM-visible user (all but ivan, removed by DELETE), in creation (= id) order. */
const VISIBLE: SearchUserName[] = [A, B, C, D, E5, E6, G, H, J, K, L];
const except = (...names: SearchUserName[]) => VISIBLE.filter((n) => !names.includes(n));

interface FilterCase {
  readonly filter: string | ((f: SearchFixture) => string);
  /** userNames in the default order (creation order). */
  readonly expected: readonly SearchUserName[];
  readonly scimVisibleOnly?: boolean;
}

const FILTERS: readonly FilterCase[] = [
  // userName: case-insensitive, every operator.
  { filter: 'userName eq "bob@x.com"', expected: [B] },
  { filter: 'userName eq "ALICE@X.COM"', expected: [A] },
  { filter: 'userName ne "alice@x.com"', expected: except(A) },
  { filter: 'userName co "EVE"', expected: [E5, E6] },
  { filter: 'userName sw "Car"', expected: [C] },
  { filter: 'userName ew "@X.COM"', expected: except(C) },
  { filter: 'userName gt "eve"', expected: [E5, E6, G, H, J, K, L] },
  { filter: 'userName ge "judy@x.com"', expected: [J, K, L] },
  { filter: 'userName lt "c"', expected: [A, B] },
  { filter: 'userName le "carol"', expected: [A, B, C] },
  { filter: 'userName pr', expected: VISIBLE },
  // LIKE wildcards and the escape character in values are literal.
  { filter: 'userName sw "eve_"', expected: [E5] },
  { filter: 'userName co "_"', expected: [E5] },
  { filter: 'userName co "%off"', expected: [G] },
  { filter: 'userName co "%"', expected: [G] },
  { filter: 'displayName co "\\\\"', expected: [G] },
  { filter: 'displayName sw "C:\\\\T"', expected: [G] },
  { filter: 'displayName eq "c:temp"', expected: [H] },
  // externalId and id are caseExact.
  { filter: 'externalId eq "EXT-1"', expected: [A] },
  { filter: 'externalId eq "ext-1"', expected: [B] },
  { filter: 'externalId sw "EXT"', expected: [A, D] },
  { filter: 'externalId co "xt-"', expected: [B] },
  { filter: 'externalId gt "EXT-1"', expected: [B, D] },
  { filter: 'externalId pr', expected: [A, B, D] },
  { filter: 'externalId eq null', expected: except(A, B, D) },
  { filter: 'not (externalId pr)', expected: except(A, B, D) },
  { filter: (f) => `id eq "${f.id(C)}"`, expected: [C] },
  { filter: (f) => `id eq "${f.id(C).toUpperCase()}"`, expected: [] },
  // Missing attributes: ne and not include users without the attribute; comparisons exclude them.
  { filter: 'title eq "engineer"', expected: [A, B] },
  { filter: 'title ne "Engineer"', expected: except(A, B) },
  { filter: 'not (title co "engineer")', expected: except(A, B, E5) },
  { filter: 'title lt "z"', expected: [A, B, D, E5] },
  { filter: 'title pr and not (title sw "Eng")', expected: [D] },
  { filter: 'nickName pr', expected: [K] },
  { filter: 'name.givenName pr and name.familyName pr', expected: [A, B, D, K] },
  { filter: 'name[givenName sw "a"]', expected: [A] },
  { filter: 'name.familyName eq "archer"', expected: [A, B] },
  { filter: 'name.familyName ew "S"', expected: [E5, E6] },
  { filter: 'name.familyName eq "MÜLLER"', expected: [K] },
  { filter: 'name.familyName eq "İnce"', expected: [L] },
  // and / or / not, with precedence.
  { filter: 'title sw "eng" or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales"', expected: [A, B, E5] },
  { filter: 'active eq false or title eq "engineer" and userName sw "a"', expected: [A, D] },
  { filter: '(active eq false or title eq "engineer") and userName sw "a"', expected: [A] },
  { filter: 'not (active eq true and title pr)', expected: [C, D, E6, G, H, J, K, L] },
  // Multi-valued contacts.
  { filter: 'emails[type eq "work" and value co "@x"]', expected: [A, B, D, E5, E6, G, H, K, L] },
  { filter: 'emails.type eq "work" and emails.value co "@x.com"', expected: [A, B, C, D, E5, E6, G, H, K, L] },
  { filter: 'emails[type eq "home"]', expected: [A] },
  { filter: 'emails[primary eq true]', expected: [A, C] },
  // pr: only users with an email that carries a primary value (RFC 7644 §3.4.2.2, and src/scim/filter/filter-evaluator.ts).
  { filter: 'emails.primary pr', expected: [A, C] },
  { filter: 'emails.value eq "ZCAROL@X.COM"', expected: [C] },
  { filter: 'emails co "home.org"', expected: [A] },
  { filter: 'emails.value ne "alice@x.com"', expected: VISIBLE },
  { filter: 'not (emails pr)', expected: [J] },
  { filter: 'phoneNumbers[type eq "mobile"]', expected: [B] },
  { filter: 'phoneNumbers.value sw "+49"', expected: [A, L] },
  { filter: 'addresses.locality eq "berlin"', expected: [A, C] },
  { filter: 'addresses[country eq "DE" and locality eq "Munich"]', expected: [B] },
  // Teams extension: case-exact team names.
  { filter: `${TEAMS}:teams eq "Engineering"`, expected: [A, B, D] },
  { filter: 'teams eq "engineering"', expected: [H] },
  { filter: `${TEAMS}:teams sw "Sal"`, expected: [B, E5] },
  { filter: `${TEAMS}:teams pr`, expected: [A, B, D, E5, H] },
  { filter: `not (${TEAMS}:teams pr)`, expected: [C, E6, G, J, K, L] },
  // groups: the non-guest role a user holds.
  { filter: 'groups.display eq "admin"', expected: [A, H] },
  { filter: (f) => `groups.value eq "${f.roles.member.id}"`, expected: [B, C, D, E5, G, J, K, L] },
  { filter: (f) => `groups eq "${f.roles.guest.id}"`, expected: [] },
  { filter: 'not (groups pr)', expected: [E6] },
  // Enterprise extension.
  { filter: `${ENTERPRISE}:department eq "R&D"`, expected: [A, D] },
  { filter: `${ENTERPRISE}:employeeNumber gt "1001"`, expected: [B] },
  { filter: `${ENTERPRISE}:organization pr`, expected: [A] },
  { filter: (f) => `${ENTERPRISE}:manager.value eq "${f.id(A)}"`, expected: [B, D] },
  { filter: (f) => `${ENTERPRISE}:manager.value eq "${f.id(A).toUpperCase()}"`, expected: [] },
  { filter: (f) => `${ENTERPRISE}:manager[value eq "${f.id(A)}"] and active eq true`, expected: [B] },
  // meta dates, compared chronologically after normalisation.
  { filter: 'meta.created gt "2024-01-10T00:00:00Z"', expected: [K, L] },
  { filter: 'meta.created eq "2024-01-03T00:00:00Z"', expected: [C] },
  { filter: 'meta.created lt "2024-01-03T01:00:00+01:00"', expected: [A, B] },
  { filter: 'meta.created ge "2024-01-11"', expected: [K, L] },
  { filter: 'meta.created le "2024-01-02T00:00:00.000Z"', expected: [A, B] },
  { filter: 'meta.lastModified le "2024-02-15T00:00:00Z"', expected: except(A, D) },
  { filter: 'meta.lastModified gt "2024-02-15T00:00:00Z"', expected: [A, D] },
  { filter: 'meta.lastModified ne "2024-02-01T00:00:00Z"', expected: [A, B, C, D] },
  // active.
  { filter: 'active eq true', expected: except(D) },
  { filter: 'active eq false', expected: [D] },
  { filter: 'active ne true', expected: [D] },
  // SCIM-removed users are found only when asked for.
  { filter: 'title eq "engineer"', expected: [A, B, I], scimVisibleOnly: false },
  { filter: `${TEAMS}:teams eq "Engineering"`, expected: [A, B, D, I], scimVisibleOnly: false },
];

const describeFilter = (c: FilterCase) => (typeof c.filter === 'string' ? c.filter : c.filter.toString().replace(/^\(f\) => /, ''));

describe('user search', () => {
  const handle = storeForSuite();
  let fixture: SearchFixture;
  beforeAll(async () => {
    fixture = await seedSearchFixture(handle().store);
    // Another workspace with look-alike users: never part of the results.
    const other = await addWorkspace(handle().store);
    const otherRole = role(other.id, 'Admin');
    await handle().store.read.roles.insert(otherRole);
    await handle().store.read.users.insert(user(other.id, otherRole.id, 'alice@x.com', { title: 'Engineer' }));
  });

  const search = (query: Partial<UserQuery>) => handle().store.read.users.search(fixture.workspace.id, { ...ALL, ...query });
  const names = async (query: Partial<UserQuery>) => (await search(query)).users.map((u) => u.userName);

  it('the fixture holds twelve users, one of them removed from the SCIM view', async () => {
    expect(await names({ scimVisibleOnly: false })).toEqual([...SEARCH_USER_NAMES]);
    expect(await names({})).toEqual(VISIBLE);
    expect((await search({})).total).toBe(11);
    expect((await search({ scimVisibleOnly: false })).total).toBe(12);
  });

  it.each(FILTERS.map((c) => [describeFilter(c), c] as const))('filter %s', async (_, c) => {
    const text = typeof c.filter === 'string' ? c.filter : c.filter(fixture);
    const result = await search({ filter: userFilter(text), scimVisibleOnly: c.scimVisibleOnly ?? true });
    expect(result.users.map((u) => u.userName)).toEqual(c.expected);
    expect(result.total).toBe(c.expected.length);
  });

  it('search returns whole users, equal to byId', async () => {
    const { users } = await search({ filter: userFilter('userName eq "bob@x.com"') });
    const bob = fixture.users.find((u) => u.userName === B);
    expect(users).toStrictEqual([{ ...bob, email: 'bob@x.com' }]);
  });

  describe('sortBy', () => {
    it('userName ascending and descending (case-insensitive)', async () => {
      const ascending = [A, B, C, D, E6, E5, G, H, J, K, L];
      expect(await names({ sortBy: userSort('userName') })).toEqual(ascending);
      expect(await names({ sortBy: userSort('userName'), descending: true })).toEqual([...ascending].reverse());
    });

    it('name.familyName: ties broken by id in the sort direction, users without one last in both directions', async () => {
      expect(await names({ sortBy: userSort('name.familyName') })).toEqual([A, B, D, E5, E6, G, H, L, K, C, J]);
      expect(await names({ sortBy: userSort('name.familyName'), descending: true })).toEqual([K, L, H, G, E6, E5, D, B, A, J, C]);
    });

    it('emails.value sorts by the primary (else first) email, users without email last', async () => {
      expect(await names({ sortBy: userSort('emails.value') })).toEqual([A, B, D, E6, E5, G, H, K, L, C, J]);
      expect(await names({ sortBy: userSort('emails.value'), descending: true })).toEqual([C, L, K, H, G, E5, E6, D, B, A, J]);
    });

    it('meta.lastModified, with equal times ordered by id', async () => {
      expect(await names({ sortBy: userSort('meta.lastModified') })).toEqual([C, E5, E6, G, H, J, K, L, B, A, D]);
      expect(await names({ sortBy: userSort('meta.lastModified'), descending: true })).toEqual([D, A, B, L, K, J, H, G, E6, E5, C]);
    });

    it('sorting combines with a filter and paging', async () => {
      const query = { filter: userFilter('userName ew "@x.com"'), sortBy: userSort('name.familyName') };
      const full = [A, B, D, E5, E6, G, H, L, K, J];
      expect(await names(query)).toEqual(full);
      const pages: string[] = [];
      for (let offset = 0; offset < 10; offset += 3) {
        const page = await search({ ...query, offset, limit: 3 });
        expect(page.total).toBe(10);
        pages.push(...page.users.map((u) => u.userName));
      }
      expect(pages).toEqual(full);
    });
  });

  describe('paging and totals', () => {
    it('offset and limit page through the default (id) order; total counts all matches', async () => {
      expect(await search({ offset: 0, limit: 4 }).then((r) => ({ names: r.users.map((u) => u.userName), total: r.total }))).toEqual({
        names: [A, B, C, D],
        total: 11,
      });
      expect(await names({ offset: 4, limit: 4 })).toEqual([E5, E6, G, H]);
      expect(await names({ offset: 8, limit: 4 })).toEqual([J, K, L]);
      expect(await search({ offset: 11, limit: 4 })).toEqual({ users: [], total: 11 });
      expect(await search({ offset: 50, limit: 4 })).toEqual({ users: [], total: 11 });
      expect(await search({ offset: 0, limit: 0 })).toEqual({ users: [], total: 11 });
      expect(await search({ offset: 0, limit: 0, scimVisibleOnly: false })).toEqual({ users: [], total: 12 });
    });

    it('the total of a filtered page counts every match, not the page', async () => {
      const page = await search({ filter: userFilter('emails[type eq "work"]'), offset: 2, limit: 2, descending: true });
      expect({ names: page.users.map((u) => u.userName), total: page.total }).toEqual({ names: [H, G], total: 10 });
    });
  });
});

describe('roles as SCIM Groups', () => {
  const handle = storeForSuite();
  let fixture: SearchFixture;
  beforeAll(async () => {
    fixture = await seedSearchFixture(handle().store);
  });

  const groups = async (filter: string | undefined, offset = 0, limit = 100) => {
    const result = await handle().store.read.roles.searchGroups(fixture.workspace.id, {
      ...(filter !== undefined ? { filter: groupFilter(filter) } : {}),
      offset,
      limit,
    });
    return { names: result.roles.map((r) => r.name), total: result.total };
  };

  it('searchGroups lists the non-guest roles in creation order', async () => {
    expect(await groups(undefined)).toEqual({ names: ['Admin', 'Member', 'Viewer'], total: 3 });
    const { roles } = await handle().store.read.roles.searchGroups(fixture.workspace.id, { offset: 0, limit: 1 });
    expect(roles).toStrictEqual([fixture.roles.admin]);
  });

  it.each([
    ['displayName eq "ADMIN"', ['Admin']],
    ['displayName eq "Admin"', ['Admin']],
    ['displayName co "E"', ['Member', 'Viewer']],
    ['displayName sw "v"', ['Viewer']],
    ['displayName ne "member"', ['Admin', 'Viewer']],
    ['displayName eq "Guest"', []],
    ['externalId eq "Admin"', []],
    ['not (externalId pr)', ['Admin', 'Member', 'Viewer']],
    ['displayName eq "Admin" or displayName eq "Viewer"', ['Admin', 'Viewer']],
    ['members pr', ['Admin', 'Member']],
    ['not (members pr)', ['Viewer']],
  ] as const)('searchGroups filter %s', async (filter, expected) => {
    expect(await groups(filter)).toEqual({ names: [...expected], total: expected.length });
  });

  it('searchGroups by member: only SCIM-visible members count', async () => {
    expect(await groups(`members.value eq "${fixture.id(B)}"`)).toEqual({ names: ['Member'], total: 1 });
    expect(await groups(`members[value eq "${fixture.id(H)}"]`)).toEqual({ names: ['Admin'], total: 1 });
    expect(await groups(`members.value eq "${fixture.id(I)}"`)).toEqual({ names: [], total: 0 });
    expect(await groups(`members.value eq "${fixture.id(E6)}"`)).toEqual({ names: [], total: 0 });
  });

  it('searchGroups pages with a total', async () => {
    expect(await groups(undefined, 1, 1)).toEqual({ names: ['Member'], total: 3 });
    expect(await groups('displayName co "e"', 1, 5)).toEqual({ names: ['Viewer'], total: 2 });
    expect(await groups(undefined, 3, 5)).toEqual({ names: [], total: 3 });
    expect(await groups(undefined, 0, 0)).toEqual({ names: [], total: 3 });
  });

  it('byName is case-insensitive; byId and list', async () => {
    const { admin, member, viewer, guest } = fixture.roles;
    const ws = fixture.workspace.id;
    expect(await handle().store.read.roles.byName(ws, 'admin')).toStrictEqual(admin);
    expect(await handle().store.read.roles.byName(ws, 'GUEST')).toStrictEqual(guest);
    expect(await handle().store.read.roles.byName(ws, 'Admins')).toBeUndefined();
    expect(await handle().store.read.roles.byId(ws, viewer.id)).toStrictEqual(viewer);
    expect(await handle().store.transaction((r) => r.roles.byId(ws, member.id, { forUpdate: true }))).toStrictEqual(member);
    // Highest level first, then by name.
    expect(await handle().store.read.roles.list(ws)).toStrictEqual([admin, member, viewer, guest]);
  });

  it('update rewrites a role', async () => {
    const ws = await addWorkspace(handle().store);
    const editors = role(ws.id, 'Editors', { level: 20 });
    await handle().store.read.roles.insert(editors);
    const renamed = { ...editors, name: 'Authors', level: 25, isGuest: true, updatedAt: '2024-09-01T00:00:00.000Z', version: 2 };
    await handle().store.transaction((r) => r.roles.update(renamed));
    expect(await handle().store.read.roles.byId(ws.id, editors.id)).toStrictEqual(renamed);
    expect(await handle().store.read.roles.byName(ws.id, 'editors')).toBeUndefined();
    expect(await handle().store.read.roles.byName(ws.id, 'AUTHORS')).toStrictEqual(renamed);
  });

  it('byIds reads the roles asked for, of this workspace only', async () => {
    const { admin, member, guest } = fixture.roles;
    const ws = fixture.workspace.id;
    const other = await addWorkspace(handle().store);
    const foreign = role(other.id, 'Admin');
    await handle().store.read.roles.insert(foreign);
    const byId = (roles: readonly Role[]) => [...roles].sort((a, b) => a.id.localeCompare(b.id));
    const found = await handle().store.read.roles.byIds(ws, [guest.id, newId(), foreign.id, admin.id]);
    expect(byId(found)).toStrictEqual(byId([admin, guest]));
    expect(await handle().store.read.roles.byIds(ws, [member.id])).toStrictEqual([member]);
    expect(await handle().store.read.roles.byIds(other.id, [member.id, foreign.id])).toStrictEqual([foreign]);
    expect(await handle().store.read.roles.byIds(ws, [])).toEqual([]);
    expect(await handle().store.transaction((r) => r.roles.byIds(ws, [admin.id]))).toStrictEqual([admin]);
  });

  it('lowestNonGuest: the lowest level among non-guest roles, ties to the smallest id', async () => {
    const ws = await addWorkspace(handle().store);
    expect(await handle().store.read.roles.lowestNonGuest(ws.id)).toBeUndefined();
    const ids = [newId(), newId()].sort();
    const roles = [
      role(ws.id, 'Guest', { level: 0, isGuest: true }),
      role(ws.id, 'Owner', { level: 100 }),
      role(ws.id, 'Second', { level: 5, id: ids[1] as string }),
      role(ws.id, 'First', { level: 5, id: ids[0] as string }),
    ];
    for (const r of roles) await handle().store.read.roles.insert(r);
    expect(await handle().store.read.roles.lowestNonGuest(ws.id)).toStrictEqual(roles[3]);
  });

  it("touch moves one role's updatedAt and version on, and nothing else", async () => {
    const ws = await addWorkspace(handle().store);
    const other = await addWorkspace(handle().store);
    const writers = role(ws.id, 'Writers', { level: 20, version: 3 });
    const readers = role(ws.id, 'Readers');
    for (const r of [writers, readers]) await handle().store.read.roles.insert(r);
    const first = '2024-09-01T00:00:00.000Z';
    const second = '2024-09-02T00:00:00.000Z';
    expect(await handle().store.transaction((r) => r.roles.touch(ws.id, writers.id, first))).toBe(true);
    expect(await handle().store.read.roles.byId(ws.id, writers.id)).toStrictEqual({ ...writers, updatedAt: first, version: 4 });
    expect(await handle().store.transaction((r) => r.roles.touch(ws.id, writers.id, second))).toBe(true);
    expect(await handle().store.read.roles.byId(ws.id, writers.id)).toStrictEqual({ ...writers, updatedAt: second, version: 5 });
    expect(await handle().store.read.roles.byId(ws.id, readers.id)).toStrictEqual(readers);
    expect(await handle().store.transaction((r) => r.roles.touch(ws.id, newId(), second))).toBe(false);
    expect(await handle().store.transaction((r) => r.roles.touch(other.id, readers.id, second))).toBe(false);
    expect(await handle().store.read.roles.byId(ws.id, readers.id)).toStrictEqual(readers);
  });
});
