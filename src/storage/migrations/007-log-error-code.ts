import type { Kysely } from 'kysely';

/**
 * The error catalogue code a logged request failed with (docs/errors.md), so refusals are
 * counted by code (the console's "refused for lack of seats"), never by the wording of a detail.
 * Entries written before have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('provisioning_log').addColumn('error_code', 'text').execute();
  await db.schema.createIndex('provisioning_log_error').on('provisioning_log').columns(['workspace_id', 'error_code', 'id']).execute();
}
