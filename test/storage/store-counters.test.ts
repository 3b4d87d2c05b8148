/**
 * Storage conformance, counters and paging: the per-workspace counters kept by triggers
 * (migration 005) always equal a real count, whatever writes the workspace sees, and keyset
 * paging of the unfiltered SCIM view returns exactly what OFFSET paging returns. On the engine
 * ROSTER_TEST_ENGINE selects.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newId, nowIso } from '../../src/directory/ids.js';
import type { User } from '../../src/directory/model.js';
import { addWorkspace, addWorkspaceWithRoles, rawDatabase, role, storeForSuite, TEST_ENGINE, user } from './fixtures.js';

describe(`workspace counters (${TEST_ENGINE})`, () => {
  const handle = storeForSuite();
  const store = () => handle().store;

  const workspaceWithRoles = () => addWorkspaceWithRoles(store());

  /** The counters as stored, and as counted from the users table. */
  async function countersAndTruth(workspaceId: string): Promise<{ stored: [number, number]; real: [number, number] }> {
    const db = rawDatabase(handle().database.url);
    try {
      const stored = await db
        .selectFrom('workspace_counters')
        .select(['seats_used', 'scim_users'])
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirstOrThrow();
      const { rows } = await sql<{ seats: number | string; visible: number | string }>`
        select
          (select count(*) from users u join roles r on r.workspace_id = u.workspace_id and r.id = u.role_id
            where u.workspace_id = ${workspaceId} and u.active = 1 and r.is_guest = 0) as seats,
          (select count(*) from users u where u.workspace_id = ${workspaceId} and u.scim_deleted = 0) as visible`.execute(db);
      return {
        stored: [Number(stored.seats_used), Number(stored.scim_users)],
        real: [Number(rows[0]?.seats), Number(rows[0]?.visible)],
      };
    } finally {
      await db.destroy();
    }
  }

  async function expectExact(workspaceId: string): Promise<void> {
    const { stored, real } = await countersAndTruth(workspaceId);
    expect(stored).toEqual(real);
    expect(await store().read.users.countSeatsUsed(workspaceId)).toBe(real[0]);
    const listed = await store().read.users.search(workspaceId, { offset: 0, limit: 1, scimVisibleOnly: true });
    expect(listed.total).toBe(real[1]);
  }

  it('a new workspace starts at zero', async () => {
    const ws = await addWorkspace(store());
    expect(await countersAndTruth(ws.id)).toEqual({ stored: [0, 0], real: [0, 0] });
  });

  it('stay equal to a real count through inserts, bulk inserts, updates, role moves, deletes and role changes', async () => {
    const { ws, member, admin, guest } = await workspaceWithRoles();
    const other = await workspaceWithRoles();
    const users: User[] = [];
    const add = async (u: User) => {
      await store().transaction((repos) => repos.users.insert(u));
      users.push(u);
    };
    await add(user(ws.id, member.id, 'a@x.io'));
    await add(user(ws.id, guest.id, 'g@x.io'));
    await add(user(ws.id, admin.id, 'off@x.io', { active: false }));
    await add(user(ws.id, member.id, 'gone@x.io', { scimDeleted: true, active: false }));
    await add(user(other.ws.id, other.member.id, 'other@x.io'));
    await expectExact(ws.id);
    await expectExact(other.ws.id);

    const bulk = Array.from({ length: 450 }, (_, i) =>
      user(ws.id, [member.id, admin.id, guest.id][i % 3] as string, `bulk${i}@x.io`, { active: i % 10 !== 0, scimDeleted: i % 50 === 0 }),
    );
    await store().transaction((repos) => repos.users.insertMany(bulk));
    users.push(...bulk);
    await expectExact(ws.id);

    // Updates: deactivate, reactivate, SCIM delete and bring back, change of name only.
    const update = async (u: User, changes: Partial<User>) => {
      await store().transaction(async (repos) => {
        const current = (await repos.users.byId(u.workspaceId, u.id, { forUpdate: true })) as User;
        expect(await repos.users.update({ ...current, ...changes, version: current.version + 1 }, current.version)).toBe(true);
      });
    };
    for (const [i, u] of bulk.slice(0, 60).entries()) {
      if (i % 4 === 0) await update(u, { active: !u.active });
      if (i % 4 === 1) await update(u, { scimDeleted: true, active: false });
      if (i % 4 === 2) await update(u, { givenName: `N${i}` });
      if (i % 4 === 3) await update(u, { roleId: guest.id });
    }
    await expectExact(ws.id);

    // Role moves in one statement, both ways across the guest boundary.
    await store().transaction((repos) =>
      repos.users.assignRole(
        ws.id,
        bulk.slice(60, 200).map((u) => u.id),
        guest.id,
        nowIso(),
      ),
    );
    await expectExact(ws.id);
    await store().transaction((repos) =>
      repos.users.assignRole(
        ws.id,
        bulk.slice(100, 150).map((u) => u.id),
        admin.id,
        nowIso(),
      ),
    );
    await expectExact(ws.id);
    await store().transaction((repos) => repos.users.reassignRole(ws.id, admin.id, member.id, nowIso()));
    await expectExact(ws.id);
    await store().transaction((repos) => repos.users.reassignRole(ws.id, guest.id, member.id, nowIso()));
    await expectExact(ws.id);

    // A role turning guest and back, and a non-guest role deleted while held (its holders stop counting).
    const flip = role(ws.id, 'Flip', { level: 5 });
    await store().read.roles.insert(flip);
    await store().transaction((repos) =>
      repos.users.assignRole(
        ws.id,
        bulk.slice(300, 340).map((u) => u.id),
        flip.id,
        nowIso(),
      ),
    );
    await expectExact(ws.id);
    await store().transaction((repos) => repos.roles.update({ ...flip, isGuest: true, version: flip.version + 1 }));
    await expectExact(ws.id);
    await store().transaction((repos) => repos.roles.update({ ...flip, isGuest: false, version: flip.version + 2 }));
    await expectExact(ws.id);
    const db = rawDatabase(handle().database.url);
    try {
      await db.deleteFrom('roles').where('workspace_id', '=', ws.id).where('id', '=', flip.id).execute();
      await expectExact(ws.id);
      // Rows removed outright (not a SCIM DELETE, which only hides them).
      await db
        .deleteFrom('users')
        .where('workspace_id', '=', ws.id)
        .where(
          'id',
          'in',
          bulk.slice(400, 420).map((u) => u.id),
        )
        .execute();
    } finally {
      await db.destroy();
    }
    await expectExact(ws.id);
    await expectExact(other.ws.id);

    // A transaction that rolls back leaves the counters as they were.
    const before = await countersAndTruth(ws.id);
    await expect(
      store().transaction(async (repos) => {
        await repos.users.insert(user(ws.id, member.id, 'rolled.back@x.io'));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await countersAndTruth(ws.id)).toEqual(before);
  });

  it('stay exact under concurrent writers', async () => {
    const { ws, member, guest } = await workspaceWithRoles();
    const seeded = Array.from({ length: 40 }, (_, i) => user(ws.id, member.id, `c${i}@x.io`, { active: i % 2 === 0 }));
    await store().transaction((repos) => repos.users.insertMany(seeded));
    // Each writer runs in its own transaction, as concurrent requests do; on PostgreSQL they run
    // on different connections at once.
    await Promise.all([
      ...seeded.map((u, i) =>
        store().transaction(async (repos) => {
          await repos.workspaces.lock(ws.id);
          const current = (await repos.users.byId(ws.id, u.id, { forUpdate: true })) as User;
          const changes: Partial<User> =
            i % 3 === 0 ? { active: !current.active } : i % 3 === 1 ? { roleId: guest.id } : { scimDeleted: true };
          await repos.users.update({ ...current, ...changes, version: current.version + 1 }, current.version);
        }),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        store().transaction((repos) => repos.users.insert(user(ws.id, i % 2 ? member.id : guest.id, `new${i}@x.io`))),
      ),
    ]);
    await expectExact(ws.id);
  });
});

describe(`keyset paging of the SCIM view (${TEST_ENGINE})`, () => {
  const handle = storeForSuite();
  const store = () => handle().store;

  /** What OFFSET paging returns, straight from SQL. */
  async function offsetPage(workspaceId: string, offset: number, limit: number, descending: boolean): Promise<string[]> {
    const db = rawDatabase(handle().database.url);
    try {
      const { rows } = await sql<{ id: string }>`
        select id from users where workspace_id = ${workspaceId} and scim_deleted = 0
        order by id ${sql.raw(descending ? 'desc' : 'asc')} limit ${limit} offset ${offset}`.execute(db);
      return rows.map((r) => r.id);
    } finally {
      await db.destroy();
    }
  }

  it('returns exactly the pages OFFSET returns, through inserts, SCIM deletes and revivals between pages', async () => {
    const ws = await addWorkspace(store());
    const member = role(ws.id, 'Member', { level: 10 });
    await store().read.roles.insert(member);
    const ids: string[] = [];
    const initial = Array.from({ length: 60 }, (_, i) => user(ws.id, member.id, `k${i}@x.io`));
    await store().transaction((repos) => repos.users.insertMany(initial));
    ids.push(...initial.map((u) => u.id));
    let serial = 0;

    type Step =
      | { kind: 'page'; start: number; count: number; descending: boolean; walk: number }
      | { kind: 'insert' }
      | { kind: 'hide'; pick: number }
      | { kind: 'revive'; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('page' as const),
          start: fc.integer({ min: 0, max: 80 }),
          count: fc.integer({ min: 0, max: 25 }),
          descending: fc.boolean(),
          walk: fc.integer({ min: 1, max: 4 }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('hide' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('revive' as const), pick: fc.nat() }) },
    );

    const setHidden = async (id: string, hidden: boolean) => {
      await store().transaction(async (repos) => {
        const current = (await repos.users.byId(ws.id, id, { forUpdate: true })) as User;
        await repos.users.update({ ...current, scimDeleted: hidden, active: !hidden, version: current.version + 1 }, current.version);
      });
    };

    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        for (const s of steps) {
          if (s.kind === 'insert') {
            // Ids are time-ordered, but one made from an old timestamp lands in the middle of the list.
            const u = user(ws.id, member.id, `ins${serial++}@x.io`, serial % 2 ? { id: midId(ids) } : {});
            await store().transaction((repos) => repos.users.insert(u));
            ids.push(u.id);
          } else if (s.kind === 'hide' || s.kind === 'revive') {
            await setHidden(ids[s.pick % ids.length] as string, s.kind === 'hide');
          } else {
            // Walk a few consecutive pages, as an IdP does, re-reading the first as well.
            for (let page = 0; page < s.walk; page++) {
              const offset = s.start + page * s.count;
              for (let again = 0; again < (page === 0 ? 2 : 1); again++) {
                const listed = await store().read.users.search(ws.id, {
                  offset,
                  limit: s.count,
                  descending: s.descending,
                  scimVisibleOnly: true,
                });
                expect(listed.users.map((u) => u.id)).toEqual(s.count === 0 ? [] : await offsetPage(ws.id, offset, s.count, s.descending));
              }
            }
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  /** An id that sorts between two existing ones: same shape as newId(), from the middle of the list. */
  function midId(existing: readonly string[]): string {
    const sorted = [...existing].sort();
    const around = sorted[Math.floor(sorted.length / 2)] as string;
    return `${around.slice(0, -4)}${newId().slice(-4)}`;
  }
});
