import { parseArgs } from 'node:util';

export type Engine = 'sqlite' | 'postgres';

export interface BenchOptions {
  readonly users: number;
  readonly engines: readonly Engine[];
  /** Seconds each workload is loaded for. */
  readonly duration: number;
  /** Seconds of unrecorded load before each measured workload. */
  readonly warmup: number;
  readonly connections: number;
  /** Users the Entra-style initial sync provisions. */
  readonly syncUsers: number;
  /** Directory events the events rows page through (0: no events rows). */
  readonly events: number;
  /** The sync stops after this many seconds; the result is then extrapolated and marked. */
  readonly syncTimeout: number;
  /** Workloads to run (all when undefined). */
  readonly only: readonly string[] | undefined;
  /** Start the server with --cpu-prof; profiles land in bench/results/profiles/. */
  readonly profile: boolean;
  readonly keep: boolean;
  /** Run ANALYZE on PostgreSQL after seeding (as autovacuum would); --no-analyze shows the plans without statistics. */
  readonly analyze: boolean;
  readonly quick: boolean;
  /** Run the server and the ceiling through tsx instead of compiling them to JavaScript first. */
  readonly tsx: boolean;
  /** PostgreSQL: run ANALYZE every this many seconds during the sync (0: never), as autoanalyze would. */
  readonly syncAnalyzeEvery: number;
  /** Extra node flags for the Roster server only (e.g. V8 heap limits), recorded with the results. */
  readonly serverNodeFlags: readonly string[];
  readonly outDir: string;
  readonly postgresUrl: string;
}

const HELP = `npm run bench [-- options]

  --users N            users in the seeded workspace (default 100000; 10000 with --quick)
  --engine E           sqlite or postgres (default sqlite)
  --engines E1,E2      several engines in one run, e.g. sqlite,postgres
  --duration S         seconds per workload (default 10; 3 with --quick)
  --warmup S           unrecorded seconds before each workload (default 2; 1 with --quick)
  --connections C      concurrent connections (default 16)
  --sync-users N       users of the initial-sync workload (default 100000; 10000 with --quick)
  --events N           events the events-API row pages through (default 100000; 10000 with --quick; 0: no events rows)
  --sync-timeout S     stop the sync after S seconds and extrapolate (default 240)
  --sync-analyze-every S  PostgreSQL: ANALYZE every S seconds during the sync, as autoanalyze would (default 0: never)
  --only a,b           run only these workloads (ids as in the table, e.g. filter,get,sync)
  --profile            run the server with --cpu-prof (profiles in bench/results/profiles/)
  --keep               keep the benchmark database
  --no-analyze         on PostgreSQL, skip the ANALYZE after seeding (autovacuum is off on this machine kind)
  --quick              small, fast run (smoke test of the suite)
  --server-node-flags "F"  node flags for the Roster server only, e.g. "--max-semi-space-size=2" (recorded in the results)
  --tsx                run the server and the ceiling through tsx, as npm start does (default: compiled to JavaScript first)
  --out DIR            results directory (default bench/results)
  env ROSTER_BENCH_POSTGRES_URL  admin URL of the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      users: { type: 'string' },
      engine: { type: 'string' },
      engines: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'sync-users': { type: 'string' },
      events: { type: 'string' },
      'sync-timeout': { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'no-analyze': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      tsx: { type: 'boolean', default: false },
      'server-node-flags': { type: 'string' },
      'sync-analyze-every': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const quick = values.quick === true;
  const engines = (values.engines ?? values.engine ?? 'sqlite').split(',').map((e) => e.trim());
  for (const engine of engines) if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`unknown engine '${engine}'`);
  return {
    users: whole(values.users, quick ? 10_000 : 100_000, 'users'),
    engines: engines as Engine[],
    duration: positive(values.duration, quick ? 3 : 10, 'duration'),
    warmup: whole(values.warmup, quick ? 1 : 2, 'warmup'),
    connections: positive(values.connections, 16, 'connections'),
    syncUsers: whole(values['sync-users'], quick ? 10_000 : 100_000, 'sync-users'),
    events: whole(values.events, quick ? 10_000 : 100_000, 'events'),
    syncTimeout: positive(values['sync-timeout'], 240, 'sync-timeout'),
    only: values.only ? values.only.split(',').map((s) => s.trim()) : undefined,
    profile: values.profile === true,
    keep: values.keep === true,
    analyze: values['no-analyze'] !== true,
    quick,
    tsx: values.tsx === true,
    syncAnalyzeEvery: whole(values['sync-analyze-every'], 0, 'sync-analyze-every'),
    serverNodeFlags: (values['server-node-flags'] ?? '').split(' ').filter((f) => f !== ''),
    outDir: values.out ?? 'bench/results',
    postgresUrl: process.env.ROSTER_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

function whole(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

function positive(value: string | undefined, fallback: number, name: string): number {
  const n = whole(value, fallback, name);
  if (n === 0) throw new Error(`--${name} must be at least 1`);
  return n;
}
