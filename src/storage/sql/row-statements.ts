import { CompiledQuery } from 'kysely';
import type { Database } from './database-types.js';
import type { SqlDialect } from './dialect.js';

type Table = keyof Database & string;

/** Statements with more rows than this are not cached: bulk paths vary their row counts. */
const MAX_CACHED_ROWS = 16;

const texts = new Map<string, string>();

/**
 * INSERT and UPDATE of whole rows as SQL text, the text cached per table, column list and row
 * count. The hot single-user writes (a POST's user row and contacts, a PATCH's update) went
 * through Kysely's builder, which parses, freezes and compiles a fresh operation tree on every
 * call: ~30–60 µs for the 35 columns of a user, more than SQLite takes to run the statement.
 * Kysely has no compiled-query cache, hence this small one; row objects keep the builder's types.
 * Table and column names come from code (the row types), never from input.
 */
export function insertRows<R extends object>(dialect: SqlDialect, table: Table, rows: readonly R[]): CompiledQuery {
  const columns = Object.keys(rows[0] ?? {}) as (keyof R & string)[];
  const key = `${dialect.name}|insert|${table}|${rows.length}|${columns.join(',')}`;
  const text = cached(key, rows.length, () => {
    let next = 1;
    const tuple = () => `(${columns.map(() => placeholder(dialect, next++)).join(', ')})`;
    return `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values ${rows.map(tuple).join(', ')}`;
  });
  return CompiledQuery.raw(
    text,
    rows.flatMap((row) => columns.map((column) => row[column])),
  );
}

/** `update table set … where k1 = ? and k2 = ?`, with every key of `changes` set and every key of `where` matched. */
export function updateRow<C extends object, W extends object>(dialect: SqlDialect, table: Table, changes: C, where: W): CompiledQuery {
  const columns = Object.keys(changes) as (keyof C & string)[];
  const keys = Object.keys(where) as (keyof W & string)[];
  const key = `${dialect.name}|update|${table}|${columns.join(',')}|${keys.join(',')}`;
  const text = cached(key, 1, () => {
    let next = 1;
    const assignments = columns.map((column) => `${quote(column)} = ${placeholder(dialect, next++)}`).join(', ');
    const conditions = keys.map((column) => `${quote(column)} = ${placeholder(dialect, next++)}`).join(' and ');
    return `update ${quote(table)} set ${assignments} where ${conditions}`;
  });
  return CompiledQuery.raw(text, [...columns.map((c) => changes[c]), ...keys.map((k) => where[k])]);
}

function cached(key: string, rowCount: number, build: () => string): string {
  const known = texts.get(key);
  if (known !== undefined) return known;
  const text = build();
  if (rowCount <= MAX_CACHED_ROWS) texts.set(key, text);
  return text;
}

const placeholder = (dialect: SqlDialect, index: number): string => (dialect.name === 'postgres' ? `$${index}` : '?');

function quote(identifier: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(identifier)) throw new TypeError(`not a plain SQL identifier: ${identifier}`);
  return `"${identifier}"`;
}
