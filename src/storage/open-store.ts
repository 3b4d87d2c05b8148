import { SqlStore } from './sql/sql-store.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';

/** Opens the store a `--database` value names: a file path (SQLite) or a postgres:// URL. */
export async function openStore(database: string, options: { migrate?: boolean } = {}): Promise<SqlStore> {
  if (/^postgres(ql)?:\/\//i.test(database)) {
    throw new Error('PostgreSQL storage is not available yet; use a SQLite file path');
  }
  const store = new SqlStore(sqliteDialect(database));
  if (options.migrate ?? true) await store.migrate();
  return store;
}
