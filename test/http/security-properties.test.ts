import * as crypto from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { authenticate, enableScim, rotateToken } from '../../src/directory/integrations/scim-integration.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { newUser, patchOps, type ScimClient, scimClient, startServer, type TestServer } from '../support/scim-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { create, ERROR_SCHEMA, expectScimError, type Json, read, SEARCH_SCHEMA } from './helpers.js';

/**
 * Security properties of issue 7 that no other test pinned down (see docs/reliability.md for the
 * whole mapping): the token's shape and storage, the constant-time comparison, tenant isolation on
 * every id route the app registers, the PATCH operation and page size limits over HTTP, and the
 * full set of security headers.
 */

// Spy on timingSafeEqual (the real one still runs), to prove that token hashes are compared with it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

/** Every row of every table, as one JSON text: what someone with a copy of the database sees. */
async function dumpDatabase(url: string): Promise<string> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    const db = new Database(url, { readonly: true });
    try {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
      return JSON.stringify(tables.map(({ name }) => [name, db.prepare(`select * from "${name}"`).all()]));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    const rows: unknown[] = [];
    for (const { table_name } of tables.rows) rows.push([table_name, (await client.query(`select * from "${table_name}"`)).rows]);
    return JSON.stringify(rows);
  } finally {
    await client.end();
  }
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

describe('SCIM tokens', () => {
  let database: TestDatabase;
  let store: SqlStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    await createWorkspace(store, { slug: 'tokens', plan: 'enterprise' });
    await configureSso(store, 'tokens', { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('are prefixed for secret scanners, carry 256 random bits, and are stored only as their SHA-256 hash', async () => {
    const first = await enableScim(store, 'tokens', 'okta');
    const second = await rotateToken(store, 'tokens');
    for (const { token } of [first, second]) {
      expect(token).toMatch(/^roster_scim_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(-43), 'base64url')).toHaveLength(32);
    }
    expect(first.token.slice(-43)).not.toBe(second.token.slice(-43));
    await store.close(); // SQLite: checkpoint the WAL into the file that dumpDatabase reads
    const dump = await dumpDatabase(database.url);
    store = await openStore(database.url);
    for (const { token } of [first, second]) {
      expect(dump, 'the token in clear in the database').not.toContain(token);
      expect(dump, "the token's secret part in the database").not.toContain(token.slice(-43));
      expect(dump, "the token's SHA-256 hash in the database").toContain(sha256(token));
    }
  });

  it('are compared by hash in constant time (timingSafeEqual), and a revoked token is refused at once', async () => {
    const { token } = await rotateToken(store, 'tokens');
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    expect(await authenticate(store, token)).toMatchObject({ slug: 'tokens' });
    expect(spy).toHaveBeenCalledTimes(1);
    const [left, right] = spy.mock.calls[0] as [Buffer, Buffer];
    expect(Buffer.from(left).toString('hex')).toBe(sha256(token));
    expect(Buffer.from(right).toString('hex')).toBe(sha256(token));
    // Same workspace id, wrong secret: unknown. Then rotation revokes the token at once.
    expect(await authenticate(store, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    await rotateToken(store, 'tokens');
    expect(await authenticate(store, token)).toBeUndefined();
  });
});

/** The routes the app registers, from Fastify's route tree: `[path, methods]`. */
function registeredRoutes(tree: string): Array<[string, string[]]> {
  const routes: Array<[string, string[]]> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    stack.length = depth;
    stack.push(match[2] as string);
    routes.push([stack.join(''), (match[3] as string).split(', ')]);
  }
  return routes;
}

describe('tenant isolation on every id route', () => {
  let server: TestServer;
  let a: ScimClient;
  let b: ScimClient;
  let userB: Json;
  let groupB: Json;
  let ownUser: Json;
  let ownGroup: Json;
  const UNKNOWN = '2b7c1f0e-6a43-4b1e-9a5d-0c3f5e1a9d77';

  beforeAll(async () => {
    server = await startServer();
    a = scimClient(server, await server.workspace('iso-a'));
    b = scimClient(server, await server.workspace('iso-b'));
    ownUser = await create(a, newUser('alice@a.example'));
    ownGroup = (await a.get('/Groups')).body.Resources[0];
    userB = await create(b, newUser('bob@b.example', { title: 'B title' }));
    groupB = (await b.get('/Groups')).body.Resources[0];
  });
  afterAll(async () => server.close());

  /** A body each method accepts for a resource of this type, so that only the id decides the answer. */
  const bodyFor = (resource: 'Users' | 'Groups', method: string): unknown => {
    if (method === 'PATCH') return patchOps({ op: 'replace', path: resource === 'Users' ? 'title' : 'displayName', value: 'taken over' });
    if (method === 'PUT' || method === 'POST') {
      return resource === 'Users' ? newUser('bob@b.example', { title: 'taken over' }) : { ...groupB, members: [] };
    }
    return undefined;
  };

  it("answers a foreign id exactly as an unknown id (404; a 403 only where the method is refused for every id), on every method of every route with an id, and B's data is unchanged", async () => {
    const routes = registeredRoutes(server.app.printRoutes({ commonPrefix: false })).filter(([path]) => path.includes('/:'));
    // The SCIM API, where a bearer token chooses the workspace (the admin console under /w/:slug has sessions instead).
    const resourceRoutes = routes.filter(([path]) => path.startsWith('/scim/v2/') && !/^\/scim\/v2\/(Schemas|ResourceTypes)\//.test(path));
    // A new resource route must be added here (and so get this check) before it can pass.
    expect(resourceRoutes.map(([path]) => path).sort()).toEqual(['/scim/v2/Groups/:id', '/scim/v2/Users/:id']);
    const beforeUser = await read(b, userB.id);
    const beforeGroup = (await b.get(`/Groups/${groupB.id}`)).body;
    let checked = 0;
    for (const [path, methods] of resourceRoutes) {
      const resource = path.includes('/Users/') ? 'Users' : 'Groups';
      const foreignId = resource === 'Users' ? userB.id : groupB.id;
      for (const method of methods) {
        const body = bodyFor(resource, method);
        const foreign = await a.call(method, `/${resource}/${foreignId}`, body);
        const unknown = await a.call(method, `/${resource}/${UNKNOWN}`, body);
        const what = `${method} /${resource}/<B's id> → ${foreign.status} ${JSON.stringify(foreign.body)}`;
        expect(foreign.status, what).toBe(unknown.status);
        expect(foreign.status, what).toBeGreaterThanOrEqual(400);
        if (foreign.status === 403) {
          // Only a refusal of the method itself, the same for A's own resource (DELETE /Groups/:id: roles are not
          // deleted over SCIM), reveals nothing; a 403 that depends on the id would tell A that B's id exists.
          const ownId = resource === 'Users' ? ownUser.id : ownGroup.id;
          const own = await a.call(method, `/${resource}/${ownId}`, body);
          expect(own.status, `${what}, but ${method} of A's own resource → ${own.status}`).toBe(403);
        }
        if (method !== 'HEAD') {
          expect(foreign.body.schemas, what).toEqual([ERROR_SCHEMA]);
          expect(foreign.body.scimType, what).toBe(unknown.body.scimType);
          // The same words, but for the id that was sent and the trace id: nothing about B's resource.
          const normal = (detail: unknown, id: string) =>
            String(detail)
              .replaceAll(id, '<id>')
              .replace(/trace id [0-9a-f-]+/, 'trace id <trace>');
          expect(normal(foreign.body.detail, foreignId), what).toBe(normal(unknown.body.detail, UNKNOWN));
        }
        // Methods that act on the resource answer 404. POST is 405 on an id, and groups are never deleted over SCIM.
        const actsOnResource = ['GET', 'HEAD', 'PUT', 'PATCH'].includes(method) || (method === 'DELETE' && resource === 'Users');
        if (actsOnResource) expect(foreign.status, what).toBe(404);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
    expect(await read(b, userB.id)).toEqual(beforeUser);
    expect((await b.get(`/Groups/${groupB.id}`)).body).toEqual(beforeGroup);
  });

  it("finds nothing of B by id, userName or member in A's filters and searches", async () => {
    const filters = [
      ['/Users', `id eq "${userB.id}"`],
      ['/Users', 'userName eq "bob@b.example"'],
      ['/Users', 'title eq "B title"'],
      ['/Groups', `id eq "${groupB.id}"`],
      ['/Groups', `members.value eq "${userB.id}"`],
    ] as const;
    for (const [endpoint, filter] of filters) {
      const listed = await a.get(`${endpoint}?filter=${encodeURIComponent(filter)}`);
      expect(listed.status, filter).toBe(200);
      expect(listed.body.totalResults, filter).toBe(0);
      const searched = await a.post(`${endpoint}/.search`, { schemas: [SEARCH_SCHEMA], filter });
      expect(searched.status, filter).toBe(200);
      expect(searched.body.totalResults, filter).toBe(0);
    }
  });
});

describe('limits over HTTP', () => {
  let server: TestServer;
  let scim: ScimClient;
  beforeAll(async () => {
    server = await startServer({ ROSTER_SCIM_MAX_OPERATIONS: '5', ROSTER_SCIM_MAX_RESULTS: '3' });
    scim = scimClient(server, await server.workspace('limits'));
  });
  afterAll(async () => server.close());

  it('refuses a PATCH over the configured operation count with 400 tooMany and changes nothing', async () => {
    const user = await create(scim, newUser('ops@example.com'));
    const op = (i: number) => ({ op: 'replace', path: 'title', value: `t${i}` });
    const tooMany = await scim.patch(`/Users/${user.id}`, patchOps(...Array.from({ length: 6 }, (_, i) => op(i))));
    expectScimError(tooMany, 400, 'tooMany');
    expect((await read(scim, user.id)).title).toBeUndefined();
    const group = (await scim.get('/Groups')).body.Resources[0];
    const groupTooMany = await scim.patch(
      `/Groups/${group.id}`,
      patchOps(...Array.from({ length: 6 }, () => ({ op: 'add', path: 'members', value: [{ value: user.id }] }))),
    );
    expectScimError(groupTooMany, 400, 'tooMany');
    expect([200, 204]).toContain((await scim.patch(`/Users/${user.id}`, patchOps(...Array.from({ length: 5 }, (_, i) => op(i))))).status);
    expect((await read(scim, user.id)).title).toBe('t4');
  });

  it('caps count at the configured page size, on GET and on .search', async () => {
    for (let i = 0; i < 5; i++) await create(scim, newUser(`page${i}@example.com`));
    const listed = await scim.get('/Users?count=100000');
    expect(listed.status).toBe(200);
    expect(listed.body.Resources).toHaveLength(3);
    expect(listed.body.itemsPerPage).toBe(3);
    expect(listed.body.totalResults).toBeGreaterThanOrEqual(5);
    const searched = await scim.post('/Users/.search', { schemas: [SEARCH_SCHEMA], count: 100000 });
    expect(searched.status).toBe(200);
    expect(searched.body.Resources).toHaveLength(3);
  });
});

describe('an unexpected failure (500)', () => {
  it('answers a bare SCIM error with the trace id: no stack trace, no SQL, no file path, no error class', async () => {
    const database = await createTestDatabase();
    const store = await openStore(database.url);
    try {
      await createWorkspace(store, { slug: 'broken', plan: 'enterprise' });
      await configureSso(store, 'broken', { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
      const { token } = await enableScim(store, 'broken', 'generic');
      const app = await composeApp({ store, config: loadConfig({ database: database.url }), logger: pino({ level: 'silent' }) });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
      expect((await app.inject({ url: '/scim/v2/Users', headers })).statusCode).toBe(200);
      // Closing the database under the running app makes the next requests fail inside.
      await store.close();
      const failures = [
        await app.inject({ url: '/scim/v2/Users?filter=userName%20eq%20%22x%22', headers }),
        await app.inject({ method: 'POST', url: '/scim/v2/Users', headers, payload: JSON.stringify(newUser('crash@example.com')) }),
      ];
      await app.close();
      for (const failed of failures) {
        expect(failed.statusCode).toBe(500);
        const body = failed.json();
        expect(Object.keys(body).sort()).toEqual(['detail', 'schemas', 'status']);
        expect(body.schemas).toEqual([ERROR_SCHEMA]);
        expect(body.detail).toContain(String(failed.headers['x-trace-id']));
        expect(failed.body).not.toMatch(/\bat .*:\d+:\d+|\.ts\b|\.js\b|node_modules|src\//);
        expect(failed.body).not.toMatch(/\b(select|insert|update|from|where)\b|sqlite|postgres|kysely|TypeError|Error:/i);
      }
    } finally {
      await store.close().catch(() => undefined);
      await database.drop();
    }
  });
});

describe('security headers on every kind of response', () => {
  let server: TestServer;
  let scim: ScimClient;
  beforeAll(async () => {
    server = await startServer();
    scim = scimClient(server, await server.workspace('headers'));
  });
  afterAll(async () => server.close());

  it('sends nosniff, frame denial, a restrictive CSP and HSTS, and no X-Powered-By, on 200, 201, 4xx and discovery answers', async () => {
    const responses = [
      ['200', await scim.get('/Users')],
      ['201', await scim.post('/Users', newUser('headers@example.com'))],
      ['400', await scim.get('/Users?filter=%28%28')],
      ['401', await scimClient(server, 'roster_scim_nope').get('/Users')],
      ['404', await scim.get('/Nowhere')],
      ['discovery', await scimClient(server, undefined).get('/ServiceProviderConfig')],
    ] as const;
    for (const [what, response] of responses) {
      expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), what).toMatch(/^(SAMEORIGIN|DENY)$/);
      expect(response.headers.get('content-security-policy'), what).toContain("default-src 'self'");
      expect(response.headers.get('strict-transport-security'), what).toMatch(/max-age=\d+/);
      expect(response.headers.get('x-powered-by'), what).toBeNull();
    }
  });
});
