/**
 * Shared fixtures of the storage conformance suite (test/storage/*.test.ts). The suite drives
 * the `DirectoryStore` port directly, on whichever engine ROSTER_TEST_ENGINE selects, with the
 * same assertions for both.
 */
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import type { Contact, OutboxMessage, Role, ScimIntegration, ScimToken, Team, User, Workspace } from '../../src/directory/model.js';
import { type DirectoryStore, StoreConflict, type UserQuery } from '../../src/directory/ports.js';
import { parseFilter, type ResolvedFilter, resolveFilter } from '../../src/scim/filter/index.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../src/scim/schema/resource-type.js';
import { isPostgresUrl, openStore } from '../../src/storage/open-store.js';
import type { Database } from '../../src/storage/sql/database-types.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { createTestDatabase, TEST_ENGINE, type TestDatabase } from '../support/test-database.js';

export { TEST_ENGINE };

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const TEAMS = 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User';

/** A store on a fresh database of the engine under test, with a way to drop both. */
export interface StoreHandle {
  readonly store: SqlStore;
  readonly database: TestDatabase;
  dispose(): Promise<void>;
}

export async function freshStore(): Promise<StoreHandle> {
  const database = await createTestDatabase();
  const store = await openStore(database.url);
  return {
    store,
    database,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * A separate connection to the database behind a store, for checks the port cannot express
 * (raw row counts, the migration table). Destroy it when done.
 */
/** One store over a fresh database for the calling `describe`, disposed after its tests. */
export function storeForSuite(): () => StoreHandle {
  let handle: StoreHandle | undefined;
  beforeAll(async () => {
    handle = await freshStore();
  });
  afterAll(async () => {
    await handle?.dispose();
  });
  return () => {
    if (!handle) throw new TypeError('the store exists only inside the suite');
    return handle;
  };
}

export function rawDatabase(url: string): Kysely<Database> {
  const dialect = isPostgresUrl(url)
    ? new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) })
    : new SqliteDialect({ database: new Sqlite(url) });
  return new Kysely({ dialect });
}

/** Rows of a workspace in a table, counted over a raw connection. */
export async function rowCount(url: string, table: Exclude<keyof Database, 'workspaces'>, workspaceId: string): Promise<number> {
  const db = rawDatabase(url);
  try {
    const { rows } = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(table)} where workspace_id = ${workspaceId}`.execute(db);
    return Number(rows[0]?.n);
  } finally {
    await db.destroy();
  }
}

/** The StoreConflict a write is refused with; fails the test when the write succeeds or fails otherwise. */
export async function conflictOf(write: Promise<unknown>): Promise<StoreConflict> {
  let outcome: unknown;
  try {
    await write;
    outcome = 'the write succeeded';
  } catch (error) {
    outcome = error;
  }
  expect(outcome).toBeInstanceOf(StoreConflict);
  return outcome as StoreConflict;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- Builders -------------------------------------------------------------------------------

const CREATED = '2024-01-01T00:00:00.000Z';
let slugCounter = 0;

export function workspace(overrides: Partial<Workspace> = {}): Workspace {
  slugCounter++;
  return {
    id: newId(),
    slug: `ws-${slugCounter}-${Math.random().toString(36).slice(2, 8)}`,
    name: 'Test Workspace',
    plan: 'enterprise',
    seats: 100,
    defaultLanguage: 'en-GB',
    loginPolicy: 'sso_only',
    createdAt: CREATED,
    ...overrides,
  };
}

/** Inserts a fresh workspace and returns it. */
export async function addWorkspace(store: DirectoryStore, overrides: Partial<Workspace> = {}): Promise<Workspace> {
  const ws = workspace(overrides);
  await store.read.workspaces.insert(ws);
  return ws;
}

/** A workspace with the roles Member (10), Admin (30) and Guest (0, guest). */
export async function addWorkspaceWithRoles(store: DirectoryStore): Promise<{ ws: Workspace; member: Role; admin: Role; guest: Role }> {
  const ws = await addWorkspace(store);
  const member = role(ws.id, 'Member', { level: 10 });
  const admin = role(ws.id, 'Admin', { level: 30 });
  const guest = role(ws.id, 'Guest', { level: 0, isGuest: true });
  for (const r of [member, admin, guest]) await store.read.roles.insert(r);
  return { ws, member, admin, guest };
}

export function role(workspaceId: string, name: string, overrides: Partial<Role> = {}): Role {
  return {
    workspaceId,
    id: newId(),
    name,
    level: 10,
    isGuest: false,
    createdAt: CREATED,
    updatedAt: CREATED,
    version: 1,
    ...overrides,
  };
}

export function team(workspaceId: string, name: string, overrides: Partial<Team> = {}): Team {
  return { workspaceId, id: newId(), name, createdAt: CREATED, ...overrides };
}

export function user(workspaceId: string, roleId: string, userName: string, overrides: Partial<User> = {}): User {
  return {
    workspaceId,
    id: newId(),
    userName,
    email: userName.toLowerCase(),
    active: true,
    scimDeleted: false,
    roleId,
    teamIds: [],
    scimManaged: true,
    lastSyncedAt: null,
    createdAt: CREATED,
    updatedAt: CREATED,
    version: 1,
    contacts: { emails: [], phoneNumbers: [], addresses: [] },
    ...overrides,
  };
}

export function integration(workspaceId: string, overrides: Partial<ScimIntegration> = {}): ScimIntegration {
  return { workspaceId, id: newId(), provider: 'okta', clientName: 'Okta', createdAt: CREATED, disabledAt: null, ...overrides };
}

export function token(workspaceId: string, integrationId: string, tokenHash: string, overrides: Partial<ScimToken> = {}): ScimToken {
  return { workspaceId, id: newId(), integrationId, tokenHash, createdAt: CREATED, revokedAt: null, ...overrides };
}

export { logEntry, logInput } from '../support/log-entries.js';

export function outboxMessage(
  workspaceId: string,
  idTimeMs: number,
  nextAttemptAt: string,
  overrides: Partial<OutboxMessage> = {},
): OutboxMessage {
  return {
    workspaceId,
    id: newId(idTimeMs),
    kind: 'reactivation',
    recipient: `r${idTimeMs}@example.com`,
    subject: 'Your account is active again',
    body: 'Hello,\n\nyour account has been reactivated.\n',
    createdAt: new Date(idTimeMs).toISOString(),
    attempts: 0,
    nextAttemptAt,
    sentAt: null,
    lastError: null,
    ...overrides,
  };
}

// --- Filters --------------------------------------------------------------------------------

export const userFilter = (text: string): ResolvedFilter => resolveFilter(parseFilter(text), USER_RESOURCE_TYPE);
export const groupFilter = (text: string): ResolvedFilter => resolveFilter(parseFilter(text), GROUP_RESOURCE_TYPE);

export function userSort(path: string) {
  const attribute = USER_RESOURCE_TYPE.resolve(path);
  if (!attribute) throw new Error(`unknown sort attribute ${path}`);
  return attribute;
}

export const ALL: Pick<UserQuery, 'offset' | 'limit' | 'scimVisibleOnly'> = { offset: 0, limit: 1000, scimVisibleOnly: true };

// --- The search fixture ---------------------------------------------------------------------

/**
 * Twelve users in one workspace, created in this order (their UUIDv7 ids follow it), so the
 * default order of a search is this order. `ivan@x.com` was removed over SCIM (scimDeleted).
 */
export const SEARCH_USER_NAMES = [
  'alice@x.com',
  'Bob@X.com',
  'carol',
  'dave@x.com',
  'eve_99@x.com',
  'eve199@x.com',
  'grace%off@x.com',
  'hoffman@x.com',
  'ivan@x.com',
  'judy@x.com',
  'kurt@x.com',
  'leo@x.com',
] as const;

export type SearchUserName = (typeof SEARCH_USER_NAMES)[number];

export interface SearchFixture {
  readonly workspace: Workspace;
  readonly roles: { readonly admin: Role; readonly member: Role; readonly viewer: Role; readonly guest: Role };
  readonly teams: { readonly engineering: Team; readonly engineeringLower: Team; readonly sales: Team };
  readonly users: readonly User[];
  id(userName: SearchUserName): string;
}

const day = (n: number) => `2024-01-${String(n).padStart(2, '0')}T00:00:00.000Z`;
const work = (value: string, extra: Partial<Contact> = {}): Contact => ({ value, type: 'work', ...extra });
const ID_BASE = Date.UTC(2024, 0, 1);

export async function seedSearchFixture(store: DirectoryStore): Promise<SearchFixture> {
  const ws = await addWorkspace(store);
  const w = ws.id;
  const roles = {
    admin: role(w, 'Admin', { level: 30, id: newId(ID_BASE - 4000) }),
    member: role(w, 'Member', { level: 10, id: newId(ID_BASE - 3000) }),
    viewer: role(w, 'Viewer', { level: 10, id: newId(ID_BASE - 2000) }),
    guest: role(w, 'Guest', { level: 0, isGuest: true, id: newId(ID_BASE - 1000) }),
  };
  const teams = {
    engineering: team(w, 'Engineering'),
    engineeringLower: team(w, 'engineering'),
    sales: team(w, 'Sales'),
  };
  const ids = new Map<string, string>(SEARCH_USER_NAMES.map((name, index) => [name, newId(ID_BASE + index * 1000)]));
  const id = (name: SearchUserName) => ids.get(name) as string;
  const noContacts = { emails: [], phoneNumbers: [], addresses: [] };
  const make = (userName: SearchUserName, roleId: string, index: number, overrides: Partial<User>): User =>
    user(w, roleId, userName, {
      id: id(userName),
      createdAt: day(index + 1),
      updatedAt: '2024-02-01T00:00:00.000Z',
      ...overrides,
    });
  const users: User[] = [
    make('alice@x.com', roles.admin.id, 0, {
      givenName: 'Alice',
      familyName: 'Archer',
      displayName: 'Alice Archer',
      title: 'Engineer',
      externalId: 'EXT-1',
      employeeNumber: '1001',
      department: 'R&D',
      organization: 'Acme',
      costCenter: 'CC-10',
      division: 'North',
      teamIds: [teams.engineering.id],
      updatedAt: '2024-03-01T10:00:00.000Z',
      contacts: {
        emails: [work('alice@x.com', { primary: true }), { value: 'alice@home.org', type: 'home' }],
        phoneNumbers: [work('+49 30 1111')],
        addresses: [{ type: 'work', locality: 'Berlin', country: 'DE', postalCode: '10115' }],
      },
    }),
    make('Bob@X.com', roles.member.id, 1, {
      givenName: 'Bob',
      familyName: 'archer',
      displayName: 'Bob',
      title: 'engineer',
      externalId: 'ext-1',
      employeeNumber: '1002',
      department: 'Sales',
      managerId: id('alice@x.com'),
      teamIds: [teams.sales.id, teams.engineering.id],
      updatedAt: '2024-02-15T00:00:00.000Z',
      contacts: {
        emails: [work('Bob@X.com')],
        phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
        addresses: [{ type: 'home', locality: 'munich', country: 'DE' }],
      },
    }),
    make('carol', roles.member.id, 2, {
      email: 'carol@y.org',
      givenName: 'Carol',
      displayName: 'Carol',
      updatedAt: '2024-01-03T00:00:00.000Z',
      contacts: {
        emails: [work('carol@y.org'), { value: 'zcarol@x.com', type: 'other', primary: true }],
        phoneNumbers: [],
        addresses: [{ type: 'work', locality: 'BERLIN' }],
      },
    }),
    make('dave@x.com', roles.member.id, 3, {
      givenName: 'Dave',
      familyName: 'Diaz',
      title: 'Manager',
      externalId: 'EXT-4',
      department: 'r&d',
      managerId: id('alice@x.com'),
      active: false,
      teamIds: [teams.engineering.id],
      updatedAt: '2024-04-01T00:00:00.000Z',
      contacts: { ...noContacts, emails: [work('dave@x.com')] },
    }),
    make('eve_99@x.com', roles.member.id, 4, {
      familyName: 'Evans',
      title: 'Engineer II',
      teamIds: [teams.sales.id],
      contacts: { ...noContacts, emails: [work('eve_99@x.com')] },
    }),
    make('eve199@x.com', roles.guest.id, 5, {
      familyName: 'Evans',
      contacts: { ...noContacts, emails: [work('eve199@x.com')] },
    }),
    make('grace%off@x.com', roles.member.id, 6, {
      familyName: 'Green',
      displayName: 'C:\\Temp',
      contacts: { ...noContacts, emails: [work('grace%off@x.com')] },
    }),
    make('hoffman@x.com', roles.admin.id, 7, {
      familyName: 'Hoffman',
      displayName: 'C:Temp',
      nickName: '',
      teamIds: [teams.engineeringLower.id],
      contacts: { ...noContacts, emails: [work('hoffman@x.com')] },
    }),
    make('ivan@x.com', roles.member.id, 8, {
      familyName: 'Ivanov',
      title: 'Engineer',
      active: false,
      scimDeleted: true,
      teamIds: [teams.engineering.id],
      contacts: { ...noContacts, emails: [work('ivan@x.com')] },
    }),
    make('judy@x.com', roles.member.id, 9, {}),
    make('kurt@x.com', roles.member.id, 10, {
      givenName: 'Kurt',
      familyName: 'Müller',
      nickName: 'Kurti',
      contacts: { ...noContacts, emails: [work('kurt@x.com')] },
    }),
    make('leo@x.com', roles.member.id, 11, {
      familyName: 'İnce',
      contacts: { ...noContacts, emails: [work('leo@x.com')], phoneNumbers: [work('+49 89 2222')] },
    }),
  ];
  await store.transaction(async (repos) => {
    for (const r of Object.values(roles)) await repos.roles.insert(r);
    for (const t of Object.values(teams)) await repos.teams.insert(t);
    for (const u of users) await repos.users.insert(u);
  });
  return { workspace: ws, roles, teams, users, id };
}
