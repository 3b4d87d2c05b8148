import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { RecordedEvent, StoredEvent } from '../../directory/events/event-model.js';
import type { EventPage, EventPageQuery, EventRepository } from '../../directory/events/event-ports.js';
import { chunks } from './chunks.js';
import type { Database } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { insertRows } from './row-statements.js';

/** Events read per page when announcing what was numbered (`numberedAfter`). */
const NOTICE_PAGE = 1000;
/** Rows per numbered INSERT (7 parameters a row, far below SQLite's 32,766). */
const NUMBERED_CHUNK = 500;
const numberedTexts = new Map<number, string>();

/** The SQLite statement of `insertNumbered` for `rows` rows, cached per row count. */
function numberedInsertSql(rows: number): string {
  let text = numberedTexts.get(rows);
  if (text === undefined) {
    text = `with base(s, p) as (select
        max(coalesce((select max(sequence) from events where workspace_id = ?), 0),
            coalesce((select pruned_through from event_watermarks where scope = ?), 0)),
        max(coalesce((select max(position) from events), 0),
            coalesce((select pruned_through from event_watermarks where scope = ?), 0))),
      v(n, id, type, occurred_at, actor, trace_id, data) as (values ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')})
      insert into events (id, workspace_id, type, occurred_at, actor, trace_id, data, sequence, position)
      select v.id, ?, v.type, v.occurred_at, v.actor, v.trace_id, v.data, base.s + v.n, base.p + v.n from v, base order by v.n`;
    if (rows <= 16) numberedTexts.set(rows, text);
  }
  return text;
}

/** The advisory lock key of the sequencer (any constant unique to Roster's locks). */
const SEQUENCER_LOCK = 7_243_117;
/** The watermark scope of the instance-wide position. */
const ALL = '*';

type EventRow = {
  id: string;
  workspace_id: string;
  workspace: string;
  sequence: number | string;
  position: number | string;
  type: string;
  occurred_at: string;
  actor: string;
  trace_id: string | null;
  data: string;
};

export class SqlEventRepository implements EventRepository {
  readonly numbersOnInsert: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {
    this.numbersOnInsert = dialect.numbersEventsOnInsert;
  }

  async insert(events: readonly RecordedEvent[]): Promise<void> {
    if (this.numbersOnInsert) return this.insertNumbered(events);
    const rows = events.map((e) => ({
      id: e.id,
      workspace_id: e.workspaceId,
      type: e.type,
      occurred_at: e.occurredAt,
      actor: e.actor,
      trace_id: e.traceId,
      data: e.data,
    }));
    for (const chunk of chunks(rows, 500)) await this.db.executeQuery(insertRows(this.dialect, 'events', chunk));
  }

  /**
   * SQLite: each workspace's events in one statement that numbers them above the stream's highest
   * number and its watermark (both read by index), in the order given. The transaction holds the
   * database's only write lock, so no other writer can take the same numbers, and a rolled-back
   * write (a failed request's savepoint, a failed batch) takes its numbers with it: no gaps.
   * Written as cached SQL text (Kysely has no CTE-on-INSERT form that would not be rebuilt per
   * call, and this runs in every write that changes something).
   */
  private async insertNumbered(events: readonly RecordedEvent[]): Promise<void> {
    const byWorkspace = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const own = byWorkspace.get(event.workspaceId);
      if (own) own.push(event);
      else byWorkspace.set(event.workspaceId, [event]);
    }
    for (const [workspaceId, own] of byWorkspace) {
      for (const chunk of chunks(own, NUMBERED_CHUNK)) {
        const rows = chunk.flatMap((e, i) => [i + 1, e.id, e.type, e.occurredAt, e.actor, e.traceId, e.data]);
        const parameters = [workspaceId, workspaceId, ALL, ...rows, workspaceId];
        await this.db.executeQuery(CompiledQuery.raw(numberedInsertSql(chunk.length), parameters));
      }
    }
  }

  async numberedAfter(position: number): Promise<{ head: number; workspaceIds: string[] }> {
    // By the position index, in pages: a GROUP BY let SQLite's planner walk the whole
    // (workspace_id, sequence) index instead, every round (the benchmark's writes slowed to a
    // quarter as the table grew).
    let head = position;
    const workspaceIds = new Set<string>();
    for (;;) {
      const rows = await this.db
        .selectFrom('events')
        .select(['position', 'workspace_id'])
        .where('position', '>', head)
        .orderBy('position')
        .limit(NOTICE_PAGE)
        .execute();
      for (const row of rows) workspaceIds.add(row.workspace_id);
      head = Number(rows.at(-1)?.position ?? head);
      if (rows.length < NOTICE_PAGE) return { head, workspaceIds: [...workspaceIds] };
    }
  }

  async lockSequencer(): Promise<boolean> {
    if (!this.dialect.tryLockSql) return true;
    const { rows } = await sql<{ locked: boolean }>`${sql.raw(this.dialect.tryLockSql(SEQUENCER_LOCK))}`.execute(this.db);
    return rows[0]?.locked === true;
  }

  async numberPending(limit: number): Promise<{ numbered: number; workspaceIds: string[] }> {
    const pending = await this.db
      .selectFrom('events')
      .select(['recorded', 'workspace_id'])
      .where('position', 'is', null)
      .orderBy('recorded')
      .limit(limit)
      .execute();
    if (pending.length === 0) return { numbered: 0, workspaceIds: [] };
    let position = Math.max(await this.highest(), await this.watermark(ALL));
    const sequences = new Map<string, number>();
    for (const workspaceId of new Set(pending.map((p) => p.workspace_id))) {
      sequences.set(workspaceId, Math.max(await this.highest(workspaceId), await this.watermark(workspaceId)));
    }
    const numbers = pending.map((row) => {
      const sequence = (sequences.get(row.workspace_id) ?? 0) + 1;
      sequences.set(row.workspace_id, sequence);
      position += 1;
      return { recorded: Number(row.recorded), sequence, position };
    });
    for (const chunk of chunks(numbers, 300)) {
      const values = sql.join(
        chunk.map((n) => sql`(cast(${n.recorded} as bigint), cast(${n.sequence} as bigint), cast(${n.position} as bigint))`),
      );
      await sql`
        with v(r, s, p) as (values ${values})
        update events set sequence = v.s, position = v.p from v where events.recorded = v.r`.execute(this.db);
    }
    return { numbered: numbers.length, workspaceIds: [...sequences.keys()] };
  }

  async head(workspaceId?: string): Promise<number> {
    return this.highest(workspaceId);
  }

  /** The highest number given so far: a workspace's sequence, or the instance's position. */
  private async highest(workspaceId?: string): Promise<number> {
    const row =
      workspaceId === undefined
        ? await this.db
            .selectFrom('events')
            .select((eb) => eb.fn.max('position').as('n'))
            .executeTakeFirst()
        : await this.db
            .selectFrom('events')
            .select((eb) => eb.fn.max('sequence').as('n'))
            .where('workspace_id', '=', workspaceId)
            .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async page(query: EventPageQuery): Promise<EventPage> {
    // The head is read first: every event numbered up to it was committed before the page query
    // starts, so the page sees all of them; an event numbered later has a higher number.
    const head = await this.highest(query.workspaceId);
    const byWorkspace = query.workspaceId !== undefined;
    const number = sql.ref(byWorkspace ? 'e.sequence' : 'e.position');
    const conditions = [sql`${number} > ${query.after}`];
    if (byWorkspace) conditions.push(sql`e.workspace_id = ${query.workspaceId}`);
    if (query.types) conditions.push(query.types.length > 0 ? sql`e.type in (${sql.join(query.types)})` : sql`1 = 0`);
    const { rows } = await sql<EventRow>`
      select e.id, e.workspace_id, w.slug as workspace, e.sequence, e.position, e.type, e.occurred_at, e.actor, e.trace_id, e.data
      from events e join workspaces w on w.id = e.workspace_id
      where ${sql.join(conditions, sql` and `)}
      order by ${number} limit ${query.limit}`.execute(this.db);
    return { events: rows.map(toEvent), head };
  }

  async watermark(scope: string): Promise<number> {
    const row = await this.db.selectFrom('event_watermarks').select('pruned_through').where('scope', '=', scope).executeTakeFirst();
    return Number(row?.pruned_through ?? 0);
  }

  async prune(before: string, limit: number): Promise<number> {
    const doomed = await this.db
      .selectFrom('events')
      .select(['recorded', 'workspace_id', 'sequence', 'position'])
      .where('occurred_at', '<', before)
      .where('position', 'is not', null)
      .orderBy('position')
      .limit(limit)
      .execute();
    if (doomed.length === 0) return 0;
    const marks = new Map<string, number>();
    for (const row of doomed) {
      marks.set(row.workspace_id, Math.max(marks.get(row.workspace_id) ?? 0, Number(row.sequence)));
      marks.set(ALL, Math.max(marks.get(ALL) ?? 0, Number(row.position)));
    }
    for (const [scope, through] of marks) {
      await this.db
        .insertInto('event_watermarks')
        .values({ scope, pruned_through: through })
        .onConflict((oc) => oc.column('scope').doUpdateSet({ pruned_through: through }))
        .execute();
    }
    for (const chunk of chunks(doomed.map((d) => d.recorded))) await this.db.deleteFrom('events').where('recorded', 'in', chunk).execute();
    // Finished deliveries of the deleted events go with them; a pending one stays, to be given up
    // as gone by the dispatcher (its stream's later events wait for it until then).
    for (const [scope, through] of marks) {
      if (scope === ALL) continue;
      await this.db
        .deleteFrom('webhook_deliveries')
        .where('workspace_id', '=', scope)
        .where('sequence', '<=', through)
        .where('status', '<>', 'pending')
        .execute();
    }
    return doomed.length;
  }

  async byIds(ids: readonly string[]): Promise<StoredEvent[]> {
    const rows: EventRow[] = [];
    for (const chunk of chunks(ids)) {
      const found = await sql<EventRow>`
        select e.id, e.workspace_id, w.slug as workspace, e.sequence, e.position, e.type, e.occurred_at, e.actor, e.trace_id, e.data
        from events e join workspaces w on w.id = e.workspace_id
        where e.id in (${sql.join(chunk)}) and e.position is not null`.execute(this.db);
      rows.push(...found.rows);
    }
    return rows.map(toEvent);
  }
}

function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    workspace: row.workspace,
    sequence: Number(row.sequence),
    position: Number(row.position),
    type: row.type as StoredEvent['type'],
    occurredAt: row.occurred_at,
    actor: row.actor,
    traceId: row.trace_id,
    data: row.data,
  };
}
