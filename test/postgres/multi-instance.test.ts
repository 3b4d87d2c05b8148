import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableScim, rotateToken } from '../../src/directory/integrations/scim-integration.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { freePort } from '../reliability/reliability-support.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Two `roster serve` processes on one PostgreSQL database, driven concurrently: the invariants of
 * docs/scaling.md must hold across instances.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function startInstance(database: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'serve', '--database', database, '--port', String(port), '--no-demo'],
    {
      cwd: process.cwd(),
      env: { ...process.env, ROSTER_LOG_LEVEL: 'warn', ROSTER_PUBLIC_URL: `http://127.0.0.1:${port}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, process: child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`instance on port ${port} did not become ready`);
}

function client(base: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

const user = (userName: string, active = true) => ({
  schemas: [USER],
  userName,
  name: { givenName: 'Con', familyName: 'Current' },
  active,
});

describe('several instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let store: SqlStore;
  let instances: Array<{ url: string; process: ChildProcess }>;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    // Both instances migrate the empty database at the same moment: the advisory lock serialises them.
    instances = await Promise.all([startInstance(database.url), startInstance(database.url)]);
    store = await openStore(database.url);
    await createWorkspace(store, { slug: 'multi', plan: 'enterprise', seats: 1000 });
    await configureSso(store, 'multi', { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
    token = (await enableScim(store, 'multi', 'okta')).token;
  }, 90_000);

  afterAll(async () => {
    for (const instance of instances ?? []) instance.process.kill('SIGTERM');
    await store?.close();
    await database?.drop();
  });

  it('gives exactly one 201 and one 409 for simultaneous creates of the same userName', async () => {
    const [a, b] = instances.map((i) => client(i.url, token)) as [ReturnType<typeof client>, ReturnType<typeof client>];
    const pairs = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        Promise.all([a('POST', '/Users', user(`dup${n}@example.com`)), b('POST', '/Users', user(`DUP${n}@example.com`))]),
      ),
    );
    for (const pair of pairs) expect(pair.map((r) => r.status).sort()).toEqual([201, 409]);
    const listed = await a('GET', `/Users?filter=${encodeURIComponent('userName sw "dup"')}&count=100`);
    expect(listed.body.totalResults).toBe(20);
  });

  it('loses no update when both instances patch the same user at once', async () => {
    const [a, b] = instances.map((i) => client(i.url, token)) as [ReturnType<typeof client>, ReturnType<typeof client>];
    const created = await a('POST', '/Users', user('target@example.com'));
    const id = created.body.id;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        (n % 2 ? a : b)('PATCH', `/Users/${id}`, {
          schemas: [PATCH],
          Operations: [{ op: 'add', path: 'phoneNumbers', value: [{ value: `+49 30 ${1000 + n}`, type: 'work' }] }],
        }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const final = await b('GET', `/Users/${id}`);
    expect(final.body.phoneNumbers).toHaveLength(40);
    expect(final.body.meta.version).toBe('W/"41"');
  });

  it('never activates more users than there are seats', async () => {
    await createWorkspace(store, { slug: 'seats', plan: 'enterprise', seats: 5 });
    await configureSso(store, 'seats', { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
    const seatToken = (await enableScim(store, 'seats', 'azure')).token;
    const [a, b] = instances.map((i) => client(i.url, seatToken)) as [ReturnType<typeof client>, ReturnType<typeof client>];
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, n) => (n % 2 ? a : b)('POST', '/Users', user(`seat${n}@example.com`))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 409)).toBe(true);
    const workspace = await store.read.workspaces.bySlug('seats');
    expect(await store.read.users.countSeatsUsed(workspace?.id as string)).toBe(5);
  });

  it('applies concurrent group assignments from both instances', async () => {
    const [a, b] = instances.map((i) => client(i.url, token)) as [ReturnType<typeof client>, ReturnType<typeof client>];
    const ids = await Promise.all(
      Array.from({ length: 10 }, async (_, n) => (await a('POST', '/Users', user(`member${n}@example.com`))).body.id as string),
    );
    const groups = await a('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Admin"')}`);
    const admin = groups.body.Resources[0].id;
    const results = await Promise.all(
      ids.map((id, n) =>
        (n % 2 ? a : b)('PATCH', `/Groups/${admin}`, {
          schemas: [PATCH],
          Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 204));
    const group = await b('GET', `/Groups/${admin}`);
    const members = new Set((group.body.members ?? []).map((m: { value: string }) => m.value));
    for (const id of ids) expect(members.has(id)).toBe(true);
  });

  it('moves users between two roles in both directions at once without a failed request (lock order of Groups writes)', async () => {
    const [a, b] = instances.map((i) => client(i.url, token)) as [ReturnType<typeof client>, ReturnType<typeof client>];
    const groupId = async (name: string) =>
      (await a('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`)).body.Resources[0].id as string;
    const [admin, member] = [await groupId('Admin'), await groupId('Member')];
    const ids = await Promise.all(
      Array.from({ length: 24 }, async (_, n) => (await a('POST', '/Users', user(`swap${n}@example.com`))).body.id as string),
    );
    const add = (role: string, id: string, n: number) =>
      (n % 2 ? a : b)('PATCH', `/Groups/${role}`, {
        schemas: [PATCH],
        Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
      });
    // Half start in Admin. Each round moves every user to the other role: requests to Admin and to
    // Member run at once, each touching the role its users leave after the one it changes.
    await Promise.all(ids.slice(0, 12).map((id, n) => add(admin, id, n)));
    const inAdmin = new Set(ids.slice(0, 12));
    for (let round = 0; round < 6; round++) {
      const results = await Promise.all(ids.map((id, n) => add(inAdmin.has(id) ? member : admin, id, n)));
      expect(results.map((r) => r.status)).toEqual(ids.map(() => 204));
      for (const id of ids) if (!inAdmin.delete(id)) inAdmin.add(id);
    }
    const members = new Set(((await b('GET', `/Groups/${admin}`)).body.members ?? []).map((m: { value: string }) => m.value));
    expect(ids.filter((id) => members.has(id)).sort()).toEqual([...inAdmin].sort());
  });

  it('refuses a token rotated away through another instance at once', async () => {
    const [a, b] = instances.map((i) => client(i.url, token)) as [ReturnType<typeof client>, ReturnType<typeof client>];
    expect((await a('GET', '/Users?count=1')).status).toBe(200);
    expect((await b('GET', '/Users?count=1')).status).toBe(200);
    const rotated = await rotateToken(store, 'multi');
    expect((await a('GET', '/Users?count=1')).status).toBe(401);
    expect((await b('GET', '/Users?count=1')).status).toBe(401);
    expect((await client(instances[1]?.url as string, rotated.token)('GET', '/Users?count=1')).status).toBe(200);
    token = rotated.token;
  });
});
