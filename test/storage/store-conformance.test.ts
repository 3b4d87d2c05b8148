/**
 * Storage conformance, part 1: migrations, transactions, unique conflicts, workspaces, teams and
 * SCIM integrations, exercised through the DirectoryStore port on the engine ROSTER_TEST_ENGINE
 * selects. Every assertion is the same for SQLite and PostgreSQL.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import type { User } from '../../src/directory/model.js';
import { StoreConflict } from '../../src/directory/ports.js';
import { openStore } from '../../src/storage/open-store.js';
import { createTestDatabase } from '../support/test-database.js';
import {
  ALL,
  addWorkspace,
  conflictOf,
  integration,
  rawDatabase,
  role,
  rowCount,
  storeForSuite,
  team,
  token,
  user,
  userFilter,
  workspace,
} from './fixtures.js';

const MIGRATIONS = [
  '001-initial',
  '002-log-and-outbox',
  '003-audit-log',
  '004-console',
  '005-counters',
  '006-profile-url',
  '007-log-error-code',
  '008-events',
  '009-delivery-retention',
];
const TABLES = [
  'api_keys',
  'audit_log',
  'console_sessions',
  'event_watermarks',
  'events',
  'login_flows',
  'login_links',
  'outbox',
  'provisioning_log',
  'roles',
  'scim_integrations',
  'scim_tokens',
  'sso_configs',
  'teams',
  'user_contacts',
  'user_passwords',
  'user_teams',
  'users',
  'webhook_deliveries',
  'webhook_endpoints',
  'workspace_counters',
  'workspaces',
];

async function appliedMigrations(url: string): Promise<string[]> {
  const db = rawDatabase(url);
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    return rows.map((r) => r.name);
  } finally {
    await db.destroy();
  }
}

async function tableNames(url: string): Promise<string[]> {
  const db = rawDatabase(url);
  try {
    const tables = await db.introspection.getTables();
    return tables.map((t) => t.name).sort();
  } finally {
    await db.destroy();
  }
}

describe('migrations', () => {
  it('openStore applies every migration to a fresh database, and a second openStore applies none', async () => {
    const database = await createTestDatabase();
    try {
      const unmigrated = await openStore(database.url, { migrate: false });
      expect(await unmigrated.migrate()).toEqual(MIGRATIONS);
      await unmigrated.close();
      expect(await appliedMigrations(database.url)).toEqual(MIGRATIONS);
      expect(await tableNames(database.url)).toEqual(TABLES);

      const first = await openStore(database.url);
      const ws = await addWorkspace(first);
      await first.close();

      const second = await openStore(database.url);
      try {
        expect(await second.migrate()).toEqual([]);
        expect(await appliedMigrations(database.url)).toEqual(MIGRATIONS);
        // The data written before survives the second open.
        expect(await second.read.workspaces.byId(ws.id)).toEqual(ws);
      } finally {
        await second.close();
      }
    } finally {
      await database.drop();
    }
  });

  it('two openStore calls at once on the same fresh database both succeed and migrate once', async () => {
    const database = await createTestDatabase();
    try {
      const results = await Promise.allSettled([openStore(database.url), openStore(database.url)]);
      const stores = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      try {
        expect(results.map((r) => (r.status === 'fulfilled' ? 'opened' : String((r.reason as Error).message)))).toEqual([
          'opened',
          'opened',
        ]);
        expect(await appliedMigrations(database.url)).toEqual(MIGRATIONS);
        const [a, b] = stores as [Awaited<ReturnType<typeof openStore>>, Awaited<ReturnType<typeof openStore>>];
        const ws = await addWorkspace(a);
        expect(await b.read.workspaces.bySlug(ws.slug)).toEqual(ws);
      } finally {
        for (const store of stores) await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});

describe('store conformance', () => {
  const handle = storeForSuite();
  const store = () => handle().store;
  const url = () => handle().database.url;

  /** A workspace with one role and two teams, and a user with contacts and both teams. */
  async function scene() {
    const ws = await addWorkspace(store());
    const member = role(ws.id, 'Member');
    await store().read.roles.insert(member);
    const red = team(ws.id, 'Red');
    const blue = team(ws.id, 'Blue');
    const person = user(ws.id, member.id, 'tx@example.com', {
      givenName: 'Tess',
      teamIds: [red.id, blue.id],
      contacts: {
        emails: [
          { value: 'tx@example.com', type: 'work', primary: true },
          { value: 'tx@home.example', type: 'home' },
        ],
        phoneNumbers: [{ value: '+49 1', type: 'mobile' }],
        addresses: [{ type: 'work', locality: 'Hamburg' }],
      },
    });
    return { ws, member, red, blue, person };
  }

  describe('transactions', () => {
    it('a throw inside transaction() rolls back every write in it and rejects with that error', async () => {
      const { ws, red, blue, person } = await scene();
      const failure = new Error('work failed');
      await expect(
        store().transaction(async (repos) => {
          await repos.teams.insert(red);
          await repos.teams.insert(blue);
          await repos.users.insert(person);
          await repos.roles.insert(role(ws.id, 'Late'));
          throw failure;
        }),
      ).rejects.toBe(failure);

      expect(await store().read.users.byId(ws.id, person.id)).toBeUndefined();
      expect(await store().read.users.byUserName(ws.id, person.userName)).toBeUndefined();
      expect(await store().read.teams.list(ws.id)).toEqual([]);
      expect((await store().read.roles.list(ws.id)).map((r) => r.name)).toEqual(['Member']);
      expect(await store().read.users.search(ws.id, { ...ALL, filter: userFilter('emails.value eq "tx@example.com"') })).toEqual({
        users: [],
        total: 0,
      });
      expect(await rowCount(url(), 'users', ws.id)).toBe(0);
      expect(await rowCount(url(), 'user_contacts', ws.id)).toBe(0);
      expect(await rowCount(url(), 'user_teams', ws.id)).toBe(0);
      expect(await rowCount(url(), 'teams', ws.id)).toBe(0);
    });

    it('a commit makes every write visible and returns the work result', async () => {
      const { ws, red, blue, person } = await scene();
      const result = await store().transaction(async (repos) => {
        await repos.teams.insert(red);
        await repos.teams.insert(blue);
        await repos.users.insert(person);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await store().read.users.byId(ws.id, person.id)).toStrictEqual(person);
      expect(await store().read.teams.list(ws.id)).toEqual([blue, red]);
      const found = await store().read.users.search(ws.id, { ...ALL, filter: userFilter('phoneNumbers[type eq "mobile"]') });
      expect(found.users.map((u) => u.id)).toEqual([person.id]);
      expect(await rowCount(url(), 'user_contacts', ws.id)).toBe(4);
      expect(await rowCount(url(), 'user_teams', ws.id)).toBe(2);
    });

    it('reads inside a transaction see its own writes', async () => {
      const { ws, member, red, blue, person } = await scene();
      const seen = await store().transaction(async (repos) => {
        await repos.teams.insert(red);
        await repos.teams.insert(blue);
        await repos.users.insert(person);
        const changed: User = { ...person, title: 'Lead', version: 2 };
        const updated = await repos.users.update(changed, 1);
        return {
          updated,
          byId: await repos.users.byId(ws.id, person.id, { forUpdate: true }),
          byEmail: (await repos.users.byEmail(ws.id, 'TX@example.com'))?.id,
          teams: (await repos.teams.byNames(ws.id, ['Red', 'Blue'])).map((t) => t.name).sort(),
          search: (await repos.users.search(ws.id, { ...ALL, filter: userFilter('title eq "lead" and addresses.locality eq "hamburg"') }))
            .total,
          seats: await repos.users.countSeatsUsed(ws.id),
          members: (await repos.users.membersOf(ws.id, [member.id])).map((m) => m.userId),
        };
      });
      expect(seen).toEqual({
        updated: true,
        byId: { ...person, title: 'Lead', version: 2 },
        byEmail: person.id,
        teams: ['Blue', 'Red'],
        search: 1,
        seats: 1,
        members: [person.id],
      });
    });

    it('a unique conflict inside a transaction rolls back the writes before it', async () => {
      const { ws, member } = await scene();
      const first = user(ws.id, member.id, 'same@example.com');
      const error = await conflictOf(
        store().transaction(async (repos) => {
          await repos.users.insert(first);
          await repos.users.insert(user(ws.id, member.id, 'SAME@example.com'));
        }),
      );
      expect(error.constraint).toBe('users_user_name');
      expect(await store().read.users.byId(ws.id, first.id)).toBeUndefined();
      expect(await rowCount(url(), 'users', ws.id)).toBe(0);
    });

    it('workspace lock serialises seat accounting: with one seat, only one of two concurrent activations wins', async () => {
      const ws = await addWorkspace(store(), { seats: 1 });
      const member = role(ws.id, 'Member');
      await store().read.roles.insert(member);
      const activate = (userName: string) =>
        store().transaction(async (repos) => {
          await repos.workspaces.lock(ws.id);
          const used = await repos.users.countSeatsUsed(ws.id);
          await new Promise((resolve) => setTimeout(resolve, 30));
          if (used >= ws.seats) return false;
          await repos.users.insert(user(ws.id, member.id, userName));
          return true;
        });
      const outcomes = await Promise.all([activate('one@example.com'), activate('two@example.com')]);
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await store().read.users.countSeatsUsed(ws.id)).toBe(1);
    });

    it('byId forUpdate serialises read-modify-write: two concurrent updates both apply', async () => {
      const { ws, person } = await scene();
      await store().read.users.insert({ ...person, teamIds: [] });
      const appendX = () =>
        store().transaction(async (repos) => {
          const current = (await repos.users.byId(ws.id, person.id, { forUpdate: true })) as User;
          await new Promise((resolve) => setTimeout(resolve, 30));
          return repos.users.update({ ...current, title: `${current.title ?? ''}x`, version: current.version + 1 }, current.version);
        });
      expect(await Promise.all([appendX(), appendX()])).toEqual([true, true]);
      const final = await store().read.users.byId(ws.id, person.id);
      expect({ title: final?.title, version: final?.version }).toEqual({ title: 'xx', version: 3 });
    });
  });

  describe('unique conflicts carry the same constraint names on every engine', () => {
    it('users_user_name: userName is unique per workspace, case-insensitively', async () => {
      const { ws, member } = await scene();
      await store().read.users.insert(user(ws.id, member.id, 'Dup@Example.com'));
      expect((await conflictOf(store().read.users.insert(user(ws.id, member.id, 'dup@EXAMPLE.COM')))).constraint).toBe('users_user_name');
      expect((await conflictOf(store().transaction((r) => r.users.insert(user(ws.id, member.id, 'DUP@example.com'))))).constraint).toBe(
        'users_user_name',
      );
      // Renaming onto a taken userName is refused the same way.
      const other = user(ws.id, member.id, 'other@example.com');
      await store().read.users.insert(other);
      const renamed = { ...other, userName: 'dup@example.com', version: 2 };
      expect((await conflictOf(store().transaction((r) => r.users.update(renamed, 1)))).constraint).toBe('users_user_name');
      expect((await store().read.users.byId(ws.id, other.id))?.userName).toBe('other@example.com');
      // Another workspace may use the same userName.
      const ws2 = await addWorkspace(store());
      const role2 = role(ws2.id, 'Member');
      await store().read.roles.insert(role2);
      await store().read.users.insert(user(ws2.id, role2.id, 'dup@example.com'));
      expect((await store().read.users.byUserName(ws2.id, 'DUP@example.com'))?.workspaceId).toBe(ws2.id);
    });

    it('roles_name: role names are unique per workspace, case-insensitively, on insert and update', async () => {
      const ws = await addWorkspace(store());
      await store().read.roles.insert(role(ws.id, 'Editors'));
      expect((await conflictOf(store().read.roles.insert(role(ws.id, 'EDITORS')))).constraint).toBe('roles_name');
      const writers = role(ws.id, 'Writers');
      await store().read.roles.insert(writers);
      expect((await conflictOf(store().transaction((r) => r.roles.update({ ...writers, name: 'editors', version: 2 })))).constraint).toBe(
        'roles_name',
      );
      expect((await store().read.roles.byId(ws.id, writers.id))?.name).toBe('Writers');
      const ws2 = await addWorkspace(store());
      await store().read.roles.insert(role(ws2.id, 'Editors'));
      expect((await store().read.roles.byName(ws2.id, 'editors'))?.workspaceId).toBe(ws2.id);
    });

    it('teams_name: team names are unique per workspace, and case-sensitive', async () => {
      const ws = await addWorkspace(store());
      await store().read.teams.insert(team(ws.id, 'Ops'));
      expect((await conflictOf(store().read.teams.insert(team(ws.id, 'Ops')))).constraint).toBe('teams_name');
      await store().read.teams.insert(team(ws.id, 'ops'));
      expect((await store().read.teams.list(ws.id)).map((t) => t.name)).toEqual(['Ops', 'ops']);
    });

    it('workspaces_slug: slugs are unique', async () => {
      const ws = await addWorkspace(store());
      expect((await conflictOf(store().read.workspaces.insert(workspace({ slug: ws.slug })))).constraint).toBe('workspaces_slug');
    });

    it('primary_key: a second row with the same id', async () => {
      const { ws, member } = await scene();
      const first = user(ws.id, member.id, 'pk@example.com');
      await store().read.users.insert(first);
      expect(
        (await conflictOf(store().read.users.insert({ ...first, userName: 'pk2@example.com', email: 'pk2@example.com' }))).constraint,
      ).toBe('primary_key');
      expect((await conflictOf(store().read.roles.insert({ ...member, name: 'Other' }))).constraint).toBe('primary_key');
    });
  });

  describe('workspaces and teams', () => {
    it('workspaces: insert, byId, bySlug, list by slug; SSO config upserts', async () => {
      const b = await addWorkspace(store(), {
        slug: `zz-b-${newId().slice(-6)}`,
        plan: 'business',
        seats: 7,
        loginPolicy: 'sso_and_password',
      });
      const a = await addWorkspace(store(), { slug: `zz-a-${newId().slice(-6)}`, plan: 'standard', seats: 3, defaultLanguage: 'de-DE' });
      expect(await store().read.workspaces.byId(b.id)).toStrictEqual(b);
      expect(await store().read.workspaces.bySlug(a.slug)).toStrictEqual(a);
      expect(await store().read.workspaces.bySlug('no-such-slug')).toBeUndefined();
      expect(await store().read.workspaces.byId(newId())).toBeUndefined();
      const listed = (await store().read.workspaces.list()).map((w) => w.slug);
      expect(listed.filter((s) => s.startsWith('zz-'))).toEqual([a.slug, b.slug]);
      expect(listed).toEqual([...listed].sort());

      expect(await store().read.workspaces.sso(a.id)).toBeUndefined();
      const sso = {
        workspaceId: a.id,
        issuer: 'https://idp.one',
        clientId: 'c1',
        clientSecret: 's1',
        updatedAt: '2024-05-01T00:00:00.000Z',
      };
      await store().read.workspaces.saveSso(sso);
      expect(await store().read.workspaces.sso(a.id)).toStrictEqual(sso);
      const replaced = { ...sso, issuer: 'https://idp.two', clientSecret: 's2', updatedAt: '2024-06-01T00:00:00.000Z' };
      await store().transaction((r) => r.workspaces.saveSso(replaced));
      expect(await store().read.workspaces.sso(a.id)).toStrictEqual(replaced);
      expect(await store().read.workspaces.sso(b.id)).toBeUndefined();
    });

    it('teams: list by name, byNames exact and case-sensitive, byIds leaves unknown ids out', async () => {
      const ws = await addWorkspace(store());
      const other = await addWorkspace(store());
      const zeta = team(ws.id, 'Zeta');
      const alpha = team(ws.id, 'Alpha');
      const foreign = team(other.id, 'Alpha');
      for (const t of [zeta, alpha, foreign]) await store().read.teams.insert(t);
      expect(await store().read.teams.list(ws.id)).toStrictEqual([alpha, zeta]);
      expect(await store().read.teams.byNames(ws.id, ['Zeta', 'alpha', 'Nope'])).toStrictEqual([zeta]);
      expect(await store().read.teams.byNames(ws.id, [])).toEqual([]);
      const byIds = await store().read.teams.byIds(ws.id, [zeta.id, newId(), foreign.id, alpha.id]);
      expect(byIds.map((t) => t.name).sort()).toEqual(['Alpha', 'Zeta']);
      expect(byIds.every((t) => t.workspaceId === ws.id)).toBe(true);
      expect(await store().read.teams.byIds(ws.id, [])).toEqual([]);
    });
  });

  describe('SCIM integrations and tokens', () => {
    it('active integration: the one not disabled', async () => {
      const ws = await addWorkspace(store());
      expect(await store().read.integrations.active(ws.id)).toBeUndefined();
      const first = integration(ws.id, { provider: 'azure', clientName: 'Entra' });
      await store().read.integrations.insert(first);
      expect(await store().read.integrations.active(ws.id)).toStrictEqual(first);
      await store().read.integrations.disable(ws.id, first.id, '2024-05-01T00:00:00.000Z');
      expect(await store().read.integrations.active(ws.id)).toBeUndefined();
      const second = integration(ws.id, { provider: 'generic', clientName: 'Custom' });
      await store().read.integrations.insert(second);
      expect(await store().read.integrations.active(ws.id)).toStrictEqual(second);
    });

    it('tokens are found by (workspace, hash), revoked or not; revokeTokens counts what it revoked', async () => {
      const tokenOf = async (workspaceId: string, hash: string) => (await store().read.integrations.authenticate(workspaceId, hash))?.token;
      const ws = await addWorkspace(store());
      const ws2 = await addWorkspace(store());
      const okta = integration(ws.id);
      const entra = integration(ws.id, { provider: 'azure', clientName: 'Entra' });
      const foreign = integration(ws2.id);
      const t1 = token(ws.id, okta.id, 'hash-1');
      const t2 = token(ws.id, okta.id, 'hash-2');
      const t3 = token(ws.id, entra.id, 'hash-3');
      const t4 = token(ws2.id, foreign.id, 'hash-1');
      const old = token(ws.id, okta.id, 'hash-old', { revokedAt: '2023-01-01T00:00:00.000Z' });
      await store().transaction(async (r) => {
        for (const i of [okta, entra, foreign]) await r.integrations.insert(i);
        for (const t of [t1, t2, t3, t4, old]) await r.integrations.insertToken(t);
      });
      expect(await tokenOf(ws.id, 'hash-1')).toStrictEqual(t1);
      expect(await tokenOf(ws2.id, 'hash-1')).toStrictEqual(t4);
      expect(await tokenOf(ws2.id, 'hash-2')).toBeUndefined();
      expect(await tokenOf(ws.id, 'HASH-1')).toBeUndefined();
      expect(await tokenOf(ws.id, 'hash-old')).toStrictEqual(old);
      // The same hash twice in one workspace is a conflict.
      expect(await conflictOf(store().read.integrations.insertToken(token(ws.id, okta.id, 'hash-1')))).toBeInstanceOf(StoreConflict);

      const at = '2024-05-01T00:00:00.000Z';
      expect(await store().read.integrations.revokeTokens(ws.id, okta.id, at)).toBe(2);
      expect(await store().read.integrations.revokeTokens(ws.id, okta.id, at)).toBe(0);
      expect(await tokenOf(ws.id, 'hash-1')).toStrictEqual({ ...t1, revokedAt: at });
      expect((await tokenOf(ws.id, 'hash-3'))?.revokedAt).toBeNull();
      expect((await tokenOf(ws.id, 'hash-old'))?.revokedAt).toBe('2023-01-01T00:00:00.000Z');

      const later = '2024-06-01T00:00:00.000Z';
      expect(await store().transaction((r) => r.integrations.revokeTokens(ws.id, undefined, later))).toBe(1);
      expect((await tokenOf(ws.id, 'hash-3'))?.revokedAt).toBe(later);
      expect(await tokenOf(ws2.id, 'hash-1')).toStrictEqual(t4);
    });

    it('authenticate reads the token with its workspace, decoded as byId decodes it, and caches nothing', async () => {
      const ws = await addWorkspace(store(), {
        name: 'Auth Co',
        plan: 'business',
        seats: 7,
        defaultLanguage: 'de-DE',
        loginPolicy: 'sso_and_password',
        createdAt: '2024-02-03T04:05:06.789Z',
      });
      const ws2 = await addWorkspace(store());
      const okta = integration(ws.id);
      const foreign = integration(ws2.id);
      // The same hash in two workspaces: the join must not mix their rows up.
      const mine = token(ws.id, okta.id, 'hash-a', { createdAt: '2024-03-01T00:00:00.000Z' });
      const theirs = token(ws2.id, foreign.id, 'hash-a');
      await store().transaction(async (r) => {
        for (const i of [okta, foreign]) await r.integrations.insert(i);
        for (const t of [mine, theirs]) await r.integrations.insertToken(t);
      });
      const found = await store().read.integrations.authenticate(ws.id, 'hash-a');
      expect(found).toStrictEqual({ token: mine, workspace: ws, provider: okta.provider });
      expect(found?.workspace).toStrictEqual(await store().read.workspaces.byId(ws.id));
      expect(await store().read.integrations.authenticate(ws2.id, 'hash-a')).toStrictEqual({
        token: theirs,
        workspace: ws2,
        provider: foreign.provider,
      });
      expect(await store().read.integrations.authenticate(ws.id, 'hash-b')).toBeUndefined();
      expect(await store().read.integrations.authenticate(newId(), 'hash-a')).toBeUndefined();
      expect(await store().transaction((r) => r.integrations.authenticate(ws.id, 'hash-a'))).toStrictEqual(found);

      // Each call reads the rows as they are now: a revocation or a workspace change shows at once.
      const at = '2024-05-01T00:00:00.000Z';
      await store().transaction((r) => r.integrations.revokeTokens(ws.id, okta.id, at));
      const changed = { ...ws, seats: 9, plan: 'enterprise' as const };
      await store().read.workspaces.update(changed);
      expect(await store().read.integrations.authenticate(ws.id, 'hash-a')).toStrictEqual({
        token: { ...mine, revokedAt: at },
        workspace: changed,
        provider: okta.provider,
      });
      expect((await store().read.integrations.authenticate(ws2.id, 'hash-a'))?.token.revokedAt).toBeNull();
    });
  });
});
