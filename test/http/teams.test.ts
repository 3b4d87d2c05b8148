import { beforeAll, describe, expect, it } from 'vitest';
import { createTeam } from '../../src/directory/roles/teams.js';
import { newUser, patchOps, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, expectScimError, expectUnchanged, filterNames, q, read, TEAMS } from './helpers.js';

/** The Teams extension: team membership by exact team name. */
describe('teams extension', () => {
  const { server, scim } = workspaceForSuite('teams');

  beforeAll(async () => {
    await createTeam(server.store, 'teams', 'Engineering');
    await createTeam(server.store, 'teams', 'Sales');
    await createTeam(server.store, 'teams', 'Customer Success');
  });

  const total = async () => (await scim.get('/Users?count=0')).body.totalResults;

  it('assigns teams on create and returns them', async () => {
    const response = await scim.post(
      '/Users',
      newUser('eng@example.com', { schemas: [USER_SCHEMA, TEAMS], [TEAMS]: { teams: ['Engineering', 'Customer Success'] } }),
    );
    expect(response.status).toBe(201);
    expect(response.body[TEAMS]).toEqual({ teams: ['Engineering', 'Customer Success'] });
    expect(response.body.schemas).toEqual([USER_SCHEMA, TEAMS]);
    expect((await read(scim, response.body.id))[TEAMS]).toEqual({ teams: ['Engineering', 'Customer Success'] });
  });

  it('refuses an unknown team with 400 invalidValue naming it, and writes nothing', async () => {
    const before = await total();
    const response = await scim.post('/Users', newUser('ghost-team@example.com', { [TEAMS]: { teams: ['Engineering', 'Marketing'] } }));
    expectScimError(response, 400, 'invalidValue');
    expect(response.body.detail).toContain('Marketing');
    expect(response.body.detail).not.toContain("'Engineering'");
    expect(await total()).toBe(before);
    expect((await scim.get(q('userName eq "ghost-team@example.com"'))).body.totalResults).toBe(0);
  });

  it('matches team names exactly (case and spaces)', async () => {
    for (const name of ['engineering', 'Engineering ', 'customer success']) {
      const response = await scim.post('/Users', newUser('case-team@example.com', { [TEAMS]: { teams: [name] } }));
      expectScimError(response, 400, 'invalidValue');
      expect(response.body.detail).toContain(name);
    }
    expect((await scim.get(q('userName eq "case-team@example.com"'))).body.totalResults).toBe(0);
  });

  it('changes teams with PATCH; an unknown team changes nothing', async () => {
    const user = await create(scim, newUser('mover@example.com', { [TEAMS]: { teams: ['Engineering'] } }));
    const added = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'add', path: `${TEAMS}:teams`, value: ['Sales'] }));
    expect(added.status).toBe(200);
    expect(added.body[TEAMS]).toEqual({ teams: ['Engineering', 'Sales'] });

    const unknown = await scim.patch(
      `/Users/${user.id}`,
      patchOps({ op: 'replace', path: 'title', value: 'Changed?' }, { op: 'add', path: `${TEAMS}:teams`, value: ['Marketing'] }),
    );
    expectScimError(unknown, 400, 'invalidValue');
    expect(unknown.body.detail).toContain('Marketing');
    await expectUnchanged(scim, user.id, added.body);

    const replaced = await scim.patch(
      `/Users/${user.id}`,
      patchOps({ op: 'replace', path: `${TEAMS}:teams`, value: ['Customer Success'] }),
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body[TEAMS]).toEqual({ teams: ['Customer Success'] });

    const removed = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'remove', path: `${TEAMS}:teams` }));
    expect(removed.status).toBe(200);
    expect(removed.body[TEAMS]).toBeUndefined();
    expect(removed.body.schemas).toEqual([USER_SCHEMA]);
  });

  it('changes teams with PUT; an unknown team changes nothing', async () => {
    const user = await create(scim, newUser('putter@example.com', { [TEAMS]: { teams: ['Sales'] } }));
    const replaced = await scim.put(`/Users/${user.id}`, {
      schemas: [USER_SCHEMA, TEAMS],
      userName: user.userName,
      [TEAMS]: { teams: ['Engineering'] },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body[TEAMS]).toEqual({ teams: ['Engineering'] });
    const unknown = await scim.put(`/Users/${user.id}`, {
      schemas: [USER_SCHEMA, TEAMS],
      userName: user.userName,
      title: 'x',
      [TEAMS]: { teams: ['Nope'] },
    });
    expectScimError(unknown, 400, 'invalidValue');
    expect(unknown.body.detail).toContain('Nope');
    await expectUnchanged(scim, user.id, replaced.body);
  });

  it('filters by team name', async () => {
    await create(scim, newUser('filter-eng@example.com', { [TEAMS]: { teams: ['Engineering'] } }));
    const engineers = await filterNames(scim, `${TEAMS}:teams eq "Engineering"`);
    expect(engineers).toContain('filter-eng@example.com');
    expect(engineers).not.toContain('mover@example.com');
    expect(await filterNames(scim, `${TEAMS}:teams eq "Nobody's team"`)).toEqual([]);
  });
});
