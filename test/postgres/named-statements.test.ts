import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StatementNames } from '../../src/storage/postgres/named-statements.js';
import { TEST_POSTGRES_URL } from '../support/test-database.js';

const pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 1 });
afterAll(() => pool.end());

async function preparedOn(client: pg.PoolClient): Promise<{ name: string; statement: string }[]> {
  // No parameters: this query itself stays unnamed.
  const { rows } = await client.query('select name, statement from pg_prepared_statements order by name');
  return rows as { name: string; statement: string }[];
}

describe('StatementNames', () => {
  it('prepares a parameterised query once per connection and reuses it', async () => {
    const names = new StatementNames();
    const wrapped = names.wrap(pool);
    const client = await wrapped.connect();
    try {
      const text = 'select $1::int + 1 as n';
      expect((await client.query(text, [1])).rows).toEqual([{ n: 2 }]);
      expect((await client.query(text, [41])).rows).toEqual([{ n: 42 }]);
      const prepared = (await preparedOn(client)).filter((p) => p.statement === text);
      expect(prepared).toHaveLength(1);
      expect(prepared[0]?.name).toBe(names.nameOf(text));
      // Queries without parameters, and config objects, are left as they are.
      await client.query('select 1');
      await client.query({ text: 'select 2' });
      expect(names.size).toBe(1);
    } finally {
      client.release();
    }
  });

  it('gives a client handed out again the same names, and distinct texts distinct names', async () => {
    const names = new StatementNames();
    const wrapped = names.wrap(pool);
    for (let round = 0; round < 2; round++) {
      const client = await wrapped.connect();
      try {
        expect((await client.query('select $1::text as a', ['x'])).rows).toEqual([{ a: 'x' }]);
        expect((await client.query('select $1::text as b', ['y'])).rows).toEqual([{ b: 'y' }]);
      } finally {
        client.release();
      }
    }
    expect(names.size).toBe(2);
    expect(names.nameOf('select $1::text as a')).not.toBe(names.nameOf('select $1::text as b'));
  });
});
