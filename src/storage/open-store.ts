import { postgresDialect } from './postgres/postgres-dialect.js';
import { SqlStore } from './sql/sql-store.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';

export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//i.test(database);

/**
 * Opens the store a `--database` value names: a postgres:// URL or a SQLite file path.
 * Pending migrations are applied unless `migrate` is false.
 */
export async function openStore(database: string, options: { migrate?: boolean; poolSize?: number } = {}): Promise<SqlStore> {
  const dialect = isPostgresUrl(database)
    ? postgresDialect(database, options.poolSize !== undefined ? { poolSize: options.poolSize } : {})
    : sqliteDialect(database);
  const store = new SqlStore(dialect);
  if (options.migrate ?? true) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}
