import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';

/** Forward-only migrations, applied in key order; the applied set is recorded by Kysely's Migrator. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
