import type { Kysely } from 'kysely';

/** The core User attribute `profileUrl` (RFC 7643 §4.1.1), a URI stored as text. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('profile_url', 'text').execute();
}
