import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import { requireWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { newUser, patchOps, type ScimClient, scimClient, startServer, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, expectScimError, expectUnchanged, type Json, q, read, TEAMS } from './helpers.js';

/**
 * Issue 13, defect 4: a request whose values need more SQL parameters than a driver allows
 * (about 2,300 emails on SQLite, 4,500 on PostgreSQL, 70,000 team names) answered 500. Multi-valued
 * attributes now have limits (100 emails, phone numbers and addresses, 500 teams), checked before
 * any SQL on POST, PUT and on the result of every PATCH operation, and answered 400 invalidValue.
 */
describe('defect 4 (issue 13): limits on multi-valued attributes, before any SQL', () => {
  const { server, scim } = workspaceForSuite('limits');
  let counter = 0;
  const TEAM_COUNT = 500;

  beforeAll(async () => {
    const workspace = await requireWorkspace(server.store, 'limits');
    const createdAt = new Date().toISOString();
    await server.store.transaction(async (repos) => {
      for (let i = 0; i < TEAM_COUNT; i++) await repos.teams.insert({ workspaceId: workspace.id, id: newId(), name: `T${i}`, createdAt });
    });
  });

  const userName = () => `limit${++counter}@example.com`;
  const emails = (count: number, prefix = 'e') =>
    Array.from({ length: count }, (_, i) => ({ value: `${prefix}${i}@example.com`, type: i === 0 ? 'work' : 'other' }));
  const phones = (count: number) => Array.from({ length: count }, (_, i) => ({ value: `+49 30 ${100000 + i}`, type: 'work' }));
  const addresses = (count: number) => Array.from({ length: count }, (_, i) => ({ locality: `Town ${i}`, type: 'work' }));
  const teams = (count: number) => Array.from({ length: count }, (_, i) => `T${i}`);
  const absent = async (name: string) => expect((await scim.get(q(`userName eq "${name}"`))).body.totalResults).toBe(0);

  /** The SCIM error of a limit: 400 invalidValue naming the attribute, the count and the limit. */
  const expectLimitError = (response: Awaited<ReturnType<ScimClient['post']>>, attribute: string, count: number, limit: number) => {
    expectScimError(response, 400, 'invalidValue');
    expect(response.body.detail).toContain(`'${attribute}'`);
    expect(response.body.detail).toContain(String(count));
    expect(response.body.detail).toContain(`at most ${limit}`);
  };

  it('POST with 2,300 emails (SQLite: too many SQL variables) is 400 invalidValue and creates nothing', async () => {
    const name = userName();
    const response = await scim.post('/Users', newUser(name, { emails: emails(2300) }));
    expectLimitError(response, 'emails', 2300, 100);
    await absent(name);
  });

  it('POST with 4,500 emails (PostgreSQL: bind message parameter limit) is 400 invalidValue and creates nothing', async () => {
    const name = userName();
    const response = await scim.post('/Users', newUser(name, { emails: emails(4500) }));
    expectLimitError(response, 'emails', 4500, 100);
    await absent(name);
  });

  it('POST naming 70,000 unknown teams (within the 1 MiB body limit) is 400 invalidValue (the limit) and creates nothing', async () => {
    const name = userName();
    const body = newUser(name, { schemas: [USER_SCHEMA, TEAMS], [TEAMS]: { teams: Array.from({ length: 70_000 }, (_, i) => `u${i}`) } });
    expect(JSON.stringify(body).length).toBeLessThan(1024 * 1024);
    const response = await scim.post('/Users', body);
    expectLimitError(response, `${TEAMS}:teams`, 70_000, TEAM_COUNT);
    await absent(name);
  });

  it('PATCH adding 2,300 emails is 400 invalidValue and changes nothing', async () => {
    const user = await create(scim, newUser(userName()));
    const before = await read(scim, user.id);
    const response = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'add', path: 'emails', value: emails(2300, 'p') }));
    expectLimitError(response, 'emails', 2300, 100);
    await expectUnchanged(scim, user.id, before);
  });

  it('PATCH whose operations together pass the limit is refused at the operation that does, and changes nothing', async () => {
    const user = await create(scim, newUser(userName()));
    const before = await read(scim, user.id);
    const operations = Array.from({ length: 3 }, (_, op) => ({
      op: 'add',
      path: 'phoneNumbers',
      value: phones(40).map((p) => ({ ...p, value: `${p.value}-${op}` })),
    }));
    const response = await scim.patch(`/Users/${user.id}`, patchOps(...operations));
    expectLimitError(response, 'phoneNumbers', 120, 100);
    expect(response.body.detail).toContain('Operations[2]');
    await expectUnchanged(scim, user.id, before);
  });

  it('PUT with 2,300 phone numbers or addresses is 400 invalidValue and changes nothing', async () => {
    const user = await create(scim, newUser(userName()));
    const before = await read(scim, user.id);
    const phoneResponse = await scim.put(`/Users/${user.id}`, newUser(user.userName, { phoneNumbers: phones(2300) }));
    expectLimitError(phoneResponse, 'phoneNumbers', 2300, 100);
    const addressResponse = await scim.put(`/Users/${user.id}`, newUser(user.userName, { addresses: addresses(2300) }));
    expectLimitError(addressResponse, 'addresses', 2300, 100);
    await expectUnchanged(scim, user.id, before);
  });

  it('one value over a limit is refused: 101 emails on POST, 501 teams on PUT', async () => {
    const name = userName();
    expectLimitError(await scim.post('/Users', newUser(name, { emails: emails(101) })), 'emails', 101, 100);
    await absent(name);
    const user = await create(scim, newUser(userName()));
    const before = await read(scim, user.id);
    const response = await scim.put(
      `/Users/${user.id}`,
      newUser(user.userName, { [TEAMS]: { teams: [...teams(TEAM_COUNT), 'T0 again'] } }),
    );
    expectLimitError(response, `${TEAMS}:teams`, TEAM_COUNT + 1, TEAM_COUNT);
    await expectUnchanged(scim, user.id, before);
  });

  it('at the limits a user is stored and reads back whole: 100 emails, phone numbers and addresses, 500 teams', async () => {
    const name = userName();
    const body = newUser(name, {
      schemas: [USER_SCHEMA, TEAMS],
      emails: emails(100),
      phoneNumbers: phones(100),
      addresses: addresses(100),
      [TEAMS]: { teams: teams(TEAM_COUNT) },
    });
    const created = await create(scim, body);
    const stored: Json = await read(scim, created.id);
    expect(stored.emails).toHaveLength(100);
    expect(stored.phoneNumbers).toHaveLength(100);
    expect(stored.addresses).toHaveLength(100);
    expect(stored[TEAMS].teams).toEqual(teams(TEAM_COUNT));
    expect(stored).toStrictEqual(created);

    // PUT and PATCH up to the limits succeed as well.
    const put = await scim.put(`/Users/${created.id}`, newUser(name, { emails: emails(99, 'q') }));
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const patched = await scim.patch(
      `/Users/${created.id}`,
      patchOps({ op: 'add', path: 'emails', value: [{ value: 'last@example.com' }] }),
    );
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.emails).toHaveLength(100);
  });

  it('repeated team names are stored once (they answered 500 from the team-link key)', async () => {
    const response = await scim.post(
      '/Users',
      newUser(userName(), { schemas: [USER_SCHEMA, TEAMS], [TEAMS]: { teams: ['T1', 'T2', 'T1'] } }),
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body[TEAMS]).toEqual({ teams: ['T1', 'T2'] });
    const put = await scim.put(`/Users/${response.body.id}`, newUser(response.body.userName, { [TEAMS]: { teams: ['T3', 'T3'] } }));
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await read(scim, response.body.id))[TEAMS]).toEqual({ teams: ['T3'] });
  });

  it('Group PATCH and PUT with 60,000 member ids do not answer 500', async () => {
    // A larger body limit, so the request reaches the directory and storage instead of 413.
    const big = await startServer({ ROSTER_BODY_LIMIT: String(16 * 1024 * 1024) });
    try {
      const client = scimClient(big, await big.workspace('group-limits'));
      const user = await create(client, newUser('member@example.com'));
      const groups = (await client.get('/Groups')).body.Resources as Json[];
      const group = groups.find((g) => g.displayName !== undefined) as Json;
      const unknown = Array.from({ length: 20_000 }, () => ({ value: newId() }));
      const response = await client.patch(
        `/Groups/${group.id}`,
        patchOps(
          { op: 'add', path: 'members', value: [...unknown, { value: user.id }] },
          { op: 'remove', path: 'members', value: Array.from({ length: 20_000 }, () => ({ value: newId() })) },
          { op: 'replace', path: 'members', value: [...Array.from({ length: 20_000 }, () => ({ value: newId() })), { value: user.id }] },
        ),
      );
      expect(response.status, String(JSON.stringify(response.body ?? null)).slice(0, 500)).toBeLessThan(500);
      const members = [...Array.from({ length: 60_000 }, () => ({ value: newId() })), { value: user.id }];
      const put = await client.put(`/Groups/${group.id}`, { displayName: group.displayName, members });
      expect(put.status, String(JSON.stringify(put.body ?? null)).slice(0, 500)).toBeLessThan(500);
    } finally {
      await big.close();
    }
  });
});
