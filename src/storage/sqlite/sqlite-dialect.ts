import { mkdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { Mutex, type MutexInterface } from 'async-mutex';
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
    groupCommit: { inTransaction: () => database.inTransaction, writer: sqliteWriterLock(path) },
    forUpdateSql: '',
    translateError: translateSqliteError,
    isRetryable: isRetryableSqliteError,
    orderedListSql: sqliteOrderedList,
    numbersEventsOnInsert: true,
  };
}

/** The write lock of each database file open in this process, by the file's real path. */
const writerLocks = new Map<string, MutexInterface>();

/**
 * The write lock of a database file inside this process. SQLite's own lock is enough between
 * processes: a writer that finds it taken waits (busy_timeout) while the other process commits.
 * Inside one process it is not: better-sqlite3 waits synchronously, so the event loop stops, and
 * a transaction of another store on the same file in this process (tests, or a CLI command run
 * in-process next to the server) can never reach its COMMIT, which group commit runs in a later
 * turn of the loop. The writer then fails with SQLITE_BUSY after busy_timeout, having blocked
 * everything for that long. So stores on one file in one process queue for this lock first,
 * asynchronously, and only then take SQLite's. An in-memory database is private to its
 * connection and gets a lock of its own.
 */
function sqliteWriterLock(path: string): MutexInterface {
  if (path === ':memory:') return new Mutex();
  const key = realpathSync(path);
  let lock = writerLocks.get(key);
  if (!lock) {
    lock = new Mutex();
    writerLocks.set(key, lock);
  }
  return lock;
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
