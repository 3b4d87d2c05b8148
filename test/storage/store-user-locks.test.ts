/**
 * Storage conformance: the user row locks the seat rule depends on (issue 13, defect 2; lock
 * order in src/directory/seats.ts). `byIds` and `byUserNameOrEmail` with `forUpdate` lock the
 * users they return until the transaction ends, and return them as they are once locked, so a
 * write deciding whether a user takes a seat sees what a concurrent write did to that user.
 * On SQLite transactions run one at a time, which gives the same observable order.
 */
import { describe, expect, it } from 'vitest';
import type { User } from '../../src/directory/model.js';
import type { Repositories } from '../../src/directory/ports.js';
import { addWorkspaceWithRoles, sleep, storeForSuite, user } from './fixtures.js';

describe('user row locks for the seat rule (issue 13, defect 2)', () => {
  const handle = storeForSuite();
  const store = () => handle().store;
  const HOLD_MS = 300;

  /**
   * Transaction 1 runs `lock`, then holds its locks for HOLD_MS and runs `change`; transaction 2
   * starts once `lock` returned and runs `second`. Returns what `second` returned and whether it
   * finished only after transaction 1 finished its work.
   */
  async function race<T>(
    lock: (repos: Repositories) => Promise<unknown>,
    change: (repos: Repositories) => Promise<void>,
    second: (repos: Repositories) => Promise<T>,
  ): Promise<{ result: T; waited: boolean }> {
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    let firstDone = 0;
    const first = store().transaction(async (repos) => {
      await lock(repos);
      locked();
      await sleep(HOLD_MS);
      await change(repos);
      firstDone = performance.now();
    });
    await isLocked;
    const result = await store().transaction(second);
    const secondDone = performance.now();
    await first;
    return { result, waited: secondDone >= firstDone && firstDone > 0 };
  }

  async function fixture() {
    const { ws, member, guest } = await addWorkspaceWithRoles(store());
    const users = [0, 1, 2].map((i) => user(ws.id, guest.id, `guest${i}@partner.example`, { active: false }));
    for (const u of users) await store().read.users.insert(u);
    const promote = (target: User) => async (repos: Repositories) => {
      expect(await repos.users.assignRole(ws.id, [target.id], member.id, '2024-02-01T00:00:00.000Z')).toBe(1);
    };
    return { ws, member, guest, users: users as [User, User, User], promote };
  }

  it('byIds with forUpdate returns what byIds returns: each known user once, unknown ids left out', async () => {
    const { ws, users } = await fixture();
    const [a, b] = users;
    const ids = [b.id, a.id, b.id, 'not-an-id', a.id];
    const plain = await store().read.users.byIds(ws.id, ids);
    const locked = await store().transaction((repos) => repos.users.byIds(ws.id, ids, { forUpdate: true }));
    const byId = (list: User[]) => [...list].sort((x, y) => x.id.localeCompare(y.id));
    expect(byId(locked)).toStrictEqual(byId(plain));
    expect(locked.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
  });

  it('byIds with forUpdate holds the rows until the transaction ends: a concurrent write of one of them waits', async () => {
    const { ws, users, promote } = await fixture();
    const [a, b, c] = users;
    const { waited } = await race(
      (repos) => repos.users.byIds(ws.id, [c.id, a.id], { forUpdate: true }),
      async () => undefined,
      (repos) => promote(a)(repos),
    );
    expect(waited, 'the write of a locked user finished only after the locking transaction').toBe(true);
    // A user that was not locked is not held.
    const free = await race(
      (repos) => repos.users.byIds(ws.id, [a.id], { forUpdate: true }),
      async () => undefined,
      (repos) => promote(b)(repos),
    );
    if (store().dialect.forUpdateSql) expect(free.waited, 'an unlocked user is written at once').toBe(false);
  });

  it('byIds with forUpdate waits for a concurrent change and returns the user as that change left it', async () => {
    const { ws, member, users, promote } = await fixture();
    const [a, b] = users;
    const { result, waited } = await race(
      (repos) => repos.users.byId(ws.id, a.id, { forUpdate: true }),
      promote(a),
      (repos) => repos.users.byIds(ws.id, [a.id, b.id], { forUpdate: true }),
    );
    expect(waited).toBe(true);
    expect(result.find((u) => u.id === a.id)?.roleId, 'read after the concurrent role move committed').toBe(member.id);
  });

  it('byUserNameOrEmail with forUpdate waits for a concurrent change and returns the users as they are then', async () => {
    const { ws, member, users, promote } = await fixture();
    const [a, b] = users;
    const { result, waited } = await race(
      async (repos) => {
        await repos.users.byId(ws.id, a.id, { forUpdate: true });
        await repos.users.byId(ws.id, b.id, { forUpdate: true });
      },
      async (repos) => {
        await promote(a)(repos);
        // b's userName changes: it no longer matches, so it is left out.
        expect(await repos.users.update({ ...b, userName: 'renamed@partner.example', version: b.version + 1 }, b.version)).toBe(true);
      },
      (repos) => repos.users.byUserNameOrEmail(ws.id, 'GUEST1@partner.example', a.userName, { forUpdate: true }),
    );
    expect(waited).toBe(true);
    expect(result.byEmail?.id).toBe(a.id);
    expect(result.byEmail?.roleId, 'read after the concurrent role move committed').toBe(member.id);
    expect(result.byUserName, 'renamed meanwhile: no longer a match').toBeUndefined();
  });

  it('byUserNameOrEmail with forUpdate answers as without it when nothing changes', async () => {
    const { ws, users } = await fixture();
    const [a, b] = users;
    const match = (options: { forUpdate?: boolean }) =>
      store().transaction((repos) => repos.users.byUserNameOrEmail(ws.id, b.userName.toUpperCase(), a.userName, options));
    expect(await match({ forUpdate: true })).toStrictEqual(await match({}));
    expect((await match({ forUpdate: true })).byUserName?.id).toBe(b.id);
    expect(
      await store().transaction((repos) => repos.users.byUserNameOrEmail(ws.id, 'nobody', 'nobody@example.com', { forUpdate: true })),
    ).toStrictEqual({ byUserName: undefined, byEmail: undefined });
  });
});
