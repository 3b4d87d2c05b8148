/**
 * Shared helpers of the reliability suite: the SHORT/LONG switch, the engines to run on, `roster
 * serve` child processes, the workspace a test drives, and small statistics.
 *
 * SHORT (the default) runs inside `npm test`; `ROSTER_RELIABILITY=long` (`npm run test:reliability`)
 * runs the same tests for minutes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import { createTeam } from '../../src/directory/roles/teams.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../support/test-database.js';

export type Engine = 'sqlite' | 'postgres';

/** True for `ROSTER_RELIABILITY=long`. */
export const LONG = process.env.ROSTER_RELIABILITY === 'long';
export const MODE = LONG ? 'LONG' : 'SHORT';

/** The SHORT value normally, the LONG value with ROSTER_RELIABILITY=long. */
export const scale = <T>(short: T, long: T): T => (LONG ? long : short);

/** Per-test timeout: generous for LONG runs, which take minutes. */
export const timeoutMs = (shortMs: number, longMs: number): number => scale(shortMs, longMs);

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const TEAMS_EXTENSION = 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User';

/** Runs clean-up steps in order; a failing step is reported, never allowed to hide the test's own error. */
export async function cleanUp(...steps: Array<() => unknown>): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      report(`clean-up step failed: ${(error as Error).message}`);
    }
  }
}

/** Writes a line to the test output (stderr, so vitest shows it with the file's results). */
export function report(line: string): void {
  process.stderr.write(`[reliability ${MODE}] ${line}\n`);
}

async function postgresReachable(): Promise<boolean> {
  if (process.env.ROSTER_TEST_POSTGRES === '0') return false;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface EngineCase {
  readonly engine: Engine;
  /** True when the engine cannot run here (PostgreSQL unreachable): the describe block is skipped. */
  readonly skip: boolean;
  /** The describe title; says so when the engine is skipped. */
  readonly title: string;
}

/**
 * Both engines. The reliability tests choose their engine themselves (they are not part of the
 * postgres vitest project); PostgreSQL is skipped, visibly, only when it does not answer.
 */
export async function engineCases(): Promise<EngineCase[]> {
  const reachable = await postgresReachable();
  if (!reachable) report(`PostgreSQL is not reachable at ${TEST_POSTGRES_URL}: the postgres variants are SKIPPED`);
  return [
    { engine: 'sqlite', skip: false, title: 'sqlite' },
    {
      engine: 'postgres',
      skip: !reachable,
      title: reachable ? 'postgres' : `postgres (SKIPPED: PostgreSQL unreachable at ${TEST_POSTGRES_URL})`,
    },
  ];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A workspace set up directly in the database, before or beside a server. */
export interface Fixture {
  readonly token: string;
  readonly workspaceId: string;
  readonly slug: string;
  readonly teams: readonly string[];
}

/** Creates an enterprise workspace with SSO, SCIM (generic) and three teams; returns its token. */
export async function setUpWorkspace(database: string, slug = 'reliability', seats = 1_000_000): Promise<Fixture> {
  const store = await openStore(database);
  try {
    const workspace = await createWorkspace(store, { slug, name: `Reliability ${slug}`, plan: 'enterprise', seats });
    await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: 'reliability', clientSecret: 'secret' });
    const { token } = await enableScim(store, slug, 'generic');
    const teams = ['Alpha', 'Beta', 'Gamma'];
    for (const team of teams) await createTeam(store, slug, team);
    return { token, workspaceId: workspace.id, slug, teams };
  } finally {
    await store.close();
  }
}

/**
 * A fresh database of the engine, dropped by `drop()`. Creating a PostgreSQL database is retried
 * (three attempts) when connecting to the server times out: on a saturated machine (the LONG run
 * beside other work) the 5 s connect timeout of test/support can expire before the test even
 * starts, which says nothing about Roster. Every retry is reported.
 */
export async function freshDatabase(engine: Engine): Promise<TestDatabase> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createTestDatabase(engine);
    } catch (error) {
      const message = (error as Error).message;
      if (engine !== 'postgres' || attempt >= 3 || !/timeout expired|Connection terminated/i.test(message)) throw error;
      report(`creating a PostgreSQL test database failed (${message}); attempt ${attempt + 1} of 3`);
      await sleep(2_000 * attempt);
    }
  }
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A `roster serve` child process. */
export interface RosterProcess {
  readonly url: string;
  readonly scimUrl: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** What the process wrote (stdout and stderr, the last 256 KiB). */
  output(): string;
  /** Lines of the pino log at level error (50) or above. */
  errorLogLines(): string[];
  /** Resident set size in MB (VmRSS of /proc/<pid>/status). */
  rssMb(): number;
  /** SIGKILL, then waits for the exit. */
  kill9(): Promise<ExitStatus>;
  /** SIGTERM and waits up to `graceMs` for the exit, then SIGKILL. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/**
 * How `roster serve` is launched. `tsx` is bin/roster.mjs's way (`node --import tsx src/main.ts`);
 * it spends 2–4 s of CPU compiling at every start. `bundle` runs the same sources bundled once by
 * esbuild — the compiler tsx uses — and starts in about 0.5 s, which keeps the SHORT suite fast
 * (the crash loop alone starts eight servers). Default: `bundle` for SHORT, `tsx` for LONG;
 * override with ROSTER_RELIABILITY_LAUNCHER=tsx|bundle.
 */
export const LAUNCHER = (process.env.ROSTER_RELIABILITY_LAUNCHER ?? (LONG ? 'tsx' : 'bundle')) === 'tsx' ? 'tsx' : 'bundle';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

let bundled: Promise<string> | undefined;
/** Part of the bundle's cache key: change it when the way of bundling changes. */
const BUNDLE_FORMAT = 'v2: import.meta.url of the source files';

/** src/main.ts bundled into one ESM file (dependencies included, native ones external), cached by the sources' hash. */
function bundle(): Promise<string> {
  bundled ??= (async () => {
    const root = process.cwd();
    const hash = createHash('sha256').update(BUNDLE_FORMAT);
    for (const file of [...sourceFiles(join(root, 'src')), join(root, 'package-lock.json')]) hash.update(file).update(readFileSync(file));
    const dir = join(tmpdir(), 'roster-reliability-bundles');
    const out = join(dir, `roster-${hash.digest('hex').slice(0, 16)}.mjs`);
    if (existsSync(out)) return out;
    mkdirSync(dir, { recursive: true });
    // Bundles of older sources: remove those unused for a day.
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { force: true });
    }
    const esbuild = await import('esbuild');
    const require = createRequire(join(root, 'package.json'));
    const partial = `${out}.${process.pid}.tmp`;
    await esbuild.build({
      entryPoints: [join(root, 'src/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: partial,
      logLevel: 'warning',
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      plugins: [
        {
          name: 'native-modules-external',
          setup(build) {
            build.onResolve({ filter: /^(better-sqlite3|pg-native)$/ }, (args) => {
              try {
                return { path: require.resolve(args.path), external: true };
              } catch {
                return { path: args.path, external: true };
              }
            });
          },
        },
        {
          // Roster's own modules read files next to them (console assets, docs) through import.meta.url: give
          // each module its source file's URL, so that the bundle, which lives elsewhere, finds them as tsx does.
          name: 'source-import-meta-url',
          setup(build) {
            const source = join(root, 'src') + sep;
            build.onLoad({ filter: /\.ts$/ }, (args) => {
              if (!args.path.startsWith(source)) return undefined;
              const text = readFileSync(args.path, 'utf8');
              if (!text.includes('import.meta.url')) return undefined;
              return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
            });
          },
        },
      ],
    });
    renameSync(partial, out); // atomic: parallel test files may build the same bundle
    return out;
  })();
  return bundled;
}

/** The node arguments that run the `roster` CLI. */
async function rosterCommand(): Promise<string[]> {
  return LAUNCHER === 'tsx' ? ['--import', 'tsx', 'src/main.ts'] : [await bundle()];
}

const running = new Set<ChildProcess>();
// A failed test must not leave servers behind: kill what this worker started when it exits.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The environment of every child: quiet logs, no demo workspace, no rate limit unless a test sets one. */
const CHILD_ENV = { ROSTER_LOG_LEVEL: 'warn', ROSTER_DEMO: '0', ROSTER_RATE_LIMIT: '0' };

/**
 * Starts `roster serve --database … --port … --no-demo` (see LAUNCHER) and waits until /healthz
 * answers 200.
 */
export async function startRoster(database: string, env: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<RosterProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [...(await rosterCommand()), 'serve', '--database', database, '--port', String(port), '--no-demo'],
    {
      cwd: process.cwd(),
      env: { ...process.env, ...CHILD_ENV, ROSTER_PUBLIC_URL: url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 512 * 1024) output = output.slice(-256 * 1024);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      running.delete(child);
      resolve(status);
    });
  });
  const pid = child.pid as number;
  const handle: RosterProcess = {
    url,
    scimUrl: `${url}/scim/v2`,
    port,
    pid,
    child,
    exited,
    hasExited: () => status !== undefined,
    output: () => output,
    errorLogLines: () =>
      output.split('\n').filter((line) => {
        if (!line.startsWith('{')) return /error/i.test(line);
        try {
          return Number((JSON.parse(line) as { level?: unknown }).level) >= 50;
        } catch {
          return false;
        }
      }),
    rssMb: () => rssMbOf(pid),
    async kill9() {
      if (!status) child.kill('SIGKILL');
      return exited;
    },
    async stop(graceMs = 20_000) {
      if (!status) child.kill('SIGTERM');
      const done = await Promise.race([exited, sleep(graceMs).then(() => undefined)]);
      if (done) return done;
      child.kill('SIGKILL');
      return exited;
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (status) throw new Error(`roster serve exited (${status.signal ?? status.code}) before it was ready:\n${output.slice(-4000)}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await handle.kill9();
      throw new Error(`roster serve was not ready within ${readyTimeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await sleep(50);
  }
}

/** VmRSS of a process in MB, NaN when it is gone. */
export function rssMbOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return Number.NaN;
  }
}

export interface HttpResult {
  readonly status: number;
  readonly body: any;
  readonly text: string;
  readonly headers: Headers;
}

/** A fetch-based SCIM client for a base URL and token; network failures reject. */
export function scimFetch(scimUrl: string, token: string, timeout = 30_000) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> => {
    const response = await fetch(`${scimUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeout),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };
}

export type ScimFetch = (method: string, path: string, body?: unknown) => Promise<HttpResult>;

/**
 * A node:http SCIM client over a keep-alive agent of `connections` sockets. Unlike fetch, whose
 * pool may queue a burst of requests on one connection that is still being opened, a request
 * waits for the first free socket: the latency measured is the server's.
 */
export function scimHttp(scimUrl: string, token: string, connections: number, timeout = 60_000) {
  const base = new URL(scimUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const call = (method: string, path: string, body?: unknown): Promise<HttpResult> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const request = httpRequest(
        {
          host: base.hostname,
          port: base.port,
          method,
          path: `${base.pathname}${path}`,
          agent,
          timeout,
          headers: {
            authorization: `Bearer ${token}`,
            ...(payload ? { 'content-type': 'application/scim+json', 'content-length': String(payload.length) } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined;
            }
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
            resolve({ status: response.statusCode ?? 0, body: parsed, text, headers });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeout} ms`)));
      request.on('error', reject);
      request.end(payload);
    });
  return Object.assign(call, { close: () => agent.destroy() });
}

/** All SCIM-visible users of the token's workspace, paged with count=1000. */
export async function allUsers(call: ScimFetch): Promise<any[]> {
  const users: any[] = [];
  for (let startIndex = 1; ; ) {
    const page = await call('GET', `/Users?count=1000&startIndex=${startIndex}`);
    if (page.status !== 200) throw new Error(`GET /Users → ${page.status} ${page.text.slice(0, 500)}`);
    const resources = (page.body.Resources ?? []) as any[];
    users.push(...resources);
    startIndex += resources.length;
    if (resources.length === 0 || startIndex > page.body.totalResults) return users;
  }
}

/** The value at quantile q (0..1) of ascending-sorted numbers (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export const round1 = (value: number): number => Math.round(value * 10) / 10;

/** A seeded PRNG (mulberry32), so a failing run can be repeated with the printed seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: ROSTER_RELIABILITY_SEED, else random (printed by the tests). */
export const SEED = process.env.ROSTER_RELIABILITY_SEED ? Number(process.env.ROSTER_RELIABILITY_SEED) : Math.floor(Math.random() * 2 ** 31);
