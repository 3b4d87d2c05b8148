/**
 * The ordering proof of issue 15 §1 (docs/events.md, "Order"), shared by the SQLite and the
 * PostgreSQL tests: concurrent SCIM writers spread over the given instances (creates, PATCHes of
 * the same users from every instance, Group membership moves) while readers page
 * `GET /api/v1/events?after=…` on every instance; then the final `events` table, read with SQL,
 * is compared with what each reader saw and with the order the writes were acknowledged in.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import { createApiKey } from '../../src/directory/api-keys/api-keys.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import type { DirectoryStore } from '../../src/directory/ports.js';
import { listRoles } from '../../src/directory/roles/roles.js';
import { createTeam } from '../../src/directory/roles/teams.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { isPostgresUrl } from '../../src/storage/open-store.js';
import { prng } from '../reliability/reliability-support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const TEAMS = 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams';
const TEAM_NAMES = ['Design', 'Sales', 'Ops'];

export interface OrderRunOptions {
  /** A store over the instances' database, for the fixtures (workspaces, tokens, keys). */
  readonly store: DirectoryStore;
  /** The `--database` value: the final table is read from it with SQL. */
  readonly database: string;
  /** Base URLs of the Roster instances (one on SQLite, two on PostgreSQL). */
  readonly instances: readonly string[];
  readonly writers: number;
  readonly opsPerWriter: number;
  readonly seed: number;
}

/** What a run did, for the test's report and its sanity bounds. */
export interface OrderRunSummary {
  readonly events: number;
  readonly writes: number;
  readonly pages: number;
  /** Pairs of writes of the same user that were in flight at once on different instances (or the one instance). */
  readonly contendedPairs: number;
  /** Pairs (A acknowledged before B was sent) the real-time order check constrained. */
  readonly orderedPairs: number;
}

interface Fixture {
  readonly slug: string;
  readonly token: string;
  readonly key: string;
  readonly admin: string;
  readonly member: string;
  readonly users: string[];
}

interface Write {
  readonly kind: 'create' | 'patch' | 'group';
  readonly userId: string;
  readonly traceId: string;
  readonly base: string;
  readonly sentAt: number;
  readonly ackAt: number;
  /** PATCH /Users: the unique title it set, and the user's version in the answer. */
  readonly title?: string;
  readonly version?: number;
  /** PATCH /Groups: the role the user moves to (Admin when added, Member, the default, when removed). */
  readonly roleId?: string;
}

interface Row {
  readonly id: string;
  readonly slug: string;
  readonly sequence: number;
  readonly position: number;
  readonly type: string;
  readonly traceId: string | null;
  readonly actor: any;
  readonly data: any;
}

async function fixture(store: DirectoryStore, slug: string): Promise<Fixture> {
  await createWorkspace(store, { slug, plan: 'enterprise', seats: 100_000 });
  await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: 'id', clientSecret: 'secret' });
  const { token } = await enableScim(store, slug, 'okta');
  for (const team of TEAM_NAMES) await createTeam(store, slug, team);
  const roles = await listRoles(store, slug);
  const roleId = (name: string) => roles.find((r) => r.name === name)?.id as string;
  const { key } = await createApiKey(store, slug, 'order reader');
  return { slug, token, key, admin: roleId('Admin'), member: roleId('Member'), users: [] };
}

async function scim(base: string, token: string, method: string, path: string, body: unknown) {
  const sentAt = performance.now();
  const response = await fetch(`${base}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const ackAt = performance.now();
  const traceId = response.headers.get('x-trace-id') ?? '';
  expect(response.status, `${method} ${path} on ${base}: ${text.slice(0, 500)}`).toBeLessThan(300);
  return { body: text ? JSON.parse(text) : undefined, traceId, sentAt, ackAt, base };
}

/** One writer: creates, PATCHes and Group moves of its workspace's users, each on a random instance. */
async function writer(options: OrderRunOptions, w: Fixture, n: number, writes: Write[], stop: { failed: boolean }): Promise<void> {
  const random = prng(options.seed + n * 7919);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  for (let i = 0; i < options.opsPerWriter && !stop.failed; i++) {
    const base = pick(options.instances);
    const r = random();
    if (w.users.length < 6 || r < 0.12) {
      const done = await scim(base, w.token, 'POST', '/Users', {
        schemas: [USER],
        userName: `u${n}-${i}@${w.slug}.example`,
        name: { givenName: 'Order', familyName: `W${n}` },
        active: true,
      });
      w.users.push(done.body.id);
      writes.push({ kind: 'create', userId: done.body.id, ...done });
      continue;
    }
    // Half of the writes go to the six oldest users, so that transactions contend on their rows.
    const userId = random() < 0.5 ? pick(w.users.slice(0, 6)) : pick(w.users);
    if (r < 0.75) {
      const title = `t-${n}-${i}`;
      const operations: unknown[] = [{ op: 'replace', path: 'title', value: title }];
      if (random() < 0.3) operations.push({ op: 'replace', path: 'active', value: random() < 0.6 });
      if (random() < 0.3) operations.push({ op: 'replace', path: TEAMS, value: [pick(TEAM_NAMES)] });
      const done = await scim(base, w.token, 'PATCH', `/Users/${userId}`, { schemas: [PATCH], Operations: operations });
      const version = Number(/^W\/"(\d+)"$/.exec(done.body.meta.version)?.[1]);
      writes.push({ kind: 'patch', userId, title, version, ...done });
    } else {
      // Group moves in and out of Admin only: every such PATCH locks Admin's row, then Member's.
      // (Moves into Admin and into Member at once lock the two role rows in opposite orders and
      // deadlock past the retries on PostgreSQL: a separate defect of PATCH /Groups.)
      const join = random() < 0.5;
      const roleId = join ? w.admin : w.member;
      const operation = join
        ? { op: 'add', path: 'members', value: [{ value: userId }] }
        : { op: 'remove', path: `members[value eq "${userId}"]` };
      const done = await scim(base, w.token, 'PATCH', `/Groups/${w.admin}`, { schemas: [PATCH], Operations: [operation] });
      writes.push({ kind: 'group', userId, roleId, ...done });
    }
  }
}

interface Reader {
  readonly name: string;
  readonly key: string;
  /** Extra query parameters (`&workspace=…`, `&types=…`). */
  readonly query: string;
  /** The workspace whose stream it reads (by sequence); undefined: every workspace's (by position). */
  readonly slug?: string;
  /** The type prefix its `types` glob selects. */
  readonly types?: string;
}

/**
 * Pages the events API until the run is `finished` and a page started after that comes back
 * empty: then nothing more will ever be numbered, so the reader has everything it can see. The
 * instance changes with every page (a cursor of one instance is used on the other), limits vary,
 * and an empty page long-polls for a second.
 */
async function read(reader: Reader, options: OrderRunOptions, finished: () => boolean, counter: { pages: number }): Promise<any[]> {
  const random = prng(options.seed ^ reader.name.length);
  const seen: any[] = [];
  let cursor: string | undefined;
  let wait = 0;
  for (let page = 0; ; page++) {
    const final = finished();
    const base = options.instances[page % options.instances.length];
    const limit = 1 + Math.floor(random() * 60);
    const url = `${base}/api/v1/events?limit=${limit}&wait=${final ? 0 : wait}${reader.query}${cursor ? `&after=${cursor}` : ''}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${reader.key}` } });
    const body = (await response.json()) as any;
    expect(response.status, `${reader.name}: ${JSON.stringify(body)}`).toBe(200);
    expect(body.data.length).toBeLessThanOrEqual(limit);
    counter.pages++;
    seen.push(...body.data);
    cursor = body.next;
    if (final && body.data.length === 0 && !body.hasMore) return seen;
    wait = body.data.length === 0 ? 1 : 0;
  }
}

/** The final events table, read with SQL (not through Roster's repositories), oldest position first. */
async function eventTable(database: string): Promise<{ rows: Row[]; pending: number }> {
  // Pending first: when no committed event waited for its number then, and no write runs any
  // more, the rows read next are final (the other order could miss events numbered in between).
  const pendingQuery = 'select count(*) as n from events where position is null';
  const query = `select e.id, w.slug, e.sequence, e.position, e.type, e.trace_id, e.actor, e.data
    from events e join workspaces w on w.id = e.workspace_id where e.position is not null order by e.position`;
  let raw: any[];
  let pending: number;
  if (isPostgresUrl(database)) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      pending = Number((await client.query(pendingQuery)).rows[0].n);
      raw = (await client.query(query)).rows;
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(database, { readonly: true });
    try {
      pending = Number((db.prepare(pendingQuery).get() as any).n);
      raw = db.prepare(query).all() as any[];
    } finally {
      db.close();
    }
  }
  const rows = raw.map((r) => ({
    id: r.id,
    slug: r.slug,
    sequence: Number(r.sequence),
    position: Number(r.position),
    type: r.type,
    traceId: r.trace_id,
    actor: JSON.parse(r.actor),
    data: JSON.parse(r.data),
  }));
  return { rows, pending };
}

/** Waits until every recorded event is numbered (the writers have stopped), then returns the table. */
async function drainedTable(database: string): Promise<Row[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows, pending } = await eventTable(database);
    if (pending === 0) return rows;
    if (Date.now() > deadline) throw new Error(`${pending} events are still not numbered 15 s after the writers stopped`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs writers and readers, then checks everything against the final table. */
export async function proveEventOrder(options: OrderRunOptions): Promise<OrderRunSummary> {
  const a = await fixture(options.store, 'order-a');
  const b = await fixture(options.store, 'order-b');
  const instanceKey = (await createApiKey(options.store, undefined, 'order host app')).key;
  const readers: Reader[] = [
    { name: 'order-a, workspace key', key: a.key, query: '', slug: 'order-a' },
    { name: 'order-b, workspace key', key: b.key, query: '', slug: 'order-b' },
    { name: 'every workspace, instance key', key: instanceKey, query: '' },
    { name: 'order-b user.*, instance key', key: instanceKey, query: '&workspace=order-b&types=user.*', slug: 'order-b', types: 'user.' },
  ];
  let finished = false;
  const t0 = performance.now();
  const counter = { pages: 0 };
  // Settled promises: a reader that fails early must not be an unhandled rejection while writers run.
  const reading = readers.map((reader) =>
    read(reader, options, () => finished, counter).then(
      (seen) => ({ seen }),
      (error: unknown) => ({ error }),
    ),
  );
  const writes: Write[] = [];
  // The first failing writer stops the others; all have stopped before the table is read.
  const stop = { failed: false };
  const writing = await Promise.allSettled(
    Array.from({ length: options.writers }, (_, n) =>
      writer(options, n % 2 ? b : a, n, writes, stop).catch((error: unknown) => {
        stop.failed = true;
        throw error;
      }),
    ),
  ).then((results) => results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as unknown);
  if (process.env.ROSTER_TEST_TIMING) process.stderr.write(`[event-order] writers done at ${Math.round(performance.now() - t0)} ms\n`);
  // Readers stop once the table is final (also when a writer or the drain failed).
  const rows = await drainedTable(options.database).finally(() => {
    finished = true;
  });
  const results = await Promise.all(reading);
  if (writing) throw writing;
  checkTable(rows);
  readers.forEach((reader, i) => {
    const result = results[i] as { seen?: any[]; error?: unknown };
    if (result.error) throw result.error;
    checkReader(reader, result.seen as any[], rows);
  });
  checkWrites(writes, rows);
  return { events: rows.length, writes: writes.length, pages: counter.pages, ...orderStats(writes, rows) };
}

/** Sequences are 1..N per workspace and positions 1..M, and both orders agree. */
function checkTable(rows: readonly Row[]): void {
  expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i + 1));
  const bySlug = new Map<string, Row[]>();
  for (const row of rows) bySlug.set(row.slug, [...(bySlug.get(row.slug) ?? []), row]);
  for (const [slug, own] of bySlug) {
    // In position order, each workspace's sequences run 1, 2, 3 …: the two numberings agree.
    expect(
      own.map((r) => r.sequence),
      slug,
    ).toEqual(own.map((_, i) => i + 1));
  }
}

/** What a reader saw is exactly the table's stream (no gap, no duplicate, same order, same content). */
function checkReader(reader: Reader, seen: readonly any[], rows: readonly Row[]): void {
  const { slug, types } = reader;
  const expected = rows.filter((r) => (!slug || r.slug === slug) && (!types || r.type.startsWith(types)));
  expect(
    seen.map((e) => e.id),
    `${reader.name}: the events seen, in order, are the table's`,
  ).toEqual(expected.map((r) => r.id));
  expect(seen.map((e) => [e.workspace, e.sequence, e.type])).toEqual(expected.map((r) => [r.slug, r.sequence, r.type]));
  expect(seen.map((e) => e.data)).toEqual(expected.map((r) => r.data));
}

/** Every write's events are there, and only those: nothing of another user, nothing without a write. */
function checkWrites(writes: readonly Write[], rows: readonly Row[]): void {
  const byTrace = groupBy(rows, (r) => r.traceId ?? '');
  const traces = new Set(writes.map((w) => w.traceId));
  for (const row of rows.filter((r) => r.actor.type === 'scim'))
    expect(traces.has(row.traceId ?? ''), `event ${row.id} has no write`).toBe(true);
  for (const write of writes) {
    const own = byTrace.get(write.traceId) ?? [];
    for (const event of own) expect(event.data.user.id, `${write.kind} ${write.traceId}`).toBe(write.userId);
    if (write.kind === 'create') expect(own.map((e) => e.type)).toEqual(['user.created']);
    if (write.kind === 'patch') {
      const updated = own.filter((e) => e.type === 'user.updated');
      expect(updated, `PATCH ${write.traceId}`).toHaveLength(1);
      expect(updated[0]?.data.changes.title.to).toBe(write.title);
      expect(updated[0]?.data.user.title).toBe(write.title);
    }
    if (write.kind === 'group') {
      expect(own.every((e) => e.type === 'user.role_changed' && e.data.to.id === write.roleId)).toBe(true);
      expect(own.length).toBeLessThanOrEqual(1);
    }
  }
  // For each user, the PATCHes' events follow the versions their answers carried: commit order.
  for (const patches of groupBy(
    writes.filter((w) => w.kind === 'patch'),
    (w) => w.userId,
  ).values()) {
    const sorted = [...patches].sort((x, y) => (x.version as number) - (y.version as number));
    const sequences = sorted.map((w) => (byTrace.get(w.traceId) ?? []).map((e) => e.sequence));
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i]?.version, 'two PATCHes of one user answered the same version').toBeGreaterThan(sorted[i - 1]?.version as number);
      expect(Math.min(...(sequences[i] as number[])), `user ${sorted[i]?.userId}: version ${sorted[i]?.version}`).toBeGreaterThan(
        Math.max(...(sequences[i - 1] as number[])),
      );
    }
  }
}

/**
 * The real-time order: when write A was acknowledged before write B was sent, every event of A
 * has a lower position than every event of B (and so a lower sequence when they share a
 * workspace), whatever the users and instances. Also counts how contended the run was.
 */
function orderStats(writes: readonly Write[], rows: readonly Row[]): Pick<OrderRunSummary, 'contendedPairs' | 'orderedPairs'> {
  const positions = groupBy(rows, (r) => r.traceId ?? '');
  const span = (w: Write) => (positions.get(w.traceId) ?? []).map((r) => r.position);
  const withEvents = writes.filter((w) => span(w).length > 0);
  const byAck = [...withEvents].sort((x, y) => x.ackAt - y.ackAt);
  let acked = 0;
  let highest = 0;
  let orderedPairs = 0;
  for (const write of [...withEvents].sort((x, y) => x.sentAt - y.sentAt)) {
    while (acked < byAck.length && (byAck[acked] as Write).ackAt < write.sentAt) {
      highest = Math.max(highest, ...span(byAck[acked] as Write));
      acked++;
    }
    orderedPairs += acked;
    expect(
      Math.min(...span(write)),
      `${write.kind} ${write.traceId} sent after writes with events up to position ${highest}`,
    ).toBeGreaterThan(highest);
  }
  let contendedPairs = 0;
  for (const own of groupBy(writes, (w) => w.userId).values()) {
    for (let i = 0; i < own.length; i++) {
      for (let j = i + 1; j < own.length; j++) {
        const [x, y] = [own[i] as Write, own[j] as Write];
        if (x.sentAt < y.ackAt && y.sentAt < x.ackAt) contendedPairs++;
      }
    }
  }
  return { contendedPairs, orderedPairs };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
