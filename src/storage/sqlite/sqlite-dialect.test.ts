import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addWorkspace, team } from '../../../test/storage/fixtures.js';
import { openStore } from '../open-store.js';

/**
 * Two stores on one SQLite file in one process (a test next to an in-process server, a CLI
 * command run in-process). better-sqlite3 waits for SQLite's lock synchronously, so without the
 * in-process write lock a writer blocked the event loop for busy_timeout (10 s) while the other
 * store's COMMIT waited for that loop, then failed with SQLITE_BUSY (the reliability fuzzer's
 * "database is locked" in the event-numbering job).
 */
describe('stores sharing a SQLite file in one process', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-two-stores-'));
    dirs.push(dir);
    return join(dir, 'roster.db');
  };

  it('interleaved writes of both stores all apply, without waiting for busy_timeout', async () => {
    const path = file();
    const first = await openStore(path);
    const second = await openStore(path);
    try {
      const ws = await addWorkspace(first);
      const started = Date.now();
      // Both stores open transactions in the same turns of the event loop, so each one's batch is
      // open (its COMMIT waits for a later turn) when the other begins.
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? first : second).transaction((repos) => repos.teams.insert(team(ws.id, `T${i}`))),
        ),
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await first.read.teams.list(ws.id)).length).toBe(6);
      expect((await second.read.teams.list(ws.id)).length).toBe(6);
    } finally {
      await first.close();
      await second.close();
    }
  }, 60_000);

  it('a store opened (and migrated) while another holds an open batch waits for it', async () => {
    const path = file();
    const first = await openStore(path);
    try {
      const ws = await addWorkspace(first);
      const started = Date.now();
      const write = first.transaction((repos) => repos.teams.insert(team(ws.id, 'Open')));
      const second = await openStore(path);
      await write;
      await second.transaction((repos) => repos.teams.insert(team(ws.id, 'Later')));
      await second.close();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await first.read.teams.list(ws.id)).map((t) => t.name).sort()).toEqual(['Later', 'Open']);
    } finally {
      await first.close();
    }
  }, 60_000);
});
