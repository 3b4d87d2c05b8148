import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';
import * as logAndOutbox from './002-log-and-outbox.js';

/** Forward-only migrations, applied in key order; the applied set is recorded by Kysely's Migrator. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-log-and-outbox': logAndOutbox,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
