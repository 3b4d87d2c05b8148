import { type Kysely, sql } from 'kysely';

/** The provisioning log (one row per SCIM request) and the e-mail outbox. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('provisioning_log')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    // A UUIDv7: ordering by id is ordering by time, and pruning by age is a range delete.
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('trace_id', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('detail', 'text')
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('provisioning_log_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('provisioning_log_trace').on('provisioning_log').columns(['workspace_id', 'trace_id']).execute();
  await db.schema.createIndex('provisioning_log_resource').on('provisioning_log').columns(['workspace_id', 'resource_id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('outbox_pk', ['workspace_id', 'id'])
    .execute();
  // Only unsent messages are indexed: the dispatcher's scan stays small however much mail was sent.
  await db.schema
    .createIndex('outbox_due')
    .on('outbox')
    .columns(['workspace_id', 'next_attempt_at'])
    .where(sql.ref('sent_at'), 'is', null)
    .execute();
}
