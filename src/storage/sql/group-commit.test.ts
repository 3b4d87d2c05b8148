import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mutex } from 'async-mutex';
import Sqlite from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from './database-types.js';
import { GroupCommit } from './group-commit.js';

interface Harness {
  readonly group: GroupCommit;
  readonly db: Kysely<Database>;
  /** Reads outside transactions, as SqlStore.read does them. */
  readonly reader: { names(): Promise<string[]> };
  /** A second connection to the same file: it sees only committed data. */
  readonly outside: Sqlite.Database;
  /** How many COMMIT statements the group committer's connection ran. */
  commits(): number;
  close(): Promise<void>;
}

const open: Harness[] = [];

function harness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'roster-group-commit-'));
  const path = join(dir, 'db.sqlite');
  const database = new Sqlite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.exec('create table items (name text primary key, n integer not null)');
  let commits = 0;
  const counting = {
    prepare: (text: string) => {
      if (text === 'commit') commits++;
      return database.prepare(text);
    },
    close: () => database.close(),
  };
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: counting }) });
  const group = new GroupCommit(db, 'begin immediate', () => database.inTransaction, new Mutex());
  const outside = new Sqlite(path, { readonly: true });
  const h: Harness = {
    group,
    db,
    reader: group.readAfterCommit({
      items: { names: async () => (await sql<{ name: string }>`select name from items`.execute(db)).rows.map((r) => r.name) },
    }).items,
    outside,
    commits: () => commits,
    close: async () => {
      await group.settle();
      outside.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

const insert = (db: Kysely<Database>, name: string, n = 1) => sql`insert into items (name, n) values (${name}, ${n})`.execute(db);
const committedNames = (h: Harness): string[] =>
  (h.outside.prepare('select name from items order by name').all() as { name: string }[]).map((r) => r.name);

describe('GroupCommit', () => {
  it('commits the transactions of one event-loop turn with one COMMIT, and resolves each after it', async () => {
    const h = harness();
    const names = ['a', 'b', 'c', 'd', 'e'];
    const seenAtResolve: string[][] = [];
    await Promise.all(
      names.map((name) =>
        h.group
          .run((db) => insert(db, name))
          .then(() => {
            seenAtResolve.push(committedNames(h));
          }),
      ),
    );
    expect(h.commits()).toBe(1);
    // Every promise resolved after the data was visible to another connection: committed.
    for (const seen of seenAtResolve) expect(seen).toEqual(names);
  });

  it('rolls back only the member that fails; the others in its batch commit', async () => {
    const h = harness();
    const results = await Promise.allSettled([
      h.group.run((db) => insert(db, 'kept-1')),
      h.group.run(async (db) => {
        await insert(db, 'lost');
        throw new Error('this request fails after writing');
      }),
      h.group.run((db) => insert(db, 'kept-1')), // unique violation: fails on its own
      h.group.run((db) => insert(db, 'kept-2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(committedNames(h)).toEqual(['kept-1', 'kept-2']);
    expect(h.commits()).toBe(1);
  });

  it('makes every member fail when the shared COMMIT fails, and keeps none of their changes', async () => {
    const h = harness();
    await sql`create table child (parent text not null references items (name))`.execute(h.db);
    await sql`pragma foreign_keys = on`.execute(h.db);
    const results = await Promise.allSettled([
      h.group.run((db) => insert(db, 'x')),
      h.group.run(async (db) => {
        // A deferred foreign-key violation is only detected by COMMIT.
        await sql`pragma defer_foreign_keys = on`.execute(db);
        await sql`insert into child (parent) values ('nobody')`.execute(db);
      }),
      // This read sees 'x' inside the batch; once the batch fails it runs again.
      h.reader.names(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseFulfilledResult<string[]>).value).toEqual([]);
    expect(committedNames(h)).toEqual([]);
    // The connection is usable afterwards: the next batch commits.
    await h.group.run((db) => insert(db, 'after'));
    expect(committedNames(h)).toEqual(['after']);
  });

  it('holds back a read that may have seen a batch until that batch has committed', async () => {
    const h = harness();
    const write = h.group.run((db) => insert(db, 'w'));
    const read = h.reader.names().then((rows) => ({ rows, committed: committedNames(h) }));
    const [, seen] = await Promise.all([write, read]);
    expect(seen.rows).toEqual(['w']);
    expect(seen.committed).toEqual(['w']);
  });

  it('starts a new batch for work that arrives after a commit', async () => {
    const h = harness();
    await h.group.run((db) => insert(db, 'first'));
    await h.group.run((db) => insert(db, 'second'));
    expect(h.commits()).toBe(2);
    expect(committedNames(h)).toEqual(['first', 'second']);
  });

  it('keeps exactly the members that succeed, for any mix of batches and failures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.record({ fail: fc.boolean(), n: fc.integer({ min: 1, max: 9 }) }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (turns) => {
          const h = harness();
          const expected = new Map<string, number>();
          let id = 0;
          for (const turn of turns) {
            // One turn of the event loop: its members join one batch.
            await Promise.allSettled(
              turn.map(({ fail, n }) => {
                const name = `item-${id++}`;
                if (!fail) expected.set(name, n);
                return h.group.run(async (db) => {
                  await insert(db, name, n);
                  await sql`update items set n = n + 0 where name = ${name}`.execute(db);
                  if (fail) throw new Error('fails');
                });
              }),
            );
          }
          const rows = h.outside.prepare('select name, n from items').all() as { name: string; n: number }[];
          expect(new Map(rows.map((r) => [r.name, r.n]))).toEqual(expected);
          expect(h.commits()).toBeLessThanOrEqual(turns.length);
          await h.close();
          open.splice(open.indexOf(h), 1);
        },
      ),
      { numRuns: 40 },
    );
  });
});
