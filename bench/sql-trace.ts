/**
 * Where a request's time goes on SQLite: runs each workload's requests in-process (Fastify
 * `inject`, no sockets) against a seeded database opened through an instrumented copy of the
 * SQLite dialect, and prints per request the statements issued, the time spent preparing them
 * and running them, and the rest (JavaScript: routing, Kysely, SCIM shaping, JSON).
 *
 *   npx tsx bench/sql-trace.ts [--users 100000 | --database seeded.db --users N] [--requests 500] [--only get,post] [--statement-cache] [--synchronous NORMAL] [--cache-size -65536]
 *
 * `--statement-cache`, `--synchronous` and `--cache-size` try the fixes proposed in
 * docs/performance.md without changing src/: they only change this script's copy of the dialect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Sqlite from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { composeApp } from '../src/app/compose.js';
import { loadConfig } from '../src/config/config.js';
import { rotateToken } from '../src/directory/integrations/scim-integration.js';
import { openStore } from '../src/storage/open-store.js';
import { secretBox, secretKeyFor } from '../src/storage/secret-box.js';
import { isRetryableSqliteError, type SqlDialect, sqliteOrderedList, translateSqliteError } from '../src/storage/sql/dialect.js';
import { SqlStore } from '../src/storage/sql/sql-store.js';
import { seedUserName, seedWorkspace } from './lib/bulk-seed.js';
import { entraUser } from './lib/workloads.js';

interface StatementStats {
  count: number;
  prepareUs: number;
  runUs: number;
}

const stats = new Map<string, StatementStats>();
let tracing = false;

const now = () => Number(process.hrtime.bigint()) / 1000;
const shape = (sql: string) =>
  sql
    .replace(/\s+/g, ' ')
    .replace(/\((\?, )+\?\)(, \((\?, )+\?\))+/g, '(…rows…)')
    .replace(/in \((\?, )+\?\)/g, 'in (…)')
    .slice(0, 110);

function note(sql: string, field: 'prepareUs' | 'runUs', us: number, counted: boolean): void {
  if (!tracing) return;
  const key = shape(sql);
  const entry = stats.get(key) ?? { count: 0, prepareUs: 0, runUs: 0 };
  entry[field] += us;
  if (counted) entry.count++;
  stats.set(key, entry);
}

/** sqliteDialect() with timing around prepare and execution, and the optional experiments. */
function tracedDialect(path: string, options: { statementCache: boolean; synchronous: string; cacheSize?: string }): SqlDialect {
  const database = new Sqlite(path);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${options.synchronous}`);
  database.pragma('busy_timeout = 10000');
  database.pragma('foreign_keys = ON');
  database.pragma('case_sensitive_like = ON');
  if (options.cacheSize) database.pragma(`cache_size = ${options.cacheSize}`);
  database.function('lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
  const cache = new Map<string, Sqlite.Statement>();
  const timed = (sql: string, statement: Sqlite.Statement) => ({
    reader: statement.reader,
    all: (parameters: unknown[]) => {
      const t = now();
      try {
        return statement.all(parameters);
      } finally {
        note(sql, 'runUs', now() - t, true);
      }
    },
    run: (parameters: unknown[]) => {
      const t = now();
      try {
        return statement.run(parameters);
      } finally {
        note(sql, 'runUs', now() - t, true);
      }
    },
    iterate: (parameters: unknown[]) => statement.iterate(parameters),
  });
  const wrapper = {
    close: () => database.close(),
    prepare: (sql: string) => {
      const t = now();
      let statement = options.statementCache ? cache.get(sql) : undefined;
      if (!statement) {
        statement = database.prepare(sql);
        if (options.statementCache) {
          if (cache.size >= 1000) cache.delete(cache.keys().next().value as string);
          cache.set(sql, statement);
        }
      }
      note(sql, 'prepareUs', now() - t, false);
      return timed(sql, statement);
    },
  };
  return {
    name: 'sqlite',
    kysely: new SqliteDialect({ database: wrapper as never }),
    beginSql: 'begin immediate',
    forUpdateSql: '',
    translateError: translateSqliteError,
    isRetryable: isRetryableSqliteError,
    orderedListSql: sqliteOrderedList,
    numbersEventsOnInsert: true,
  };
}

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '500' },
    'statement-cache': { type: 'boolean', default: false },
    synchronous: { type: 'string', default: 'FULL' },
    'cache-size': { type: 'string' },
    top: { type: 'string', default: '8' },
    only: { type: 'string' },
    database: { type: 'string' },
  },
});
const users = Number(values.users);
const perWorkload = Number(values.requests);
const dir = values.database ? undefined : mkdtempSync(join(tmpdir(), 'roster-trace-'));
const path = values.database ?? join(dir as string, 'roster.db');
try {
  const seedStore = await openStore(path);
  const seeded = values.database ? await reuseSeeded(seedStore, path) : await seedWorkspace(seedStore, { users, sampleSize: 5_000 });
  const sync = await seedWorkspace(seedStore, { users: 0, slug: `sync-${Date.now()}` });
  await seedStore.close();
  // Built as openStore() builds it, with the instrumented dialect in place of sqliteDialect().
  const store = new SqlStore(
    tracedDialect(path, {
      statementCache: values['statement-cache'] === true,
      synchronous: values.synchronous as string,
      ...(values['cache-size'] ? { cacheSize: values['cache-size'] } : {}),
    }),
    secretBox(secretKeyFor(path)),
  );
  const app = await composeApp({
    store,
    config: loadConfig({ database: path, port: 8080 }, { ROSTER_LOG_LEVEL: 'warn', ROSTER_RATE_LIMIT: '0' }),
  });
  const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' });
  const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)] as T;
  const patch = (...ops: unknown[]) => JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
  let n = 0;
  type Call = { method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: string; token?: string };
  const workloads: Record<string, () => Call[]> = {
    get: () => [{ method: 'GET', url: `/scim/v2/Users/${pick(seeded.sampleIds)}` }],
    filter: () => [
      {
        method: 'GET',
        url: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${seedUserName(Math.floor(Math.random() * users))}"`)}`,
      },
    ],
    'page-first': () => [{ method: 'GET', url: '/scim/v2/Users?startIndex=1&count=100' }],
    'page-deep': () => [{ method: 'GET', url: `/scim/v2/Users?startIndex=${Math.max(1, users - 99)}&count=100` }],
    'patch-name': () => [
      {
        method: 'PATCH',
        url: `/scim/v2/Users/${pick(seeded.sampleIds)}`,
        payload: patch({ op: 'replace', path: 'name.givenName', value: `G${++n}` }),
      },
    ],
    'patch-active': () => {
      const id = pick(seeded.memberIds);
      return [
        { method: 'PATCH', url: `/scim/v2/Users/${id}`, payload: patch({ op: 'replace', path: 'active', value: false }) },
        { method: 'PATCH', url: `/scim/v2/Users/${id}`, payload: patch({ op: 'replace', path: 'active', value: true }) },
      ];
    },
    post: () => [{ method: 'POST', url: '/scim/v2/Users', payload: entraUser(`trace.${++n}@acme-corp.example`, n) }],
    'group-big': () => {
      const id = pick(seeded.memberIds);
      return [
        {
          method: 'PATCH',
          url: `/scim/v2/Groups/${seeded.roles.big.id}`,
          payload: patch({ op: 'add', path: 'members', value: [{ value: id }] }),
        },
        {
          method: 'PATCH',
          url: `/scim/v2/Groups/${seeded.roles.big.id}`,
          payload: patch({ op: 'remove', path: `members[value eq "${id}"]` }),
        },
      ];
    },
    'group-small': () => {
      const id = pick(seeded.memberIds);
      return [
        {
          method: 'PATCH',
          url: `/scim/v2/Groups/${seeded.roles.small.id}`,
          payload: patch({ op: 'add', path: 'members', value: [{ value: id }] }),
        },
        {
          method: 'PATCH',
          url: `/scim/v2/Groups/${seeded.roles.small.id}`,
          payload: patch({ op: 'remove', path: `members[value eq "${id}"]` }),
        },
      ];
    },
    'sync (filter + POST)': () => {
      const userName = `sync.${++n}@new-tenant.example`;
      return [
        { method: 'GET', url: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, token: sync.token },
        { method: 'POST', url: '/scim/v2/Users', payload: entraUser(userName, n), token: sync.token },
      ];
    },
  };
  process.stdout.write(
    `SQLite, ${users.toLocaleString('en-US')} users; statement cache ${values['statement-cache'] ? 'on' : 'off'}, synchronous=${values.synchronous}${
      values['cache-size'] ? `, cache_size=${values['cache-size']}` : ''
    }; ${perWorkload} requests per workload after ${Math.min(200, perWorkload)} unrecorded, one at a time, in-process\n`,
  );
  const only = values.only?.split(',');
  for (const [name, next] of Object.entries(workloads)) {
    if (only && !only.some((o) => name.startsWith(o))) continue;
    const send = async (call: Call) => {
      const response = await app.inject({
        method: call.method,
        url: call.url,
        headers: headers(call.token ?? seeded.token),
        ...(call.payload ? { payload: call.payload } : {}),
      });
      if (response.statusCode >= 300)
        throw new Error(`${name}: ${call.method} ${call.url} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    };
    for (let i = 0; i < Math.min(200, perWorkload); i++) for (const call of next()) await send(call);
    stats.clear();
    tracing = true;
    let calls = 0;
    const start = now();
    for (let i = 0; i < perWorkload; i++) {
      for (const call of next()) {
        await send(call);
        calls++;
      }
    }
    const totalUs = now() - start;
    tracing = false;
    const all = [...stats.entries()];
    const count = all.reduce((s, [, e]) => s + e.count, 0) / calls;
    const prepare = all.reduce((s, [, e]) => s + e.prepareUs, 0) / calls;
    const run = all.reduce((s, [, e]) => s + e.runUs, 0) / calls;
    const perRequest = totalUs / calls;
    process.stdout.write(
      `\n${name}: ${Math.round(perRequest)} µs per request = ${count.toFixed(1)} statements (prepare ${Math.round(prepare)} µs + run ${Math.round(run)} µs) + ${Math.round(
        perRequest - prepare - run,
      )} µs JavaScript\n`,
    );
    for (const [sql, e] of all.sort((a, b) => b[1].prepareUs + b[1].runUs - (a[1].prepareUs + a[1].runUs)).slice(0, Number(values.top))) {
      process.stdout.write(
        `  ${(e.count / calls).toFixed(2).padStart(5)}×  prepare ${String(Math.round(e.prepareUs / calls)).padStart(5)} µs  run ${String(Math.round(e.runUs / calls)).padStart(6)} µs  ${sql}\n`,
      );
    }
  }
  await app.close();
  await store.close();
} finally {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** The 'bench' workspace of a file seeded earlier (by this script with --keep, or seedWorkspace): new token, sampled ids. */
async function reuseSeeded(store: SqlStore, file: string) {
  const workspace = await store.read.workspaces.bySlug('bench');
  if (!workspace) throw new Error(`${file} has no workspace 'bench'`);
  const role = async (name: string) => {
    const found = await store.read.roles.byName(workspace.id, name);
    if (!found) throw new Error(`no role ${name}`);
    return found;
  };
  const roles = { member: await role('Member'), big: await role('Big'), small: await role('Small') };
  const { token } = await rotateToken(store, 'bench');
  const raw = new Sqlite(file, { readonly: true });
  const ids = (sql: string, ...parameters: unknown[]) => (raw.prepare(sql).all(...parameters) as Array<{ id: string }>).map((r) => r.id);
  const sampleIds = ids('select id from users where workspace_id = ? order by random() limit 5000', workspace.id);
  const memberIds = ids(
    'select id from users where workspace_id = ? and role_id = ? and active = 1 order by random() limit 2000',
    workspace.id,
    roles.member.id,
  );
  raw.close();
  return { token, roles, sampleIds, memberIds };
}
