import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { type DialectAdapter, type Kysely, type MigrationLockOptions, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import { isRetryableSqliteError, type SqlDialect, sqliteOrderedList, translateSqliteError } from '../sql/dialect.js';
import { StatementCache } from './statement-cache.js';

/** Prepared statements kept per database (distinct SQL texts; `in (…)` lists of other lengths are other texts). */
const STATEMENT_CACHE_SIZE = 256;
/** SQLite's page cache, in KiB (negative: a size, not a page count): keeps the B-trees' upper levels resident. */
const PAGE_CACHE_KIB = 8 * 1024;

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
  database.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  // LIKE must respect case for caseExact attributes; case-insensitive ones compare lower-cased columns.
  database.pragma('case_sensitive_like = ON');
  // SQLite's lower() folds ASCII only; PostgreSQL's folds Unicode. Make both engines agree.
  database.function('lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
  return {
    name: 'sqlite',
    kysely: new MigratingSqliteDialect({ database: new StatementCache(database, STATEMENT_CACHE_SIZE) }),
    beginSql: 'begin immediate',
    groupCommit: { inTransaction: () => database.inTransaction },
    forUpdateSql: '',
    translateError: translateSqliteError,
    isRetryable: isRetryableSqliteError,
    orderedListSql: sqliteOrderedList,
  };
}

/**
 * Kysely runs SQLite migrations without a transaction or a lock, so two processes opening a new
 * file at once (`serve` and `roster migrate`) could both create the tables. SQLite's DDL is
 * transactional: run migrations in a transaction that takes the write lock first. A second
 * process then waits (busy_timeout), and finds the migrations applied.
 */
class MigratingSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  override async acquireMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    await sql`update ${sql.table(options.lockTable)} set is_locked = 1 where id = ${options.lockRowId}`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>, options: MigrationLockOptions): Promise<void> {
    await sql`update ${sql.table(options.lockTable)} set is_locked = 0 where id = ${options.lockRowId}`.execute(db);
  }
}

class MigratingSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new MigratingSqliteAdapter();
  }
}
