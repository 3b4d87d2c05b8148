import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { isRetryableSqliteError, type SqlDialect, translateSqliteError } from '../sql/dialect.js';

/**
 * Opens the embedded database. WAL lets readers run beside the writer; `synchronous = FULL`
 * makes every acknowledged commit survive a power loss, not only a process crash.
 */
export function sqliteDialect(path: string): SqlDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Sqlite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 10000');
  database.pragma('foreign_keys = ON');
  // LIKE must respect case for caseExact attributes; case-insensitive ones compare lower-cased columns.
  database.pragma('case_sensitive_like = ON');
  // SQLite's lower() folds ASCII only; PostgreSQL's folds Unicode. Make both engines agree.
  database.function('lower', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  );
  return {
    name: 'sqlite',
    kysely: new SqliteDialect({ database }),
    beginSql: 'begin immediate',
    forUpdateSql: '',
    translateError: translateSqliteError,
    isRetryable: isRetryableSqliteError,
  };
}
