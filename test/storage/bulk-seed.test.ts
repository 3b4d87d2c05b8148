import { afterEach, describe, expect, it } from 'vitest';
import { seedUserName, seedWorkspace } from '../../bench/lib/bulk-seed.js';
import { authenticate } from '../../src/directory/integrations/scim-integration.js';
import { ScimUserService } from '../../src/directory/scim/scim-users.js';
import { parseFilter } from '../../src/scim/filter/filter-parser.js';
import { resolveFilter } from '../../src/scim/filter/filter-resolver.js';
import { USER_RESOURCE_TYPE } from '../../src/scim/schema/resource-type.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const LIMITS = { maxResults: 1000, defaultCount: 100, maxOperations: 1000, maxFilterLength: 4096 };
const userFilter = (text: string) => resolveFilter(parseFilter(text), USER_RESOURCE_TYPE);

describe('bulk seeding', () => {
  let database: TestDatabase;
  let store: SqlStore;
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('writes N users with contacts, teams and roles that the SCIM view and filters see', async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    const progress: number[] = [];
    const seeded = await seedWorkspace(store, {
      users: 2_345,
      batchSize: 1_000,
      bigRoleMembers: 1_200,
      sampleSize: 50,
      onProgress: (n) => progress.push(n),
    });
    expect(progress).toEqual([1_000, 2_000, 2_345]);
    expect(seeded.sampleIds).toHaveLength(50);
    expect(seeded.memberIds.length).toBeGreaterThan(40);
    const ws = seeded.workspace.id;
    expect(await authenticate(store, seeded.token)).toEqual(seeded.workspace);

    const all = await store.read.users.search(ws, { offset: 0, limit: 0, scimVisibleOnly: true });
    expect(all.total).toBe(2_345);
    const inactive = await store.read.users.search(ws, {
      filter: userFilter('active eq false'),
      offset: 0,
      limit: 0,
      scimVisibleOnly: true,
    });
    expect(inactive.total).toBe(23);
    const members = await store.read.users.membersOf(ws, [seeded.roles.big.id, seeded.roles.small.id]);
    expect(members.filter((m) => m.roleId === seeded.roles.big.id)).toHaveLength(1_200);
    expect(members.filter((m) => m.roleId === seeded.roles.small.id)).toHaveLength(10);
    for (const id of seeded.memberIds) expect((await store.read.users.byId(ws, id))?.roleId).toBe(seeded.roles.member.id);

    // Contact rows and team links are written too: filters on them find the seeded users.
    const byEmail = await store.read.users.search(ws, {
      filter: userFilter(`emails[type eq "work" and value eq "${seedUserName(2_000).toUpperCase()}"]`),
      offset: 0,
      limit: 10,
      scimVisibleOnly: true,
    });
    expect(byEmail.users.map((u) => u.userName)).toEqual([seedUserName(2_000)]);
    const mobiles = await store.read.users.search(ws, {
      filter: userFilter('phoneNumbers[type eq "mobile"]'),
      offset: 0,
      limit: 0,
      scimVisibleOnly: true,
    });
    expect(mobiles.total).toBe(469);
    const team = seeded.teams[0]?.name as string;
    const inTeam = await store.read.users.search(ws, {
      filter: userFilter(`urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams eq "${team}"`),
      offset: 0,
      limit: 0,
      scimVisibleOnly: true,
    });
    expect(inTeam.total).toBeGreaterThan(0);

    // A seeded user reads back over SCIM like a provisioned one.
    const service = new ScimUserService(store, LIMITS);
    const context = { workspace: seeded.workspace, baseUrl: 'http://localhost/scim/v2' };
    const found = await service.list(context, {
      filter: `userName eq "${seedUserName(30)}"`,
      startIndex: 1,
      count: 10,
      sortOrder: 'ascending',
    });
    expect(found.totalResults).toBe(1);
    const resource = found.Resources[0] as Record<string, unknown>;
    expect(resource).toMatchObject({
      userName: seedUserName(30),
      active: true,
      name: { givenName: expect.any(String), familyName: expect.any(String) },
      emails: [{ value: seedUserName(30), type: 'work', primary: true }],
      phoneNumbers: [
        { value: expect.stringMatching(/^\+49 30 /), type: 'work' },
        { value: expect.stringMatching(/^\+49 170 /), type: 'mobile' },
      ],
      groups: [{ value: seeded.roles.big.id, display: 'Big' }],
      'urn:ietf:params:scim:schemas:extension:Teams:2.0:User': { teams: [expect.any(String), expect.any(String)] },
    });
    const again = await service.get(context, resource.id as string, { attributes: [], excludedAttributes: [] });
    expect(again).toEqual(resource);
    await expect(
      service.create(context, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: seedUserName(7) }),
    ).rejects.toMatchObject({
      code: 'userNameTaken',
    });
  });

  it('seeds an empty workspace', async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    const seeded = await seedWorkspace(store, { users: 0, slug: 'empty' });
    expect(seeded.sampleIds).toEqual([]);
    expect((await store.read.users.search(seeded.workspace.id, { offset: 0, limit: 0, scimVisibleOnly: true })).total).toBe(0);
  });
});
