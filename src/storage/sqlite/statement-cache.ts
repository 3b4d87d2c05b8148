import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** What the cache needs from a better-sqlite3 database. */
export interface PreparingDatabase {
  prepare(sql: string): SqliteStatement;
  close(): void;
}

/**
 * Reuses prepared statements, keyed by their SQL text, in a bounded least-recently-used map.
 * Kysely's SQLite driver prepares every query it runs, and better-sqlite3 keeps no cache, so
 * without this each statement pays SQLite's parse and plan (30–100 µs) on every request.
 *
 * Reuse is safe: better-sqlite3 is synchronous, so `all` and `run` finish before the next
 * statement starts, and Kysely gives the one connection to one query at a time (a streamed
 * `iterate` holds the connection until it ends). SQLite re-prepares a statement by itself when
 * the schema changes (a migration).
 */
export class StatementCache implements SqliteDatabase {
  private readonly statements = new Map<string, SqliteStatement>();
  private hitCount = 0;
  private missCount = 0;

  constructor(
    private readonly database: PreparingDatabase,
    readonly capacity = 256,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('the statement cache needs a capacity ≥ 1');
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    if (cached) {
      // Map keeps insertion order: move the entry to the most recently used end.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      this.hitCount++;
      return cached;
    }
    const statement = this.database.prepare(sql);
    this.missCount++;
    this.statements.set(sql, statement);
    if (this.statements.size > this.capacity) {
      const oldest = this.statements.keys().next().value as string;
      this.statements.delete(oldest);
    }
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.database.close();
  }

  /** Cached statements, hits and misses so far (tests, diagnostics). */
  get stats(): { size: number; hits: number; misses: number } {
    return { size: this.statements.size, hits: this.hitCount, misses: this.missCount };
  }

  /** Whether a statement for this SQL text is cached (tests). */
  has(sql: string): boolean {
    return this.statements.has(sql);
  }
}
