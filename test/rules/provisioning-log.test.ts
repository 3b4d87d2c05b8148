import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { ProvisioningLogEntry } from '../../src/directory/model.js';
import type { DirectoryStore } from '../../src/directory/ports.js';
import { ProvisioningLog } from '../../src/directory/provisioning-log.js';
import { enableScim } from '../../src/directory/scim-integration.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces.js';
import { buildApp } from '../../src/http/app.js';
import { openStore } from '../../src/storage/open-store.js';
import { type ScimResponse, scimClient, startServer, type TestServer } from '../support/scim-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import {
  createUser,
  expectScimError,
  expectStatus,
  freshWorkspace,
  type Json,
  logEntryFor,
  logOf,
  newUser,
  patchOps,
  runCli,
  type Workspace,
} from './rules-support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * The article: "Check the users that cannot be provisioned and check the corresponding error
 * messages. Send our support team the trace id so we can check it for you."
 */
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server.close());

describe('provisioning log and trace ids', () => {
  let a: Workspace;
  let b: Workspace;

  beforeAll(async () => {
    a = await freshWorkspace(server, 'log-a');
    b = await freshWorkspace(server, 'log-b');
  });

  const traceOf = (response: ScimResponse): string => {
    const traceId = response.headers.get('x-trace-id');
    expect(traceId, `X-Trace-Id on ${response.status}`).toMatch(UUID);
    return traceId as string;
  };

  it('every SCIM response carries a distinct X-Trace-Id, errors included, and error details contain it', async () => {
    const anonymous = scimClient(server, undefined);
    const wrongToken = scimClient(server, 'not-a-token');
    const user = await a.scim.post('/Users', newUser('trace@example.com'));
    const responses: ScimResponse[] = [
      user,
      await a.scim.get('/Users'),
      await a.scim.get(`/Users/${user.body.id}`),
      await a.scim.patch(`/Users/${user.body.id}`, patchOps({ op: 'replace', path: 'title', value: 'T' })),
      await a.scim.get('/Groups'),
      await a.scim.get('/ServiceProviderConfig'),
      await a.scim.get('/Schemas'),
      await a.scim.get('/ResourceTypes'),
      await a.scim.get('/Users/does-not-exist'),
      await a.scim.post('/Users', newUser('trace@example.com')),
      await a.scim.post('/Users', { schemas: [] }),
      await a.scim.get(`/Users?filter=${encodeURIComponent('userName eq')}`),
      await a.scim.get('/NoSuchEndpoint'),
      await anonymous.get('/Users'),
      await wrongToken.get('/Users'),
      await a.scim.delete(`/Users/${user.body.id}`),
    ];
    const traces = responses.map(traceOf);
    expect(new Set(traces).size).toBe(traces.length);
    for (const response of responses.filter((r) => r.status >= 400)) expectScimError(response, response.status);
    expect(responses.filter((r) => r.status >= 400).map((r) => r.status)).toEqual([404, 409, 400, 400, 404, 401, 401]);
  });

  it('after a flush, each request has an entry with time, traceId, method, path, status and resourceId', async () => {
    const started = Date.now();
    const created = await a.scim.post('/Users', newUser('entry@example.com'));
    expectStatus(created, 201);
    const id = created.body.id as string;
    const read = await a.scim.get(`/Users/${id}?attributes=userName`);
    const listed = await a.scim.get(`/Users?filter=${encodeURIComponent('userName eq "entry@example.com"')}`);

    const entry = await logEntryFor(server, a.workspaceId, created);
    expect(entry).toMatchObject({
      workspaceId: a.workspaceId,
      traceId: traceOf(created),
      method: 'POST',
      path: '/scim/v2/Users',
      status: 201,
      resourceId: id,
      detail: null,
    });
    expect(entry.time).toMatch(ISO);
    expect(Date.parse(entry.time)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(entry.time)).toBeLessThanOrEqual(Date.now() + 1000);

    expect(await logEntryFor(server, a.workspaceId, read)).toMatchObject({
      method: 'GET',
      path: `/scim/v2/Users/${id}?attributes=userName`,
      status: 200,
      resourceId: id,
      detail: null,
    });
    const listEntry = await logEntryFor(server, a.workspaceId, listed);
    expect(listEntry).toMatchObject({ method: 'GET', status: 200, detail: null });
    expect(listEntry.path.startsWith('/scim/v2/Users?filter=')).toBe(true);

    const newest = await logOf(server, a.workspaceId, 3);
    expect(newest.map((e) => e.traceId)).toEqual([listed, read, created].map(traceOf));
  });

  it('errors are logged with their status and detail, for support to find by trace id', async () => {
    const user = await createUser(a.scim, newUser('errors@example.com'));
    const conflict = await a.scim.post('/Users', newUser('errors@example.com'));
    const missing = await a.scim.get('/Users/01890000-0000-7000-8000-000000000000');
    const invalid = await a.scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'timezone', value: 'Mars/Olympus' }));
    const cases: Array<[ScimResponse, number, string, string | null]> = [
      [conflict, 409, 'POST', null],
      [missing, 404, 'GET', '01890000-0000-7000-8000-000000000000'],
      [invalid, 400, 'PATCH', user.id],
    ];
    for (const [response, status, method, resourceId] of cases) {
      expectScimError(response, status);
      const entry = await logEntryFor(server, a.workspaceId, response);
      expect(entry.status).toBe(status);
      expect(entry.method).toBe(method);
      expect(entry.resourceId).toBe(resourceId);
      expect(typeof entry.detail).toBe('string');
      expect((entry.detail as string).length).toBeGreaterThan(0);
      expect(response.body.detail).toContain(entry.detail);
    }
    expect((await logEntryFor(server, a.workspaceId, invalid)).detail).toContain('Mars/Olympus');
  });

  it("requests of workspace A never appear in workspace B's log", async () => {
    const fromA: ScimResponse[] = [
      await a.scim.post('/Users', newUser('only-a@example.com')),
      await a.scim.get('/Users'),
      await a.scim.get('/Users/unknown-in-a'),
    ];
    const fromB = await b.scim.get('/Groups');
    const aTraces = new Set(fromA.map(traceOf));
    const logB = await logOf(server, b.workspaceId, 1000);
    expect(logB.some((e) => aTraces.has(e.traceId))).toBe(false);
    expect(logB.every((e) => e.workspaceId === b.workspaceId)).toBe(true);
    expect(logB.map((e) => e.traceId)).toContain(traceOf(fromB));
    const logA = await logOf(server, a.workspaceId, 1000);
    for (const trace of aTraces) expect(logA.map((e) => e.traceId)).toContain(trace);
    expect(logA.map((e) => e.traceId)).not.toContain(traceOf(fromB));
    // B's token cannot read A's user either.
    expectScimError(await b.scim.get(`/Users/${fromA[0]?.body.id}`), 404);
  });
});

describe('the `roster log` CLI', () => {
  let db: TestDatabase;
  let database: string;
  const slug = 'cli-log';
  let traces: { created: string; conflict: string; list: string };
  type CliResult = Awaited<ReturnType<typeof runCli>>;
  let newest: CliResult;
  let byTrace: CliResult;

  beforeAll(async () => {
    // A database of the engine under test, written by an app built here and read by the CLI.
    db = await createTestDatabase();
    database = db.url;
    const store = await openStore(database);
    await createWorkspace(store, { slug, plan: 'enterprise', seats: 10 });
    await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: 'id', clientSecret: 'secret' });
    const { token } = await enableScim(store, slug, 'generic');
    const app = await buildApp({ store, config: loadConfig({ database, port: 0 }, {}) });
    const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const response = await app.inject({
        method,
        url: `/scim/v2${url}`,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/scim+json' } : {}) },
        ...(payload ? { payload: JSON.stringify(payload) } : {}),
      });
      return { status: response.statusCode, traceId: String(response.headers['x-trace-id']) };
    };
    for (let i = 0; i < 4; i++) await inject('GET', `/Users?startIndex=${i + 1}`);
    const created = await inject('POST', '/Users', newUser('cli@example.com'));
    expect(created.status).toBe(201);
    const conflict = await inject('POST', '/Users', newUser('cli@example.com'));
    expect(conflict.status).toBe(409);
    const list = await inject('GET', '/Users');
    traces = { created: created.traceId, conflict: conflict.traceId, list: list.traceId };
    await app.provisioningLog.flush();
    await app.close();
    await store.close();
    // Both CLI runs only read the closed database, so they run side by side.
    [newest, byTrace] = await Promise.all([
      runCli(['log', slug, '--json', '--limit', '5', '--database', database]),
      runCli(['log', slug, '--json', '--trace-id', traces.created, '--database', database]),
    ]);
  });
  afterAll(async () => db.drop());

  it('--json --limit 5 prints a JSON array of the newest entries', () => {
    const result = newest;
    expect(result.status, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout) as Json[];
    expect(Array.isArray(entries)).toBe(true);
    expect(entries).toHaveLength(5);
    for (const entry of entries) {
      expect(entry.time).toMatch(ISO);
      expect(entry.traceId).toMatch(UUID);
      expect(typeof entry.method).toBe('string');
      expect(entry.path).toMatch(/^\/scim\/v2\//);
      expect(typeof entry.status).toBe('number');
    }
    expect(entries.slice(0, 3).map((e) => e.traceId)).toEqual([traces.list, traces.conflict, traces.created]);
    expect(entries[1]).toMatchObject({ method: 'POST', path: '/scim/v2/Users', status: 409 });
    expect(entries[1]?.detail).toMatch(/already taken/);
  });

  it('--trace-id returns exactly that entry', () => {
    const result = byTrace;
    expect(result.status, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout) as Json[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ traceId: traces.created, method: 'POST', path: '/scim/v2/Users', status: 201 });
  });
});

describe('ProvisioningLog retention and durability', () => {
  let store: TestServer['store'];
  let workspaceId: string;
  let otherId: string;

  beforeAll(async () => {
    store = server.store;
    workspaceId = (await createWorkspace(store, { slug: 'prune' })).id;
    otherId = (await createWorkspace(store, { slug: 'prune-other' })).id;
  });

  const entry = (ws: string, traceId: string, time: number) => ({
    workspaceId: ws,
    time: new Date(time).toISOString(),
    traceId,
    method: 'GET',
    path: '/scim/v2/Users',
    status: 200,
    resourceId: null,
    detail: null,
    warnings: [],
  });

  it('keeps at most maxEntriesPerWorkspace entries, the newest, and drops entries past maxAgeDays', async () => {
    const log = new ProvisioningLog(store, { maxAgeDays: 30, maxEntriesPerWorkspace: 5 }, 60_000);
    const base = Date.now() - 60_000;
    log.record(entry(workspaceId, 'ancient', Date.now() - 40 * 86_400_000));
    for (let i = 0; i < 20; i++) log.record(entry(workspaceId, `t${i}`, base + i * 1000));
    log.record(entry(otherId, 'other-old', Date.now() - 40 * 86_400_000));
    log.record(entry(otherId, 'other-new', base));
    await log.flush();
    await log.prune();
    const kept = await store.read.provisioningLog.list(workspaceId, { limit: 100 });
    expect(kept.map((e) => e.traceId)).toEqual(['t19', 't18', 't17', 't16', 't15']);
    const other = await store.read.provisioningLog.list(otherId, { limit: 100 });
    expect(other.map((e) => e.traceId)).toEqual(['other-new']);
  });

  it('a failed flush does not stop later entries from being written', async () => {
    let failNext = true;
    const flaky: DirectoryStore = {
      read: store.read,
      close: () => store.close(),
      transaction: (work) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('SQLITE_BUSY: database is locked'));
        }
        return store.transaction(work);
      },
    };
    const log = new ProvisioningLog(flaky, { maxAgeDays: 30, maxEntriesPerWorkspace: 1000 }, 60_000);
    log.record(entry(otherId, 'lost-in-failed-flush', Date.now()));
    await log.flush();
    log.record(entry(otherId, 'after-failure', Date.now()));
    await log.flush();
    const entries: ProvisioningLogEntry[] = await store.read.provisioningLog.list(otherId, { limit: 100, traceId: 'after-failure' });
    expect(
      entries.map((e) => e.traceId),
      'entries recorded after a failed flush are still written',
    ).toEqual(['after-failure']);
  });
});
