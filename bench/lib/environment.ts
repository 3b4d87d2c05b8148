import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Engine } from './options.js';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the run started: other work on the machine shows here. */
  readonly loadAverageAtStart: number;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
}

export function machine(): Machine {
  const cpuinfo = safe(() => readFileSync('/proc/cpuinfo', 'utf8'), '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  return {
    cpus: cpus().length,
    cpuModel: model,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: safe(() => /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'linux', 'linux'),
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    gitCommit: safe(() => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(), 'unknown'),
    gitDirty: safe(() => execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '', false),
  };
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

export interface BenchDatabase {
  /** The `--database` value: a SQLite file path or a postgres:// URL. */
  readonly url: string;
  readonly label: string;
  drop(): Promise<void>;
}

/** A fresh, empty database: a temp SQLite file, or a new database on the PostgreSQL server. */
export async function freshDatabase(engine: Engine, postgresAdminUrl: string): Promise<BenchDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'roster-bench-'));
    const url = join(dir, 'roster.db');
    return { url, label: url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `roster_bench_${randomBytes(6).toString('hex')}`;
  await admin(postgresAdminUrl, `create database ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `${url.host}/${name}`,
    drop: () => admin(postgresAdminUrl, `drop database if exists ${name} with (force)`),
  };
}

export async function postgresReachable(adminUrl: string): Promise<boolean> {
  try {
    await admin(adminUrl, 'select 1');
    return true;
  } catch {
    return false;
  }
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Size of the database on disk in MB (SQLite file plus WAL, or pg_database_size). */
export async function databaseSizeMb(engine: Engine, url: string): Promise<number> {
  if (engine === 'sqlite') {
    let bytes = 0;
    for (const suffix of ['', '-wal']) bytes += safe(() => statSync(`${url}${suffix}`).size, 0);
    return Math.round(bytes / 1024 ** 2);
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ size: string }>('select pg_database_size(current_database()) as size');
    return Math.round(Number(rows[0]?.size ?? 0) / 1024 ** 2);
  } finally {
    await client.end();
  }
}

/** Clock ticks per second of /proc CPU times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

function busyTicks(): number {
  const line = safe(() => readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '', '');
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
}

function processTicks(pid: number): number {
  const stat = safe(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), '');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/**
 * Measures how many cores processes other than the benchmark's own used over an interval: the
 * noise indicator printed with each workload (the machine is shared).
 */
export function otherCpu(ownPids: () => readonly number[]): () => number {
  const ownTicks = () => ownPids().reduce((sum, pid) => sum + processTicks(pid), 0);
  const startBusy = busyTicks();
  const startOwn = ownTicks();
  const startTime = performance.now();
  return () => {
    const seconds = (performance.now() - startTime) / 1000;
    const other = busyTicks() - startBusy - (ownTicks() - startOwn);
    return seconds > 0 ? Math.max(0, Math.round((other / USER_HZ / seconds) * 100) / 100) : 0;
  };
}

/**
 * Gathers planner statistics on PostgreSQL, as autovacuum would soon after a bulk load in
 * production (the PostgreSQL on this machine kind runs with autovacuum off). SQLite is left
 * alone: Roster never runs ANALYZE there, so its planner never has statistics in production either.
 */
export async function analyzePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

/** PostgreSQL backends serving `databaseName` (their command line names the database). */
export function postgresBackends(databaseName: string): number[] {
  const pids: number[] = [];
  for (const entry of safe(() => readdirSync('/proc'), [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = safe(() => readFileSync(`/proc/${entry}/cmdline`, 'utf8'), '');
    if (cmdline.startsWith('postgres: ') && cmdline.includes(` ${databaseName} `)) pids.push(Number(entry));
  }
  return pids;
}
