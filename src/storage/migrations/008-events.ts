import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Directory events, the application API's keys and webhooks (docs/events.md, docs/api.md).
 *
 * `events` rows are inserted by the transaction that makes the change, with `sequence` and
 * `position` still NULL; the sequencer (directory/events/event-sequencer.ts) numbers committed
 * rows afterwards, one batch at a time, in the order they were recorded (`recorded`, an identity
 * column). A reader only sees numbered events, so it can never miss one that commits later with
 * a smaller number (docs/events.md, "Order").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // The insertion order: an identity column on PostgreSQL, the rowid alias on SQLite.
  const recorded = postgres
    ? sql.raw('recorded bigint generated always as identity primary key')
    : sql.raw('recorded integer primary key autoincrement');
  await sql`
    create table events (
      ${recorded},
      id text not null,
      workspace_id text not null,
      sequence bigint,
      position bigint,
      type text not null,
      occurred_at text not null,
      actor text not null,
      trace_id text,
      data text not null
    )`.execute(db);
  await db.schema.createIndex('events_id').on('events').column('id').unique().execute();
  await db.schema.createIndex('events_sequence').on('events').columns(['workspace_id', 'sequence']).unique().execute();
  await db.schema.createIndex('events_position').on('events').column('position').unique().execute();
  // The sequencer's queue: only rows not numbered yet are in it.
  await db.schema.createIndex('events_pending').on('events').column('recorded').where(sql.ref('position'), 'is', null).execute();
  await db.schema.createIndex('events_time').on('events').columns(['occurred_at']).execute();

  // How far retention has deleted: per workspace (`sequence`) and for the instance ('*', `position`).
  await db.schema
    .createTable('event_watermarks')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('pruned_through', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // NULL: an instance key, for every workspace.
    .addColumn('workspace_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // NULL: an instance endpoint, for every workspace.
    .addColumn('workspace_id', 'text')
    .addColumn('url', 'text', (c) => c.notNull())
    // Sealed with the instance's secret key, as the SSO client secret is.
    .addColumn('secret', 'text', (c) => c.notNull())
    // A JSON array of types and globs (`user.*`), or NULL for every type.
    .addColumn('event_types', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Every event numbered up to this position has been considered for the endpoint.
    .addColumn('fanned_through', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .execute();

  // One row per event an endpoint is (to be) sent: its delivery state and attempts.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    // pending, delivered or failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('first_attempt_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('next_attempt_at', 'text')
    .addColumn('claimed_until', 'text')
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['endpoint_id', 'event_id'])
    .execute();
  // The head of each (endpoint, workspace) stream: the last delivery by sequence.
  await db.schema
    .createIndex('webhook_deliveries_stream')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'workspace_id', 'sequence'])
    .unique()
    .execute();
  // The pending deliveries per stream: whether an earlier one of a stream still waits is answered
  // without walking the delivered ones (which accumulate until retention deletes them).
  await db.schema
    .createIndex('webhook_deliveries_open')
    .on('webhook_deliveries')
    .columns(['endpoint_id', 'workspace_id', 'sequence'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['next_attempt_at'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}
