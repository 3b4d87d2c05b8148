import { postgresDialect } from './postgres/postgres-dialect.js';
import { secretBox, secretKeyFor } from './secret-box.js';
import { SqlStore } from './sql/sql-store.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';

export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//i.test(database);

/**
 * Opens the store a `--database` value names: a postgres:// URL or a SQLite file path.
 * Pending migrations are applied unless `migrate` is false.
 */
export async function openStore(
  database: string,
  options: { migrate?: boolean; poolSize?: number; secretKey?: Buffer } = {},
): Promise<SqlStore> {
  const dialect = isPostgresUrl(database)
    ? postgresDialect(database, options.poolSize !== undefined ? { poolSize: options.poolSize } : {})
    : sqliteDialect(database);
  const store = new SqlStore(dialect, secretBox(options.secretKey ?? secretKeyFor(database)));
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
