import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import { type LogFailure, ProvisioningLog } from '../../src/directory/log/provisioning-log.js';
import type { ProvisioningLogEntry } from '../../src/directory/model.js';
import type { DirectoryStore } from '../../src/directory/ports.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import { logInput } from '../support/log-entries.js';
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
  uniqueSlug,
  type Workspace,
} from './rules-support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * The article: "Check the users that cannot be provisioned and check the corresponding error
 * messages. Send our support team the trace id so we can check it for you."
 */
/**
 * The store, except that a provisioning-log insert holding an entry `fails` picks throws, as a
 * row the database refuses would; `inserts` counts the insert attempts.
 */
function failingLogInserts(store: DirectoryStore, fails: (e: ProvisioningLogEntry) => boolean, inserts = { count: 0 }): DirectoryStore {
  return {
    read: store.read,
    close: async () => undefined,
    transaction: (work) =>
      store.transaction((repos) =>
        work({
          ...repos,
          provisioningLog: {
            list: (workspaceId, query) => repos.provisioningLog.list(workspaceId, query),
            prune: (workspaceId, beforeId, keep) => repos.provisioningLog.prune(workspaceId, beforeId, keep),
            insert: async (entries) => {
              inserts.count++;
              if (entries.some(fails)) throw new Error('simulated: the database refuses this row');
              await repos.provisioningLog.insert(entries);
            },
          },
        }),
      ),
  };
}

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
    expect(listEntry).toMatchObject({ method: 'GET', status: 200, detail: null, errorCode: null });
    expect(listEntry.path.startsWith('/scim/v2/Users?filter=')).toBe(true);

    const newest = await logOf(server, a.workspaceId, 3);
    expect(newest.map((e) => e.traceId)).toEqual([listed, read, created].map(traceOf));
  });

  it('errors are logged with their status and detail, for support to find by trace id', async () => {
    const user = await createUser(a.scim, newUser('errors@example.com'));
    const conflict = await a.scim.post('/Users', newUser('errors@example.com'));
    const missing = await a.scim.get('/Users/01890000-0000-7000-8000-000000000000');
    const invalid = await a.scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'timezone', value: 'Mars/Olympus' }));
    const cases: Array<[ScimResponse, number, string, string | null, string]> = [
      [conflict, 409, 'POST', null, 'uniqueness'],
      [missing, 404, 'GET', '01890000-0000-7000-8000-000000000000', 'notFound'],
      [invalid, 400, 'PATCH', user.id, 'invalidValue'],
    ];
    for (const [response, status, method, resourceId, errorCode] of cases) {
      expectScimError(response, status);
      const entry = await logEntryFor(server, a.workspaceId, response);
      expect(entry.status).toBe(status);
      expect(entry.method).toBe(method);
      expect(entry.resourceId).toBe(resourceId);
      // The error catalogue code (docs/errors.md) is stored, so refusals are counted by code, not wording.
      expect(entry.errorCode).toBe(errorCode);
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
    const app = await composeApp({ store, config: loadConfig({ database, port: 0 }, {}) });
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

  const entry = (ws: string, traceId: string, time: number) => logInput(ws, time, { traceId });

  it('keeps at most maxEntriesPerWorkspace entries, the newest, and drops entries past maxAgeDays', async () => {
    const failures: LogFailure[] = [];
    const log = new ProvisioningLog(
      store,
      { maxAgeDays: 30, maxEntriesPerWorkspace: 5 },
      {
        flushMs: 60_000,
        onError: (failure) => failures.push(failure),
      },
    );
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
    expect(failures).toEqual([]);
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
    const failures: LogFailure[] = [];
    const log = new ProvisioningLog(
      flaky,
      { maxAgeDays: 30, maxEntriesPerWorkspace: 1000 },
      { flushMs: 60_000, onError: (failure) => failures.push(failure) },
    );
    log.record(entry(otherId, 'lost-in-failed-flush', Date.now()));
    await log.flush();
    expect(
      failures.map((f) => [f.operation, f.lost, f.written]),
      'the loss is reported',
    ).toEqual([['write', 1, 0]]);
    log.record(entry(otherId, 'after-failure', Date.now()));
    await log.flush();
    const entries: ProvisioningLogEntry[] = await store.read.provisioningLog.list(otherId, { limit: 100, traceId: 'after-failure' });
    expect(
      entries.map((e) => e.traceId),
      'entries recorded after a failed flush are still written',
    ).toEqual(['after-failure']);
  });

  it('defect 1: entries whose insert fails are isolated: the rest of the batch is written and the loss is reported with its count', async () => {
    const first = (await createWorkspace(store, { slug: uniqueSlug('isolate') })).id;
    const second = (await createWorkspace(store, { slug: uniqueSlug('isolate') })).id;
    const inserts = { count: 0 };
    const failures: LogFailure[] = [];
    const log = new ProvisioningLog(
      failingLogInserts(store, (e) => e.traceId.startsWith('bad'), inserts),
      { maxAgeDays: 30, maxEntriesPerWorkspace: 1000 },
      { flushMs: 60_000, onError: (failure) => failures.push(failure) },
    );
    const now = Date.now();
    const traces = Array.from({ length: 40 }, (_, i) => (i === 7 || i === 30 ? `bad-${i}` : `good-${i}`));
    for (const [i, traceId] of traces.entries()) log.record(entry(i % 3 === 0 ? second : first, traceId, now + i));
    await log.flush();

    const written = [
      ...(await store.read.provisioningLog.list(first, { limit: 100 })),
      ...(await store.read.provisioningLog.list(second, { limit: 100 })),
    ].map((e) => e.traceId);
    expect(written.sort()).toEqual(traces.filter((t) => t.startsWith('good')).sort());
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ operation: 'write', lost: 2, written: 38 });
    expect(String(failures[0]?.error)).toMatch(/refuses/);
    // Isolation splits the batch in halves, so two bad entries cost a few dozen attempts, not one per entry.
    expect(inserts.count).toBeGreaterThan(1);
    expect(inserts.count).toBeLessThanOrEqual(25);
  });
});

/** Lone UTF-16 surrogates: what `JSON.parse('"\\ud800"')` yields, and what PostgreSQL text cannot hold. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Every text field of an entry, for checks that must hold for all of them. */
const textsOf = (e: ProvisioningLogEntry): string[] => [e.traceId, e.method, e.path, e.resourceId ?? '', e.detail ?? '', ...e.warnings];

describe('issue 13 defect 1: one workspace cannot make the provisioning log lose other entries', () => {
  let a: Workspace;
  let b: Workspace;

  beforeAll(async () => {
    a = await freshWorkspace(server, 'hostile-a');
    b = await freshWorkspace(server, 'victim-b');
  });

  /** One request through the running app, in process: no socket, so nothing but the log's own timer matters. */
  const inject = async (workspace: Workspace, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: string) => {
    const response = await server.app.inject({
      method,
      url: `/scim/v2${url}`,
      headers: { authorization: `Bearer ${workspace.token}`, ...(payload ? { 'content-type': 'application/scim+json' } : {}) },
      ...(payload ? { payload } : {}),
    });
    return { status: response.statusCode, traceId: String(response.headers['x-trace-id']) };
  };
  /** A PATCH body whose `path` is the given JSON string literal, escapes kept as sent. */
  const patchPath = (jsonLiteral: string) =>
    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"${jsonLiteral}","value":"x"}]}`;

  it('defect 1: NUL characters and lone surrogates sent by workspace A in the same flush window as B lose none of B’s entries; A’s are stored sanitised', async () => {
    const victim = await createUser(a.scim, newUser('nul-victim@example.com'));
    await server.app.provisioningLog.flush();
    // Freeze the log's flush timer so every request below lands in one buffer and one INSERT.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fromA: Array<{ status: number; traceId: string }> = [];
    const fromB: Array<{ status: number; traceId: string }> = [];
    try {
      fromB.push(await inject(b, 'GET', '/Users'));
      fromA.push(await inject(a, 'GET', '/Users/%00')); // resourceId '\0'
      fromB.push(await inject(b, 'POST', '/Users', JSON.stringify(newUser('b-survives@example.com'))));
      fromA.push(await inject(a, 'PATCH', `/Users/${victim.id}`, patchPath('title\\u0000'))); // detail carries '\0'
      fromB.push(await inject(b, 'GET', '/Groups'));
      fromA.push(await inject(a, 'PATCH', `/Users/${victim.id}`, patchPath('title\\ud800'))); // a lone high surrogate
      fromA.push(await inject(a, 'PATCH', `/Users/${victim.id}`, patchPath('\\udc00title'))); // a lone low surrogate
      fromB.push(await inject(b, 'GET', '/Users?count=1'));
    } finally {
      vi.useRealTimers();
    }
    expect(
      fromA.every((r) => r.status >= 400 && r.status < 500),
      'the hostile requests are refused',
    ).toBe(true);
    expect(fromB.map((r) => r.status)).toEqual([200, 201, 200, 200]);
    await server.app.provisioningLog.flush();

    const logB = await server.store.read.provisioningLog.list(b.workspaceId, { limit: 100 });
    expect(
      logB.map((e) => e.traceId),
      "all of B's entries of the hostile flush window are written",
    ).toEqual(expect.arrayContaining(fromB.map((r) => r.traceId)));
    const logA = await server.store.read.provisioningLog.list(a.workspaceId, { limit: 100 });
    const entryOf = (traceId: string) => {
      const entry = logA.find((e) => e.traceId === traceId);
      expect(entry, `A's entry ${traceId} is written, sanitised`).toBeDefined();
      return entry as ProvisioningLogEntry;
    };
    const [nulId, nulPath, highSurrogate, lowSurrogate] = fromA.map((r) => entryOf(r.traceId));
    // The id comes from the URL as sent; the details may echo the PATCH paths, or refuse them without echoing them.
    expect(nulId?.resourceId).toBe('\ufffd');
    for (const entry of [nulId, nulPath, highSurrogate, lowSurrogate] as ProvisioningLogEntry[]) {
      for (const text of textsOf(entry)) {
        expect(text).not.toContain('\0');
        expect(text).not.toMatch(LONE_SURROGATE);
      }
    }
  });

  it('defect 1: a write of the log that fails is reported in the service log with the count of entries lost; the rest are written', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // Writing the entry of `?poison` fails whatever it holds: the log must isolate it and say so.
    const app = await composeApp({
      store: failingLogInserts(server.store, (e) => e.path.includes('poison')),
      config: loadConfig({ database: server.database, port: 0 }, {}),
      logger: pino({ level: 'info' }, sink),
    });
    try {
      const call = async (workspace: Workspace, url: string) => {
        const response = await app.inject({ url: `/scim/v2${url}`, headers: { authorization: `Bearer ${workspace.token}` } });
        return String(response.headers['x-trace-id']);
      };
      const traces = [await call(b, '/Users?before'), await call(a, '/Users?poison'), await call(b, '/Groups?after')];
      await app.provisioningLog.flush();
      const written = await server.store.read.provisioningLog.list(b.workspaceId, { limit: 100 });
      expect(written.map((e) => e.traceId)).toEqual(expect.arrayContaining([traces[0], traces[2]]));
      const reports = lines.map((line) => JSON.parse(line) as Json).filter((line) => line.level >= 50);
      expect(reports, lines.join('')).toHaveLength(1);
      expect(reports[0]).toMatchObject({ lost: 1 });
      expect(String(reports[0]?.msg)).toMatch(/provisioning log/);
    } finally {
      await app.close();
    }
  });
});

describe('issue 13 defect 10: secrets in the request URL never reach the provisioning log', () => {
  let a: Workspace;
  beforeAll(async () => {
    a = await freshWorkspace(server, 'query-token');
  });

  it('defect 10: a token sent as ?access_token= (and anywhere else in the URL) is stored as [redacted]', async () => {
    const secretPart = a.token.slice(a.token.lastIndexOf('_') + 1);
    const cases: Array<[string, string]> = [
      [`/Users?access_token=${a.token}`, '/scim/v2/Users?access_token=[redacted]'],
      [
        `/Users?count=1&ACCESS_TOKEN=${encodeURIComponent(a.token)}&startIndex=1`,
        '/scim/v2/Users?count=1&ACCESS_TOKEN=[redacted]&startIndex=1',
      ],
      [`/Users?filter=${encodeURIComponent(`userName eq "${a.token}"`)}`, '/scim/v2/Users?filter=[redacted]'],
      [
        `/Users?code=abc&client_secret=s3cret&password=pw&attributes=userName`,
        '/scim/v2/Users?code=[redacted]&client_secret=[redacted]&password=[redacted]&attributes=userName',
      ],
      [`/Users/${a.token.replaceAll('_', '%5F')}`, '/scim/v2/Users/[redacted]'],
    ];
    const responses = [];
    for (const [url] of cases) responses.push(await a.scim.get(url));
    for (const [index, [, stored]] of cases.entries()) {
      const entry = await logEntryFor(server, a.workspaceId, responses[index] as ScimResponse);
      expect(entry.path).toBe(stored);
      for (const text of textsOf(entry)) {
        expect(text).not.toContain(a.token);
        expect(text).not.toContain(secretPart);
      }
    }
  });
});
