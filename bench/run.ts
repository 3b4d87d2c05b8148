/**
 * Roster's benchmark suite (`npm run bench`): seeds a workspace of N users through the bulk
 * path, starts `roster serve` as a child process, measures a bare-Fastify ceiling with the same
 * client, loads each workload with autocannon at a fixed concurrency, and writes the table as
 * JSON and Markdown under bench/results/. See docs/performance.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/storage/open-store.js';
import { seedWorkspace } from './lib/bulk-seed.js';
import { compileForBench } from './lib/compile.js';
import {
  analyzePostgres,
  type BenchDatabase,
  databaseSizeMb,
  freshDatabase,
  machine,
  otherCpu,
  postgresBackends,
  postgresReachable,
} from './lib/environment.js';
import { benchEvents, type EventsResult } from './lib/event-bench.js';
import { type LoadRequest, load, type Measurement } from './lib/load.js';
import { type BenchOptions, type Engine, parseOptions } from './lib/options.js';
import { freePort, type ServerProcess, startNode } from './lib/processes.js';
import { type BenchReport, type EngineResult, engineMarkdown, reportMarkdown, type SyncResult, type WorkloadResult } from './lib/report.js';
import { Checks, type Fixture, syncRequests, WORKLOADS } from './lib/workloads.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RSS_LIMIT_MB = 200;
const SYNC_TARGET_SECONDS = 60;

const say = (text: string) => process.stderr.write(`${text}\n`);
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const describe = (m: Measurement) =>
  `${Math.round(m.reqPerSec)} req/s, p50 ${m.p50Ms} ms, p99 ${m.p99Ms} ms${m.non2xx + m.errors > 0 ? `, ${m.non2xx} non-2xx, ${m.errors} errors` : ''}`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const host = machine();
  say(
    `Roster benchmark: ${options.users.toLocaleString('en-US')} users, engines ${options.engines.join(', ')}, ${options.connections} connections, ${options.duration} s per workload`,
  );
  say(`machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGb} GB, Node ${host.node}, load average ${host.loadAverageAtStart}`);
  const results: EngineResult[] = [];
  for (const engine of options.engines) {
    if (engine === 'postgres' && !(await postgresReachable(options.postgresUrl))) {
      say(`PostgreSQL is not reachable at ${options.postgresUrl}: skipping the postgres engine`);
      continue;
    }
    results.push(await runEngine(engine, options, started));
  }
  const finished = new Date();
  const report: BenchReport = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: round((finished.getTime() - started.getTime()) / 1000),
    machine: host,
    settings: {
      connections: options.connections,
      duration: options.duration,
      warmup: options.warmup,
      syncUsers: options.syncUsers,
      syncTimeout: options.syncTimeout,
      quick: options.quick,
    },
    engines: results,
  };
  const outDir = resolve(REPO_ROOT, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const stamp = started.toISOString().slice(0, 19).replaceAll(':', '-');
  const written: string[] = [];
  for (const result of results) {
    const single = { ...report, engines: [result] };
    const base = join(outDir, `${result.engine}-${stamp}${options.quick ? '-quick' : ''}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(single, null, 2)}\n`);
    writeFileSync(`${base}.md`, reportMarkdown(single));
    written.push(`${base}.json`, `${base}.md`);
  }
  writeFileSync(join(outDir, 'latest.md'), reportMarkdown(report));
  written.push(join(outDir, 'latest.md'));
  process.stdout.write(`\n${reportMarkdown(report)}\n`);
  say(`wrote ${written.map((p) => relative(process.cwd(), p)).join(', ')}`);
}

async function runEngine(engine: Engine, options: BenchOptions, started: Date): Promise<EngineResult> {
  const database = await freshDatabase(engine, options.postgresUrl);
  say(`\n[${engine}] database ${database.label}`);
  let server: ServerProcess | undefined;
  try {
    // 1. Seed through the storage port: the main workspace, a 1,000-user one, an empty one to sync into.
    const store = await openStore(database.url);
    const seedStart = performance.now();
    let lastShown = 0;
    const main = await seedWorkspace(store, {
      users: options.users,
      slug: 'bench',
      onProgress: (n) => {
        if (n - lastShown >= 100_000 || n === options.users) {
          lastShown = n;
          say(`[${engine}] seeded ${n.toLocaleString('en-US')} users (${round((performance.now() - seedStart) / 1000)} s)`);
        }
      },
    });
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const benchRssMb = Math.round(process.memoryUsage().rss / 1024 ** 2);
    const tiny = await seedWorkspace(store, { users: 1_000, slug: 'tiny', sampleSize: 1_000 });
    const sync = await seedWorkspace(store, { users: 0, slug: 'sync' });
    await store.close();
    if (engine === 'postgres' && options.analyze) await analyzePostgres(database.url);
    const databaseMb = await databaseSizeMb(engine, database.url);
    const fixture: Fixture = {
      users: options.users,
      token: main.token,
      sampleIds: main.sampleIds,
      memberIds: main.memberIds,
      bigRoleId: main.roles.big.id,
      smallRoleId: main.roles.small.id,
      bigRoleMembers: main.bigRoleMembers,
      smallRoleMembers: main.smallRoleMembers,
      tiny: { token: tiny.token, users: tiny.users, sampleIds: tiny.sampleIds },
      syncToken: sync.token,
      runId: randomBytes(4).toString('hex'),
    };

    // The database server's own work is the benchmark's too, not "other CPU".
    const databaseName = engine === 'postgres' ? new URL(database.url).pathname.slice(1) : '';
    const databasePids = () => (engine === 'postgres' ? postgresBackends(databaseName) : []);

    // 2. Start `roster serve` (loopback only) and measure it at rest.
    const stamp = started.toISOString().slice(0, 19).replaceAll(':', '-');
    // One directory per run: tsx's loader thread writes a profile of its own beside the main thread's.
    const profileDir = resolve(REPO_ROOT, options.outDir, 'profiles', `${engine}-${stamp}`);
    if (options.profile) mkdirSync(profileDir, { recursive: true });
    const port = await freePort();
    const serverLog = join(tmpdir(), `roster-bench-${engine}-${stamp}.log`);
    const compiled = options.tsx ? undefined : await compileForBench(REPO_ROOT);
    const program = (source: string) => (compiled ? compiled.path(source) : source);
    const loader = compiled ? ('none' as const) : ('tsx' as const);
    if (compiled) say(`[${engine}] compiled src/ to JavaScript in ${compiled.root}: the server runs on plain node`);
    server = await startNode({
      loader,
      args: [program('src/main.ts'), 'serve', '--database', database.url, '--host', '127.0.0.1', '--port', String(port), '--no-demo'],
      nodeFlags: [...options.serverNodeFlags, ...(options.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
      // The per-token rate limit would answer 429 to a load test: it is off for the benchmark.
      env: {
        ROSTER_LOG_LEVEL: 'warn',
        ROSTER_DEMO: '0',
        ROSTER_RATE_LIMIT: '0',
        ROSTER_API_RATE_LIMIT: '0',
        // The webhook row delivers to a receiver on loopback.
        ROSTER_ALLOW_PRIVATE_WEBHOOKS: '1',
      },
      cwd: REPO_ROOT,
      port,
      readyPath: '/healthz',
      logFile: serverLog,
    });
    const idleRssMb = server.memory().rssMb;
    say(`[${engine}] roster serve pid ${server.pid} on ${server.url}: RSS ${idleRssMb} MB at rest (log ${serverLog})`);

    // The ceiling's body: a typical SCIM user response, byte for byte.
    const sample = await fetch(`${server.url}/scim/v2/Users/${fixture.sampleIds[0]}`, {
      headers: { authorization: `Bearer ${fixture.token}` },
    });
    const sampleBody = await sample.text();
    if (sample.status !== 200) throw new Error(`GET of a seeded user answered ${sample.status}: ${sampleBody}`);
    const bodyFile = join(tmpdir(), `roster-bench-body-${process.pid}.json`);
    writeFileSync(bodyFile, sampleBody);

    // Requests the client abandoned at the end of a run still run on the server: wait them out
    // (a read queues behind them for the database connection) so the next workload starts clean.
    // Repeated until one answers quickly: then nothing is queued ahead of it any more.
    const drain = async () => {
      const deadline = Date.now() + 300_000;
      for (;;) {
        const started = performance.now();
        const response = await fetch(`${(server as ServerProcess).url}/scim/v2/Users/${fixture.sampleIds[0]}`, {
          headers: { authorization: `Bearer ${fixture.token}` },
          signal: AbortSignal.timeout(300_000),
        });
        await response.arrayBuffer();
        if (performance.now() - started < 250 || Date.now() > deadline) return;
      }
    };
    const settings = (token: string, url = (server as ServerProcess).url) => ({
      url,
      token,
      connections: options.connections,
      duration: options.duration,
    });
    const warmUp = async (token: string, requests: LoadRequest[], url?: string) => {
      if (options.warmup > 0) await load({ ...settings(token, url), duration: options.warmup }, requests).done;
      if (!url) await drain();
    };
    // JIT and caches warm before anything is recorded.
    const getWorkload = WORKLOADS.find((w) => w.id === 'get');
    if (getWorkload) await warmUp(fixture.token, getWorkload.requests(fixture, new Checks()));

    const ceilingRuns: Array<Measurement & { otherCores: number; rssMb: number }> = [];
    const measureCeiling = async () => {
      const ceilingPort = await freePort();
      const ceiling = await startNode({
        loader,
        args: [program('bench/ceiling-server.ts'), String(ceilingPort), bodyFile],
        cwd: REPO_ROOT,
        port: ceilingPort,
        readyPath: '/healthz',
        logFile: join(tmpdir(), `roster-bench-ceiling-${stamp}.log`),
      });
      try {
        const requests: LoadRequest[] = [{ method: 'GET', path: `/scim/v2/Users/${fixture.sampleIds[0]}` }];
        await warmUp(fixture.token, requests, ceiling.url);
        const others = otherCpu(() => [process.pid, ceiling.pid]);
        const measured = await load(settings(fixture.token, ceiling.url), requests).done;
        const otherCores = others();
        ceilingRuns.push({ ...measured, otherCores, rssMb: ceiling.memory().rssMb });
        say(
          `[${engine}] ceiling: ${describe(measured)}, ${measured.bytesPerResponse} bytes per response, other processes ${otherCores} cores`,
        );
      } finally {
        await ceiling.stop();
      }
    };
    await measureCeiling();

    // 3. The workloads, one after the other, each warmed up then measured.
    const measured: Array<Omit<WorkloadResult, 'ratio' | 'met'>> = [];
    for (const workload of WORKLOADS) {
      if (options.only && !options.only.includes(workload.id)) continue;
      const token = workload.token(fixture);
      await warmUp(token, workload.requests(fixture, new Checks()));
      const checks = new Checks();
      const loadAverage = round(loadavg()[0] ?? 0, 2);
      const others = otherCpu(() => [process.pid, (server as ServerProcess).pid, ...databasePids()]);
      const measurement = await load(settings(token), workload.requests(fixture, checks)).done;
      const otherCores = others();
      await drain();
      const rssMb = server.memory().rssMb;
      say(
        `[${engine}] ${workload.id}: ${describe(measurement)}, RSS ${rssMb} MB${checks.failed ? `, ${checks.failed} failed checks: ${checks.firstFailure}` : ''}`,
      );
      measured.push({
        id: workload.id,
        title: workload.title,
        measurement,
        target: workload.target,
        rssMb,
        loadAverage,
        otherCores,
        checksFailed: checks.failed,
        ...(checks.firstFailure ? { firstFailure: checks.firstFailure } : {}),
      });
    }

    // 4. The Entra-style initial sync, end to end, into the empty workspace.
    let syncResult: Omit<SyncResult, 'met'> | undefined;
    if (!options.only || options.only.includes('sync')) {
      syncResult = await runSync(engine, options, fixture, server, databasePids, database.url);
      await drain();
    }

    // 5. The events API and webhook rows (issue 15).
    let events: EventsResult | undefined;
    if (options.events > 0 && (!options.only || options.only.includes('events'))) {
      const eventStore = await openStore(database.url);
      try {
        events = await benchEvents(eventStore, server.url, options.events);
      } finally {
        await eventStore.close();
      }
      say(
        `[${engine}] events: ${Math.round(events.paging.eventsPerSec)} events/s paging; webhooks: ${Math.round(events.webhooks.perSec)} deliveries/s`,
      );
    }

    await measureCeiling();
    const peakRssMb = server.memory().peakMb;
    await server.stop();
    server = undefined;

    const ceilingRps = ceilingRuns.reduce((sum, r) => sum + r.reqPerSec, 0) / ceilingRuns.length;
    const workloads: WorkloadResult[] = measured.map((w) => ({ ...w, ratio: w.measurement.reqPerSec / ceilingRps, met: undefined }));
    const withTargets = workloads.map((w): WorkloadResult => {
      const target = w.target;
      const clean = w.measurement.non2xx + w.measurement.errors + w.checksFailed === 0;
      if (target.kind === 'ratio') return { ...w, met: clean && w.ratio >= target.min };
      if (target.kind === 'relative') {
        const other = workloads.find((o) => o.id === target.to);
        return { ...w, met: other ? clean && w.measurement.reqPerSec >= target.min * other.measurement.reqPerSec : undefined };
      }
      return w;
    });
    const rssSamples = [idleRssMb, ...workloads.map((w) => w.rssMb), ...(syncResult ? [syncResult.rssMb] : [])];
    const result: EngineResult = {
      engine,
      users: options.users,
      database:
        engine === 'sqlite'
          ? 'temporary SQLite file (no ANALYZE: Roster never runs it)'
          : `${database.label}${options.analyze ? ', ANALYZE after seeding' : ', no statistics (--no-analyze)'}`,
      seed: { seconds: round(seedSeconds), usersPerSec: Math.round(options.users / seedSeconds), benchRssMb, databaseMb },
      bigRoleMembers: main.bigRoleMembers,
      smallRoleMembers: main.smallRoleMembers,
      runtime: compiled ? 'compiled' : 'tsx',
      ...(options.serverNodeFlags.length > 0 ? { serverNodeFlags: options.serverNodeFlags } : {}),
      idleRssMb,
      peakRssMb,
      loadAverageAtEnd: round(loadavg()[0] ?? 0, 2),
      ceiling: { runs: ceilingRuns, reqPerSec: ceilingRps, bodyBytes: Buffer.byteLength(sampleBody) },
      workloads: withTargets,
      sync: syncResult && {
        ...syncResult,
        met: syncResult.completed && syncResult.projectedSeconds < SYNC_TARGET_SECONDS && syncResult.checksFailed === 0,
      },
      rssTarget: { limitMb: RSS_LIMIT_MB, met: Math.max(...rssSamples) < RSS_LIMIT_MB },
      ...(events ? { events } : {}),
      ...(options.profile ? { profile: mainThreadProfile(profileDir) } : {}),
    };
    process.stdout.write(`\n${engineMarkdown(result)}\n`);
    return result;
  } finally {
    await server?.stop();
    if (options.keep) say(`[${engine}] kept the database: ${database.url}`);
    else await dropQuietly(database);
  }
}

async function runSync(
  engine: Engine,
  options: BenchOptions,
  fixture: Fixture,
  server: ServerProcess,
  databasePids: () => number[],
  databaseUrl: string,
): Promise<Omit<SyncResult, 'met'>> {
  const total = options.syncUsers;
  // Autovacuum's autoanalyze, emulated: PostgreSQL's statistics then learn that the sync
  // workspace grows (this machine kind runs with autovacuum off).
  const analyzeEvery = engine === 'postgres' ? options.syncAnalyzeEvery : 0;
  let analyzing = false;
  const analyzer =
    analyzeEvery > 0
      ? setInterval(() => {
          if (analyzing) return;
          analyzing = true;
          analyzePostgres(databaseUrl)
            .catch(() => undefined)
            .finally(() => {
              analyzing = false;
            });
        }, analyzeEvery * 1000)
      : undefined;
  const checks = new Checks();
  let created = 0;
  let finishedAt: number | undefined;
  const start = performance.now();
  let lastShown = start;
  const progress: Array<[number, number]> = [];
  const run = load(
    { url: server.url, token: fixture.syncToken, connections: options.connections, duration: options.syncTimeout },
    syncRequests(fixture, checks, () => {
      created++;
      const now = performance.now();
      if (created % 500 === 0) progress.push([created, (now - start) / 1000]);
      if (created === total) {
        finishedAt = now;
        run.stop();
      } else if (now - lastShown > 15_000) {
        lastShown = now;
        say(`[${engine}] sync: ${created.toLocaleString('en-US')} users after ${round((now - start) / 1000)} s`);
      }
    }),
    true,
  );
  const timer = setTimeout(() => run.stop(), options.syncTimeout * 1000);
  const others = otherCpu(() => [process.pid, server.pid, ...databasePids()]);
  const measurement = await run.done;
  const otherCores = others();
  clearTimeout(timer);
  if (analyzer) clearInterval(analyzer);
  const completed = finishedAt !== undefined;
  // Connections still busy when the last user was created may add a few more before the stop.
  if (completed) created = total;
  const seconds = ((finishedAt ?? performance.now()) - start) / 1000;
  const usersPerSec = created / seconds;
  const projectedSeconds = completed ? seconds : project(progress, total, usersPerSec);
  const rssMb = server.memory().rssMb;
  say(
    `[${engine}] sync: ${created.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} users in ${round(seconds)} s (${Math.round(usersPerSec)} users/s${
      completed ? '' : `, stopped at the ${options.syncTimeout} s limit: ~${Math.round(projectedSeconds)} s projected`
    }), RSS ${rssMb} MB, other processes ${otherCores} cores`,
  );
  return {
    users: total,
    created,
    seconds: round(seconds),
    projectedSeconds: round(projectedSeconds),
    completed,
    usersPerSec: round(usersPerSec),
    measurement,
    rssMb,
    otherCores,
    checksFailed: checks.failed,
    ...(checks.firstFailure ? { firstFailure: checks.firstFailure } : {}),
    ...(analyzeEvery > 0 ? { analyzeEverySeconds: analyzeEvery } : {}),
    checkpoints: progress.filter(([n]) => n % 5_000 === 0).map(([n, t]) => ({ users: n, seconds: round(t) })),
  };
}

/** The main thread's profile: the largest file in the run's profile directory. */
function mainThreadProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const largest = files.sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
  return relative(REPO_ROOT, largest ? join(dir, largest) : dir);
}

/**
 * Time for `total` users from a stopped sync's progress: a least-squares fit of T(n) = a·n + b·n²
 * (per-user cost growing with the users already there), or linear when the fit shows no growth.
 */
function project(progress: ReadonlyArray<[number, number]>, total: number, usersPerSec: number): number {
  const linear = total / Math.max(usersPerSec, 1e-9);
  if (progress.length < 4) return linear;
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let s1t = 0;
  let s2t = 0;
  for (const [n, t] of progress) {
    s11 += n * n;
    s12 += n * n * n;
    s22 += n * n * n * n;
    s1t += n * t;
    s2t += n * n * t;
  }
  const det = s11 * s22 - s12 * s12;
  if (det <= 0) return linear;
  const a = (s1t * s22 - s2t * s12) / det;
  const b = (s11 * s2t - s12 * s1t) / det;
  return b > 0 && a > 0 ? a * total + b * total * total : linear;
}

async function dropQuietly(database: BenchDatabase): Promise<void> {
  try {
    await database.drop();
  } catch (error) {
    say(`could not drop ${database.label}: ${(error as Error).message}`);
  }
}

main().catch((error: unknown) => {
  say(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
