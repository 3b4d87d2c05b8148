import { describe, expect, it } from 'vitest';
import type { SqlDialect } from './dialect.js';
import { insertRows, updateRow } from './row-statements.js';

const sqlite = { name: 'sqlite' } as SqlDialect;
const postgres = { name: 'postgres' } as SqlDialect;

describe('row statements', () => {
  it('inserts rows with one placeholder per value, in column order, per engine', () => {
    const rows = [
      { workspace_id: 'w', team_id: 't1', position: 0 },
      { workspace_id: 'w', team_id: 't2', position: 1 },
    ];
    const onSqlite = insertRows(sqlite, 'user_teams', rows);
    expect(onSqlite.sql).toBe('insert into "user_teams" ("workspace_id", "team_id", "position") values (?, ?, ?), (?, ?, ?)');
    expect(onSqlite.parameters).toEqual(['w', 't1', 0, 'w', 't2', 1]);
    const onPostgres = insertRows(postgres, 'user_teams', rows);
    expect(onPostgres.sql).toBe('insert into "user_teams" ("workspace_id", "team_id", "position") values ($1, $2, $3), ($4, $5, $6)');
    expect(onPostgres.parameters).toEqual(onSqlite.parameters);
  });

  it('updates the given columns where every key matches, changes before keys', () => {
    const query = updateRow(postgres, 'users', { user_name: 'a', version: 2 }, { workspace_id: 'w', id: 'u', version: 1 });
    expect(query.sql).toBe(
      'update "users" set "user_name" = $1, "version" = $2 where "workspace_id" = $3 and "id" = $4 and "version" = $5',
    );
    expect(query.parameters).toEqual(['a', 2, 'w', 'u', 1]);
    expect(updateRow(sqlite, 'users', { user_name: null }, { id: 'u' }).sql).toBe('update "users" set "user_name" = ? where "id" = ?');
  });

  it('keeps null values and reuses the text for rows of the same shape', () => {
    const first = insertRows(sqlite, 'roles', [{ id: 'a', name: null }]);
    const second = insertRows(sqlite, 'roles', [{ id: 'b', name: 'x' }]);
    expect(second.sql).toBe(first.sql);
    expect(first.parameters).toEqual(['a', null]);
    expect(second.parameters).toEqual(['b', 'x']);
  });

  it('refuses a column name that is not a plain identifier', () => {
    expect(() => insertRows(sqlite, 'users', [{ 'id"; drop table users; --': 1 }])).toThrow(TypeError);
  });
});
