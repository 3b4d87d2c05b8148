import type { MutexInterface } from 'async-mutex';
import type { Dialect } from 'kysely';
import { StoreConflict } from '../../directory/ports.js';

/** What differs between the engines, as data (STYLE.md principle 7). */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  readonly kysely: Dialect;
  /** Starts a write transaction: SQLite takes the write lock at once so reads inside it stay consistent. */
  readonly beginSql: string;
  /**
   * Set where concurrent transactions should share one COMMIT (see GroupCommit): an engine with a
   * single connection and one fsync per commit. `inTransaction` tells whether the connection is
   * inside a transaction (false after the engine rolled one back by itself). `writer` is the
   * database file's write lock inside this process, shared by every store open on that file: a
   * transaction takes it before the engine's own lock (see `sqliteWriterLock`).
   */
  readonly groupCommit?: { inTransaction(): boolean; writer: MutexInterface };
  /** Appended to a SELECT that must lock its rows for the transaction ('' where locking is implicit). */
  readonly forUpdateSql: string;
  /**
   * A statement that tries to take a lock named by `key` for the transaction and selects
   * `locked` (true or false): where instances share the database. Undefined where the engine's
   * write lock already serialises transactions (SQLite).
   */
  readonly tryLockSql?: (key: number) => string;
  /**
   * Whether events get their numbers in the transaction that records them. Safe where one write
   * transaction runs at a time on the whole database (SQLite's write lock, across processes too):
   * numbers are then given in commit order, and a rolled-back write gives its numbers back.
   * Elsewhere the sequencer numbers committed events (docs/events.md, "Order").
   */
  readonly numbersEventsOnInsert: boolean;
  /** Maps a driver error to a StoreConflict when it is a unique violation; returns the error otherwise. */
  translateError(error: unknown): unknown;
  /** A transaction that failed this way did nothing and may simply run again (deadlock, serialization). */
  isRetryable(error: unknown): boolean;
  /**
   * A scalar sub-query joining `value` of the rows `from` (a FROM list with its WHERE) with
   * commas, ordered by `order`; NULL when there are none.
   */
  orderedListSql(value: string, order: string, from: string): string;
}

/** SQLite (3.44+) orders inside the aggregate, as PostgreSQL does. */
export const sqliteOrderedList = (value: string, order: string, from: string): string =>
  `(select group_concat(${value}, ',' order by ${order}) from ${from})`;

export const postgresOrderedList = (value: string, order: string, from: string): string =>
  `(select string_agg(${value}, ',' order by ${order}) from ${from})`;

/** Normalised constraint names, so the domain sees the same names from every engine. */
export const CONSTRAINTS = {
  userName: 'users_user_name',
  roleName: 'roles_name',
  teamName: 'teams_name',
  workspaceSlug: 'workspaces_slug',
  primaryKey: 'primary_key',
  unknown: 'unknown',
} as const;

export function sqliteConstraint(message: string): string {
  if (message.includes('users.user_name_lower')) return CONSTRAINTS.userName;
  if (message.includes('roles.name_lower')) return CONSTRAINTS.roleName;
  if (message.includes('teams.name')) return CONSTRAINTS.teamName;
  if (message.includes('workspaces.slug')) return CONSTRAINTS.workspaceSlug;
  return CONSTRAINTS.unknown;
}

export function isRetryableSqliteError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
}

export function translateSqliteError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const message = String((error as Error).message);
    return new StoreConflict(code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ? CONSTRAINTS.primaryKey : sqliteConstraint(message));
  }
  return error;
}
