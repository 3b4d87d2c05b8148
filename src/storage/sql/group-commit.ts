import type { MutexInterface } from 'async-mutex';
import { type Kysely, sql } from 'kysely';
import type { Database } from './database-types.js';

/** One open SQLite transaction that several requests' transactions have joined. */
class Batch {
  readonly committed: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  /** `unlock` releases the in-process write lock once the batch committed or failed. */
  constructor(unlock: MutexInterface.Releaser) {
    this.committed = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.committed.then(unlock, unlock);
    // A batch nobody waits for (every member failed) must not be an unhandled rejection.
    this.committed.catch(() => undefined);
  }
}

/** Every member's savepoint has the same name: members run one after another, never nested. */
const SAVEPOINT = 'roster_request';
/** A read overlapping failed batches runs at most this often; then it returns what it read. */
const MAX_READ_ATTEMPTS = 3;

/**
 * Group commit for the embedded engine. With `synchronous = FULL` every COMMIT waits for an
 * fsync of the WAL, and SQLite has one writer, so the fsync bounds every write request. Here the
 * transactions that run during one turn of the event loop share a single SQLite transaction and
 * a single COMMIT, in the loop's check phase (`setImmediate`):
 *
 * - each request's work runs inside its own SAVEPOINT, so a request that fails rolls back only
 *   its own changes, and the others in the batch keep theirs: a request still applies fully or
 *   not at all;
 * - a request's promise resolves only after the shared COMMIT returned, so nothing is
 *   acknowledged before it is durable; if the COMMIT fails, every member fails with its error;
 * - requests in a batch run one after another on the one connection, so each sees the ones
 *   before it: the same serial order as one transaction each.
 *
 * Reads outside transactions run on the same connection and could see a batch's changes
 * before they are committed; `readAfterCommit` makes such a read wait for that COMMIT (and run
 * again if it failed), so no answer shows data that is not durable yet.
 *
 * SQLite's own rollback of a whole transaction (disk full, I/O error) is detected through
 * `inTransaction` and fails the batch rather than committing what is left of it.
 *
 * A batch holds `writer`, the file's write lock inside this process, from its BEGIN to its
 * COMMIT or ROLLBACK, so another store on the same file in this process waits for it without
 * blocking the event loop (see `sqliteWriterLock`).
 */
export class GroupCommit {
  private open: Batch | undefined;
  /** Batches that failed so far: a read that overlapped one runs again. */
  private failures = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly beginSql: string,
    private readonly inTransaction: () => boolean,
    private readonly writer: MutexInterface,
  ) {}

  /**
   * Wraps repositories used outside transactions so that each call's result waits for the batch
   * its query may have seen. The wait happens after the query released the connection (the
   * COMMIT needs it). A read that overlapped a batch which then failed runs again: it may have
   * seen changes that were rolled back.
   */
  readAfterCommit<T extends object>(repositories: T): T {
    const wrapped: Record<string, unknown> = {};
    for (const [name, repository] of Object.entries(repositories)) {
      const methods = new Map<PropertyKey, unknown>();
      wrapped[name] = new Proxy(repository as object, {
        get: (target, key) => {
          const value = Reflect.get(target, key);
          if (typeof value !== 'function') return value;
          let method = methods.get(key);
          if (!method) {
            method = (...args: unknown[]) => this.afterCommit(() => value.apply(target, args));
            methods.set(key, method);
          }
          return method;
        },
      });
    }
    return wrapped as T;
  }

  private async afterCommit<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const failuresBefore = this.failures;
      const result = await read();
      await this.open?.committed.catch(() => undefined);
      if (this.failures === failuresBefore || attempt >= MAX_READ_ATTEMPTS) return result;
    }
  }

  async run<T>(work: (connection: Kysely<Database>) => Promise<T>): Promise<T> {
    const { result, batch } = await this.db.connection().execute(async (connection) => {
      const batch = this.open ?? (await this.begin(connection));
      await sql.raw(`savepoint ${SAVEPOINT}`).execute(connection);
      try {
        const result = await work(connection);
        await sql.raw(`release ${SAVEPOINT}`).execute(connection);
        return { result, batch };
      } catch (error) {
        await this.undo(connection, batch, error);
        throw error;
      }
    });
    await batch.committed;
    return result;
  }

  /** Waits for the open batch, if any, to commit (before the database is closed). */
  async settle(): Promise<void> {
    await this.open?.committed.catch(() => undefined);
  }

  private async begin(connection: Kysely<Database>): Promise<Batch> {
    const unlock = await this.writer.acquire();
    try {
      await sql.raw(this.beginSql).execute(connection);
    } catch (error) {
      unlock();
      throw error;
    }
    const batch = new Batch(unlock);
    this.open = batch;
    setImmediate(() => void this.commit(batch));
    return batch;
  }

  /** Rolls a failed member back to its savepoint; fails the batch when SQLite rolled everything back. */
  private async undo(connection: Kysely<Database>, batch: Batch, error: unknown): Promise<void> {
    if (this.inTransaction()) {
      try {
        await sql.raw(`rollback to ${SAVEPOINT}`).execute(connection);
        await sql.raw(`release ${SAVEPOINT}`).execute(connection);
        return;
      } catch {
        await sql
          .raw('rollback')
          .execute(connection)
          .catch(() => undefined);
      }
    }
    if (this.open === batch) this.open = undefined;
    this.fail(batch, error);
  }

  private fail(batch: Batch, error: unknown): void {
    this.failures++;
    batch.reject(error);
  }

  private async commit(batch: Batch): Promise<void> {
    await this.db.connection().execute(async (connection) => {
      if (this.open !== batch) return; // failed and rolled back already
      this.open = undefined;
      try {
        await sql.raw('commit').execute(connection);
        batch.resolve();
      } catch (error) {
        if (this.inTransaction()) {
          await sql
            .raw('rollback')
            .execute(connection)
            .catch(() => undefined);
        }
        this.fail(batch, error);
      }
    });
  }
}
