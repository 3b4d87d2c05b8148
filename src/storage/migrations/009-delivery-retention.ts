import type { Kysely } from 'kysely';

/**
 * Deliveries per workspace by sequence, so event retention deletes the finished deliveries of
 * the events it deletes (event-repository.ts `prune`) without walking every endpoint's rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('webhook_deliveries_retention').on('webhook_deliveries').columns(['workspace_id', 'sequence']).execute();
}
