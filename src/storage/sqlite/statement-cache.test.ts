import Sqlite from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatementCache } from './statement-cache.js';

function counting(): { prepared: string[]; database: Sqlite.Database; cache: (capacity: number) => StatementCache } {
  const database = new Sqlite(':memory:');
  const prepared: string[] = [];
  const wrapper = {
    prepare: (sql: string) => {
      prepared.push(sql);
      return database.prepare(sql);
    },
    close: () => database.close(),
  };
  return { prepared, database, cache: (capacity) => new StatementCache(wrapper, capacity) };
}

describe('StatementCache', () => {
  it('prepares each SQL text once and reuses the statement', () => {
    const { prepared, cache } = counting();
    const statements = cache(4);
    const a = statements.prepare('select 1 as one');
    const b = statements.prepare('select 1 as one');
    expect(a).toBe(b);
    expect(b.all([])).toEqual([{ one: 1 }]);
    expect(prepared).toEqual(['select 1 as one']);
    expect(statements.stats).toEqual({ size: 1, hits: 1, misses: 1 });
    statements.close();
  });

  it('evicts the least recently used statement beyond its capacity', () => {
    const { prepared, cache } = counting();
    const statements = cache(2);
    statements.prepare('select 1');
    statements.prepare('select 2');
    statements.prepare('select 1'); // now 2 is the least recently used
    statements.prepare('select 3'); // evicts 2
    expect(statements.has('select 1')).toBe(true);
    expect(statements.has('select 2')).toBe(false);
    expect(statements.has('select 3')).toBe(true);
    statements.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
    expect(statements.stats.size).toBe(2);
    statements.close();
  });

  it('never holds more than its capacity and always returns a statement for the asked SQL', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 60 }), (capacity, keys) => {
        const { cache } = counting();
        const statements = cache(capacity);
        const recent: number[] = [];
        for (const key of keys) {
          const statement = statements.prepare(`select ${key} as k`);
          expect(statement.all([])).toEqual([{ k: key }]);
          recent.splice(recent.indexOf(key) >>> 0, recent.includes(key) ? 1 : 0);
          recent.push(key);
          expect(statements.stats.size).toBeLessThanOrEqual(capacity);
        }
        // The `capacity` most recently used keys are exactly the cached ones.
        for (const key of recent.slice(-capacity)) expect(statements.has(`select ${key} as k`)).toBe(true);
        for (const key of recent.slice(0, -capacity)) expect(statements.has(`select ${key} as k`)).toBe(false);
        statements.close();
      }),
      { numRuns: 100 },
    );
  });

  it('keeps statements valid across a schema change', () => {
    const { cache } = counting();
    const statements = cache(8);
    statements.prepare('create table t (a integer)').run([]);
    statements.prepare('insert into t values (?)').run([1]);
    const select = statements.prepare('select * from t');
    expect(select.all([])).toEqual([{ a: 1 }]);
    statements.prepare('alter table t add column b integer').run([]);
    expect(statements.prepare('select * from t').all([])).toEqual([{ a: 1, b: null }]);
    statements.close();
  });
});
