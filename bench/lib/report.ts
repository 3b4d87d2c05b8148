import type { Machine } from './environment.js';
import { EVENTS_PER_SEC_TARGET, type EventsResult } from './event-bench.js';
import type { Measurement } from './load.js';
import type { Engine } from './options.js';
import type { Target } from './workloads.js';

export interface WorkloadResult {
  readonly id: string;
  readonly title: string;
  readonly measurement: Measurement;
  /** req/s divided by the ceiling's req/s. */
  readonly ratio: number;
  readonly target: Target;
  /** undefined when the workload has no target of its own. */
  readonly met: boolean | undefined;
  /** Server RSS right after the workload, MB. */
  readonly rssMb: number;
  /** The machine's 1-minute load average when the workload started (2 means both cores busy). */
  readonly loadAverage: number;
  /** Cores used by processes other than the benchmark's own during the workload (shared machine). */
  readonly otherCores: number;
  readonly checksFailed: number;
  readonly firstFailure?: string;
}

export interface SyncResult {
  readonly users: number;
  readonly created: number;
  /** Seconds from the first request to the last user's 201 (or to the timeout). */
  readonly seconds: number;
  /** Seconds for all users: measured, or extrapolated (fit of T = a·n + b·n²) when the timeout stopped the sync. */
  readonly projectedSeconds: number;
  readonly completed: boolean;
  readonly usersPerSec: number;
  readonly measurement: Measurement;
  readonly met: boolean;
  readonly rssMb: number;
  readonly otherCores: number;
  readonly checksFailed: number;
  readonly firstFailure?: string;
  /** PostgreSQL: ANALYZE ran every this many seconds during the sync (autoanalyze emulated). */
  readonly analyzeEverySeconds?: number;
  /** Seconds since the start at every 5,000th user created: shows whether the per-user cost grows. */
  readonly checkpoints: ReadonlyArray<{ users: number; seconds: number }>;
}

export interface EngineResult {
  readonly engine: Engine;
  readonly users: number;
  readonly database: string;
  readonly seed: { readonly seconds: number; readonly usersPerSec: number; readonly benchRssMb: number; readonly databaseMb: number };
  readonly bigRoleMembers: number;
  readonly smallRoleMembers: number;
  /** How the server and the ceiling ran: compiled to JavaScript on node, or TypeScript through tsx. */
  readonly runtime?: 'compiled' | 'tsx';
  /** Node flags the Roster server ran with, if any. */
  readonly serverNodeFlags?: readonly string[];
  /** Server RSS after start-up, before any load (MB). */
  readonly idleRssMb: number;
  readonly peakRssMb: number;
  /** The 1-minute load average at the end of the engine's run. */
  readonly loadAverageAtEnd: number;
  readonly ceiling: {
    readonly runs: ReadonlyArray<Measurement & { otherCores: number; rssMb: number }>;
    readonly reqPerSec: number;
    readonly bodyBytes: number;
  };
  readonly workloads: readonly WorkloadResult[];
  readonly sync: SyncResult | undefined;
  readonly rssTarget: { readonly limitMb: number; readonly met: boolean };
  /** The events API and webhook rows (issue 15). */
  readonly events?: EventsResult;
  readonly profile?: string;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly machine: Machine;
  readonly settings: {
    readonly connections: number;
    readonly duration: number;
    readonly warmup: number;
    readonly syncUsers: number;
    readonly syncTimeout: number;
    readonly quick: boolean;
  };
  readonly engines: readonly EngineResult[];
}

const n0 = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
/** Requests per second: one decimal below 10, so a slow workload does not show as 0. */
const rps = (v: number) => (Number.isFinite(v) && v < 10 ? v.toFixed(1) : n0(v));
const n1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const n2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const s0 = (sync: SyncResult | undefined) => sync !== undefined && sync.checkpoints.length > 0;
const mark = (met: boolean | undefined) => (met === undefined ? '' : met ? 'yes' : '**no**');

export function engineTable(result: EngineResult): string {
  const rows: string[] = [
    '| workload | req/s | p50 ms | p99 ms | × ceiling | target | met | RSS MB | other CPU |',
    '|---|--:|--:|--:|--:|---|:-:|--:|--:|',
  ];
  const ceiling = result.ceiling;
  const c = ceiling.runs;
  rows.push(
    `| ceiling: bare Fastify, fixed ${n0(ceiling.bodyBytes)}-byte JSON body | ${n0(ceiling.reqPerSec)} | ${c.map((r) => n1(r.p50Ms)).join(' / ')} | ${c
      .map((r) => n1(r.p99Ms))
      .join(' / ')} | 1.00 | | | | ${c.map((r) => n2(r.otherCores)).join(' / ')} |`,
  );
  for (const w of result.workloads) {
    const m = w.measurement;
    const errors = m.non2xx + m.errors + w.checksFailed;
    const flag = errors > 0 ? ` ⚠ ${errors} failed` : '';
    rows.push(
      `| ${w.id}: ${w.title}${flag} | ${rps(m.reqPerSec)} | ${n1(m.p50Ms)} | ${n1(m.p99Ms)} | ${n2(w.ratio)} | ${w.target.text} | ${mark(w.met)} | ${n0(w.rssMb)} | ${n2(w.otherCores)} |`,
    );
  }
  const s = result.sync;
  if (s) {
    const time = s.completed
      ? `${n1(s.seconds)} s`
      : `stopped: ${n0(s.created)} users in ${n1(s.seconds)} s → ~${n0(s.projectedSeconds)} s projected`;
    rows.push(
      `| sync: initial sync of ${n0(s.users)} users (filter, then POST), ${time}, ${n0(s.usersPerSec)} users/s | ${rps(s.measurement.reqPerSec)} | ${n1(s.measurement.p50Ms)} | ${n1(
        s.measurement.p99Ms,
      )} | ${n2(s.measurement.reqPerSec / ceiling.reqPerSec)} | < 60 s | ${mark(s.met)} | ${n0(s.rssMb)} | ${n2(s.otherCores)} |`,
    );
  }
  const e = result.events;
  if (e) {
    rows.push(
      `| events: GET /api/v1/events?limit=1000, paging through ${n0(e.paging.events)} events, ${n1(e.paging.seconds)} s | ${n0(e.paging.eventsPerSec)} events/s | | | | ≥ ${n0(EVENTS_PER_SEC_TARGET)} events/s | ${mark(e.paging.met)} | | |`,
      `| webhooks: ${n0(e.webhooks.events)} events delivered in order to a local receiver (204), ${n1(e.webhooks.seconds)} s | ${n0(e.webhooks.perSec)} deliveries/s | | | | | | | |`,
    );
  }
  return rows.join('\n');
}

export function engineMarkdown(result: EngineResult): string {
  const lines = [
    `### ${result.engine}, ${n0(result.users)} users`,
    '',
    engineTable(result),
    '',
    `- Database: ${result.database}.`,
    `- Seeding: ${n0(result.users)} users in ${n1(result.seed.seconds)} s (${n0(result.seed.usersPerSec)} users/s, bulk path through the storage port); database ${n0(
      result.seed.databaseMb,
    )} MB; role Big has ${n0(result.bigRoleMembers)} members, Small ${n0(result.smallRoleMembers)}.`,
    `- Server RSS: ${n0(result.idleRssMb)} MB idle after start-up, ${n0(result.peakRssMb)} MB peak (${result.runtime === 'compiled' ? 'both compiled to JavaScript and run on plain node' : 'both run through tsx'}${
      result.serverNodeFlags ? `; the server with \`${result.serverNodeFlags.join(' ')}\`` : ''
    }; the bare-Fastify ceiling server has ${result.ceiling.runs
      .map((r) => n0(r.rssMb))
      .join(' / ')} MB after its runs); target < ${result.rssTarget.limitMb} MB: ${result.rssTarget.met ? 'met' : '**missed**'}.`,
    `- Ceiling runs (start / end): ${result.ceiling.runs.map((r) => n0(r.reqPerSec)).join(' / ')} req/s; ratios use their mean.`,
    `- "other CPU": cores used by processes other than the benchmark's client, server and (PostgreSQL) database backends while the row was measured; anything above ~0.2 means other work shared the cores and the row is disturbed. Load average at the end: ${n2(
      result.loadAverageAtEnd,
    )}.`,
  ];
  const failing = [...result.workloads, ...(result.sync ? [{ id: 'sync', ...result.sync }] : [])].filter(
    (w) => w.measurement.non2xx + w.measurement.errors + w.checksFailed > 0,
  );
  for (const w of failing) {
    lines.push(
      `- ⚠ ${w.id}: ${w.measurement.non2xx} non-2xx, ${w.measurement.errors} errors, ${w.checksFailed} failed checks; statuses ${JSON.stringify(
        w.measurement.statusCodes,
      )}${w.firstFailure ? `; first: ${w.firstFailure.replaceAll('|', '\\|').slice(0, 200)}` : ''}`,
    );
  }
  if (s0(result.sync)) {
    const points = (result.sync as SyncResult).checkpoints;
    lines.push(`- Sync progress (users: seconds): ${points.map((p) => `${n0(p.users)}: ${n1(p.seconds)}`).join(', ')}.`);
    const every = (result.sync as SyncResult).analyzeEverySeconds;
    if (every) lines.push(`- During the sync the benchmark ran ANALYZE every ${every} s, as autovacuum's autoanalyze would.`);
  }
  if (result.profile) lines.push(`- CPU profile of the server: \`${result.profile}\``);
  return lines.join('\n');
}

export function reportMarkdown(report: BenchReport): string {
  const m = report.machine;
  const s = report.settings;
  return [
    `## Roster benchmark, ${report.startedAt.slice(0, 19).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}; load average ${m.loadAverageAtStart} at start. ` +
      `Commit ${m.gitCommit}${m.gitDirty ? ' (with uncommitted changes in src/)' : ''}.`,
    `Load: autocannon, ${s.connections} connections, ${s.duration} s per workload after ${s.warmup} s of warm-up, loopback; server and client share the machine's ${m.cpus} cores.` +
      (s.quick ? ' **Quick run** (smoke test): numbers are indicative only.' : ''),
    '',
    ...report.engines.flatMap((e) => [engineMarkdown(e), '']),
    `Total run time ${n0(report.seconds)} s.`,
    '',
  ].join('\n');
}
