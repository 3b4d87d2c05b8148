import { afterAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { authenticate } from '../../src/directory/integrations/scim-integration.js';
import { listRoles } from '../../src/directory/roles/roles.js';
import { listTeams } from '../../src/directory/roles/teams.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import { type CliResult, runCli, tempDatabase } from '../support/cli.js';

/**
 * The CLI contract (README, docs/cli.md): `--json` prints exactly one JSON document on stdout,
 * failures exit non-zero with one line on stderr, `scim enable`/`rotate-token` print
 * `{"baseUrl", "token"}`. Every process start costs one to two CPU-seconds, so spawns are kept
 * few: fixtures that are not under test are written through the directory API, and the
 * scenarios (each on its own database file) run concurrently.
 */
const TIMEOUT = 120_000;
const databases: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of databases) cleanup();
});

function database(): string {
  const { path, cleanup } = tempDatabase();
  databases.push(cleanup);
  return path;
}

/** Exit 0 and stdout is exactly one JSON document. */
function json(result: CliResult): any {
  expect(result.code, result.stderr).toBe(0);
  const text = result.stdout.trim();
  expect(text.startsWith('{') || text.startsWith('['), result.stdout).toBe(true);
  return JSON.parse(result.stdout);
}

/** Exit non-zero, nothing on stdout, exactly one line on stderr. */
function failure(result: CliResult): string {
  expect(result.code, result.stdout).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]?.length).toBeGreaterThan(0);
  return lines[0] as string;
}

/** Seeds a workspace through the directory API (not under test here). */
async function seed(db: string, slug: string, options: { plan?: 'standard' | 'enterprise'; seats?: number; sso?: boolean } = {}) {
  const store = await openStore(db);
  try {
    await createWorkspace(store, { slug, plan: options.plan ?? 'standard', seats: options.seats ?? 10 });
    if (options.sso) await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
  } finally {
    await store.close();
  }
}

describe.concurrent('roster CLI', () => {
  it(
    'workspace create/list → sso configure → scim enable → the token works on a server → rotate-token → disable',
    async () => {
      const db = database();
      const d = ['--database', db];

      const created = json(
        await runCli(['workspace', 'create', 'acme', '--plan', 'enterprise', '--seats', '5', '--name', 'Acme Inc', '--json', ...d]),
      );
      expect(created).toMatchObject({ slug: 'acme', plan: 'enterprise', seats: 5, name: 'Acme Inc' });
      expect(typeof created.id).toBe('string');

      const [listed, tooEarly] = await Promise.all([
        runCli(['workspace', 'list', '--json', ...d]),
        runCli(['scim', 'enable', 'acme', '--provider', 'okta', ...d]),
      ]);
      const list = json(listed);
      expect(Array.isArray(list)).toBe(true);
      expect(list.map((w: { slug: string; id: string }) => [w.slug, w.id])).toEqual([['acme', created.id]]);
      // Enterprise, but no SSO yet: a refusal by a workspace rule (exit status 5, docs/cli.md).
      expect(failure(tooEarly)).toMatch(/sso|single sign-on/i);
      expect(tooEarly.code).toBe(5);

      const sso = await runCli([
        'sso',
        'configure',
        'acme',
        '--issuer',
        'https://login.example.com',
        '--client-id',
        'roster',
        '--client-secret',
        'super-secret-value',
        '--json',
        ...d,
      ]);
      expect(json(sso)).toMatchObject({ workspace: 'acme', issuer: 'https://login.example.com', clientId: 'roster' });
      expect(sso.stdout + sso.stderr).not.toContain('super-secret-value');

      const enabled = await runCli(['scim', 'enable', 'acme', '--provider', 'okta', ...d], {
        ROSTER_PUBLIC_URL: 'https://roster.example.com',
      });
      const issued = json(enabled);
      expect(Object.keys(issued).sort()).toEqual(['baseUrl', 'token']);
      expect(issued.baseUrl).toBe('https://roster.example.com/scim/v2');
      expect(typeof issued.token).toBe('string');
      expect(issued.token.length).toBeGreaterThanOrEqual(32);

      // The token authenticates against a server started on the same database file.
      const store = await openStore(db);
      const app = await composeApp({ store, config: loadConfig({ database: db, port: 0 }, {}) });
      const users = (token: string) => app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: `Bearer ${token}` } });
      try {
        expect((await authenticate(store, issued.token))?.slug).toBe('acme');
        const ok = await users(issued.token);
        expect(ok.statusCode).toBe(200);
        expect(ok.json()).toMatchObject({ totalResults: 0, Resources: [] });

        const rotated = json(await runCli(['scim', 'rotate-token', 'acme', '--json', ...d]));
        expect(Object.keys(rotated).sort()).toEqual(['baseUrl', 'token']);
        expect(rotated.token).not.toBe(issued.token);
        // The old token is revoked at once, without restarting the server.
        expect(await authenticate(store, issued.token)).toBeUndefined();
        expect((await users(issued.token)).statusCode).toBe(401);
        expect((await users(rotated.token)).statusCode).toBe(200);

        const disabled = json(await runCli(['scim', 'disable', 'acme', '--json', ...d]));
        expect(disabled).toMatchObject({ workspace: 'acme' });
        expect(disabled.revokedTokens).toBeGreaterThanOrEqual(1);
        expect(await authenticate(store, rotated.token)).toBeUndefined();
        expect((await users(rotated.token)).statusCode).toBe(401);
      } finally {
        await app.close();
        await store.close();
      }
    },
    TIMEOUT,
  );

  it(
    'scim enable refuses a workspace that is not on the enterprise plan, even with SSO',
    async () => {
      const db = database();
      await seed(db, 'small', { plan: 'standard', sso: true });
      const refused = await runCli(['scim', 'enable', 'small', '--provider', 'azure', '--database', db]);
      expect(failure(refused)).toMatch(/enterprise/);
      const store = await openStore(db);
      try {
        const integration = await store.read.integrations.active((await store.read.workspaces.bySlug('small'))?.id as string);
        expect(integration).toBeUndefined();
      } finally {
        await store.close();
      }
    },
    TIMEOUT,
  );

  it(
    'role list / create / rename (the id stays)',
    async () => {
      const db = database();
      const d = ['--database', db];
      await seed(db, 'roles');
      const [listed, created] = await Promise.all([
        runCli(['role', 'list', 'roles', '--json', ...d]),
        runCli(['role', 'create', 'roles', 'Editor', '--level', '50', '--json', ...d]),
      ]);
      expect(json(listed).map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['Admin', 'Member', 'Guest']));
      const editor = json(created);
      expect(editor).toMatchObject({ name: 'Editor', level: 50, isGuest: false });

      const writer = json(await runCli(['role', 'rename', 'roles', 'Editor', 'Writer', '--json', ...d]));
      expect(writer).toMatchObject({ id: editor.id, name: 'Writer', level: 50 });
      const store = await openStore(db);
      try {
        const roles = await listRoles(store, 'roles');
        expect(roles.find((r) => r.id === editor.id)?.name).toBe('Writer');
        expect(roles.some((r) => r.name === 'Editor')).toBe(false);
      } finally {
        await store.close();
      }
    },
    TIMEOUT,
  );

  it(
    'team create / list and user add / list; ROSTER_DATABASE is honoured without --database',
    async () => {
      const db = database();
      const d = ['--database', db];
      await seed(db, 'people', { seats: 1 });
      const [team, user] = await Promise.all([
        runCli(['team', 'create', 'people', 'Engineering', '--json'], { ROSTER_DATABASE: db }),
        runCli(['user', 'add', 'people', 'ada@example.com', '--given-name', 'Ada', '--family-name', 'Lovelace', '--json', ...d]),
      ]);
      expect(json(team)).toMatchObject({ name: 'Engineering' });
      const added = json(user);
      expect(added).toMatchObject({ userName: 'ada@example.com', givenName: 'Ada', familyName: 'Lovelace', active: true });

      const [teams, users] = await Promise.all([
        runCli(['team', 'list', 'people', '--json', ...d]),
        runCli(['user', 'list', 'people', '--json'], { ROSTER_DATABASE: db }),
      ]);
      expect(json(teams).map((t: { name: string }) => t.name)).toEqual(['Engineering']);
      expect(json(users).map((u: { id: string; userName: string }) => [u.id, u.userName])).toEqual([[added.id, 'ada@example.com']]);
      const store = await openStore(db);
      try {
        expect((await listTeams(store, 'people')).map((t) => t.name)).toEqual(['Engineering']);
      } finally {
        await store.close();
      }
    },
    TIMEOUT,
  );

  it(
    'an unknown command or a bad option exits non-zero with one line on stderr and writes nothing',
    async () => {
      const db = database();
      const d = ['--database', db];
      const [unknown, badPlan] = await Promise.all([
        runCli(['frobnicate', ...d]),
        runCli(['workspace', 'create', 'x', '--plan', 'platinum', ...d]),
      ]);
      expect(failure(unknown)).toMatch(/frobnicate/);
      expect(failure(badPlan)).toMatch(/platinum|plan/);
      // A directory error exits with its code's status (docs/cli.md): not found 3, conflict 4, invalid 6.
      const [missing, badSlug] = await Promise.all([
        runCli(['role', 'list', 'nowhere', ...d]),
        runCli(['workspace', 'create', 'Not A Slug', ...d]),
      ]);
      expect(failure(missing)).toMatch(/nowhere/);
      expect(missing.code).toBe(3);
      expect(failure(badSlug)).toMatch(/slug/);
      expect(badSlug.code).toBe(6);
      const store = await openStore(db);
      try {
        expect(await store.read.workspaces.list()).toEqual([]);
      } finally {
        await store.close();
      }
    },
    TIMEOUT,
  );
});
