import { PostgresDialect } from 'kysely';
import pg from 'pg';
import { StoreConflict } from '../../directory/ports.js';
import { CONSTRAINTS, postgresOrderedList, type SqlDialect } from '../sql/dialect.js';
import { StatementNames } from './named-statements.js';

/** Constraint names PostgreSQL reports, mapped to the names the domain knows. */
const PG_CONSTRAINTS: Readonly<Record<string, string>> = {
  users_user_name: CONSTRAINTS.userName,
  roles_name: CONSTRAINTS.roleName,
  teams_name: CONSTRAINTS.teamName,
  workspaces_slug_key: CONSTRAINTS.workspaceSlug,
};

export interface PostgresOptions {
  /** Connections per instance; several instances share the server's max_connections. */
  readonly poolSize?: number;
}

/**
 * Connects to PostgreSQL through a pool whose clients prepare each query once per connection
 * (StatementNames). Transactions lock the rows they change with
 * `SELECT … FOR UPDATE`, so concurrent instances never lose an update.
 */
export function postgresDialect(url: string, options: PostgresOptions = {}): SqlDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client's error (the server restarting) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return {
    name: 'postgres',
    kysely: new PostgresDialect({ pool: new StatementNames().wrap(pool) }),
    beginSql: 'begin',
    forUpdateSql: 'for update',
    tryLockSql: (key) => `select pg_try_advisory_xact_lock(${Math.trunc(key)}) as locked`,
    orderedListSql: postgresOrderedList,
    numbersEventsOnInsert: false,
    isRetryable(error: unknown): boolean {
      const code = (error as { code?: unknown }).code;
      return code === '40P01' || code === '40001';
    },
    translateError(error: unknown): unknown {
      const { code, constraint } = error as { code?: unknown; constraint?: unknown };
      if (code !== '23505') return error;
      return new StoreConflict(
        typeof constraint === 'string'
          ? (PG_CONSTRAINTS[constraint] ?? (constraint.endsWith('_pk') ? CONSTRAINTS.primaryKey : constraint))
          : CONSTRAINTS.unknown,
      );
    },
  };
}
