/**
 * Issue 13, defect 4 (storage side): statements built from a list (`in (…)` lookups, the multi-row
 * inserts of a user's contacts and team links) are chunked, so no input size reaches a driver's
 * bound-parameter limit (SQLite 32,766, PostgreSQL 65,535), whatever the SCIM limits in front.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import type { Contact } from '../../src/directory/model.js';
import { addWorkspaceWithRoles, rawDatabase, storeForSuite, team, user } from './fixtures.js';

describe('defect 4 (issue 13): list statements are chunked below the driver parameter limits', () => {
  const handle = storeForSuite();
  const store = () => handle().store;
  /** More values than either engine accepts as parameters of one statement. */
  const MANY = 70_000;

  /** Adds `count` teams named T0…, bulk-inserted with a raw connection, and returns them. */
  async function addTeams(workspaceId: string, count: number) {
    const teams = Array.from({ length: count }, (_, i) => team(workspaceId, `T${i}`));
    const db = rawDatabase(handle().database.url);
    try {
      for (let i = 0; i < teams.length; i += 1000) {
        const rows = teams
          .slice(i, i + 1000)
          .map((t) => ({ workspace_id: t.workspaceId, id: t.id, name: t.name, created_at: t.createdAt }));
        await db.insertInto('teams').values(rows).execute();
      }
    } finally {
      await db.destroy();
    }
    return teams;
  }

  it('teams.byNames and teams.byIds with 70,000 values find the teams that exist', async () => {
    const { ws } = await addWorkspaceWithRoles(store());
    const teams = await addTeams(ws.id, 3);
    const names = [...Array.from({ length: MANY }, (_, i) => `missing ${i}`), 'T1', 'T2'];
    expect((await store().read.teams.byNames(ws.id, names)).map((t) => t.name).sort()).toEqual(['T1', 'T2']);
    const ids = [...Array.from({ length: MANY }, () => newId()), teams[0]?.id as string];
    expect((await store().read.teams.byIds(ws.id, ids)).map((t) => t.name)).toEqual(['T0']);
  });

  it('roles.byIds with 70,000 ids finds the roles that exist', async () => {
    const { ws, member, admin } = await addWorkspaceWithRoles(store());
    const ids = [member.id, ...Array.from({ length: MANY }, () => newId()), admin.id];
    expect((await store().read.roles.byIds(ws.id, ids)).map((r) => r.name).sort()).toEqual(['Admin', 'Member']);
  });

  it('a user with 4,500 contacts and 17,000 team links is inserted and updated (writeLinks)', async () => {
    const { ws, member } = await addWorkspaceWithRoles(store());
    const teams = await addTeams(ws.id, 17_000);
    const contacts = (prefix: string) => ({
      emails: Array.from({ length: 1500 }, (_, i): Contact => ({ value: `${prefix}${i}@example.com`, type: 'work' })),
      phoneNumbers: Array.from({ length: 1500 }, (_, i): Contact => ({ value: `+1 555 ${prefix}${i}` })),
      addresses: Array.from({ length: 1500 }, (_, i): Contact => ({ locality: `${prefix} town ${i}`, country: 'DE' })),
    });
    const created = user(ws.id, member.id, 'many@example.com', { contacts: contacts('a'), teamIds: teams.map((t) => t.id) });
    await store().transaction((repos) => repos.users.insert(created));
    const stored = await store().read.users.byId(ws.id, created.id);
    expect(stored?.contacts).toEqual(created.contacts);
    expect(stored?.teamIds).toEqual(created.teamIds);

    const changed = { ...created, contacts: contacts('b'), teamIds: [...created.teamIds].reverse(), version: created.version + 1 };
    const updated = await store().transaction(async (repos) => {
      await repos.users.byId(ws.id, created.id, { forUpdate: true });
      return repos.users.update(changed, created.version);
    });
    expect(updated).toBe(true);
    const after = await store().read.users.byId(ws.id, created.id);
    expect(after?.contacts).toEqual(changed.contacts);
    expect(after?.teamIds).toEqual(changed.teamIds);
  });
});
