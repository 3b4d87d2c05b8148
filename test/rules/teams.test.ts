import { beforeAll, describe, expect, it } from 'vitest';
import { createTeam } from '../../src/directory/roles/teams.js';
import { expectScimError, expectStatus } from '../support/scim-assertions.js';
import { newUser, patchOps, USER_SCHEMA } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import {
  createUser,
  filterUsers,
  freshWorkspace,
  getUser,
  type Json,
  LIST_SCHEMA,
  snapshot,
  TEAMS,
  type Workspace,
} from './rules-support.js';

const TEAMS_PATH = `${TEAMS}:teams`;

/**
 * The article: "awork supports team assignments via the external namespace
 * urn:ietf:params:scim:schemas:extension:Teams:2.0:User as a multi value string field. The team
 * assignments get matched via the name of the team ... need to match exactly."
 */
describe('teams extension', () => {
  const server = serverForSuite();
  let w: Workspace;

  beforeAll(async () => {
    w = await freshWorkspace(server, 'teams');
    for (const name of ['Engineering', 'Design', 'Platform Ops']) await createTeam(server.store, w.slug, name);
  });

  const teamsOf = async (id: string): Promise<string[] | undefined> => (await getUser(w.scim, id))[TEAMS]?.teams;
  const patchUser = (id: string, ...operations: unknown[]) => w.scim.patch(`/Users/${id}`, patchOps(...operations));

  it('POST assigns teams by exact name and GET reads them back', async () => {
    const created = await createUser(w.scim, newUser('eng@example.com', { [TEAMS]: { teams: ['Engineering', 'Platform Ops'] } }));
    expect(created[TEAMS]).toEqual({ teams: ['Engineering', 'Platform Ops'] });
    expect(created.schemas).toContain(TEAMS);
    const read = await getUser(w.scim, created.id);
    expect(read).toStrictEqual(created);
  });

  it('a name that differs only in case is 400 invalidValue naming the team, and nothing is written', async () => {
    const before = await snapshot(w.scim);
    const response = await w.scim.post('/Users', newUser('lower@example.com', { [TEAMS]: { teams: ['engineering'] } }));
    expectScimError(response, 400, 'invalidValue');
    expect(response.body.detail).toContain("'engineering'");
    const unknown = await w.scim.post('/Users', newUser('sales@example.com', { [TEAMS]: { teams: ['Design', 'Sales'] } }));
    expectScimError(unknown, 400, 'invalidValue');
    expect(unknown.body.detail).toContain("'Sales'");
    expect(unknown.body.detail).not.toContain("'Design'");
    // Spaces count as well.
    const spaced = await w.scim.post('/Users', newUser('ops@example.com', { [TEAMS]: { teams: ['Platform  Ops'] } }));
    expectScimError(spaced, 400, 'invalidValue');
    expect(await snapshot(w.scim)).toStrictEqual(before);
    expect(await filterUsers(w.scim, 'userName eq "lower@example.com"')).toEqual([]);
  });

  it('PATCH add, replace and remove on the teams path', async () => {
    const user = await createUser(w.scim, newUser('patch@example.com', { [TEAMS]: { teams: ['Engineering'] } }));
    expectStatus(await patchUser(user.id, { op: 'add', path: TEAMS_PATH, value: ['Design'] }), 200);
    expect(await teamsOf(user.id)).toEqual(['Engineering', 'Design']);
    // Adding a team the user has is harmless.
    expectStatus(await patchUser(user.id, { op: 'add', path: TEAMS_PATH, value: ['Design'] }), 200);
    expect(await teamsOf(user.id)).toEqual(['Engineering', 'Design']);

    expectStatus(await patchUser(user.id, { op: 'replace', path: TEAMS_PATH, value: ['Platform Ops'] }), 200);
    expect(await teamsOf(user.id)).toEqual(['Platform Ops']);

    expectStatus(await patchUser(user.id, { op: 'add', path: TEAMS_PATH, value: ['Engineering', 'Design'] }), 200);
    expectStatus(await patchUser(user.id, { op: 'remove', path: TEAMS_PATH, value: ['Engineering'] }), 200);
    expect(await teamsOf(user.id)).toEqual(['Platform Ops', 'Design']);
    expectStatus(await patchUser(user.id, { op: 'Remove', path: TEAMS_PATH, value: 'Design' }), 200);
    expect(await teamsOf(user.id)).toEqual(['Platform Ops']);
    expectStatus(await patchUser(user.id, { op: 'remove', path: TEAMS_PATH }), 200);
    expect(await teamsOf(user.id)).toBeUndefined();
    expect((await getUser(w.scim, user.id)).schemas).not.toContain(TEAMS);
  });

  it('a path-less PATCH and a PUT with the extension object set the teams', async () => {
    const user = await createUser(w.scim, newUser('pathless@example.com'));
    expect(user[TEAMS]).toBeUndefined();
    expectStatus(await patchUser(user.id, { op: 'add', value: { [TEAMS]: { teams: ['Design'] } } }), 200);
    expect(await teamsOf(user.id)).toEqual(['Design']);
    expectStatus(await patchUser(user.id, { op: 'replace', value: { [TEAMS_PATH]: ['Engineering'] } }), 200);
    expect(await teamsOf(user.id)).toEqual(['Engineering']);
    const put = await w.scim.put(`/Users/${user.id}`, newUser('pathless@example.com', { [TEAMS]: { teams: ['Design', 'Engineering'] } }));
    expectStatus(put, 200);
    expect(put.body[TEAMS]).toEqual({ teams: ['Design', 'Engineering'] });
    expect(await teamsOf(user.id)).toEqual(['Design', 'Engineering']);
  });

  it('a PATCH or PUT naming an unknown team is 400 invalidValue and changes nothing', async () => {
    const user = await createUser(w.scim, newUser('strict@example.com', { [TEAMS]: { teams: ['Design'] } }));
    const before = await getUser(w.scim, user.id);
    const added = await patchUser(
      user.id,
      { op: 'replace', path: 'title', value: 'Lead' },
      { op: 'add', path: TEAMS_PATH, value: ['design'] },
    );
    expectScimError(added, 400, 'invalidValue');
    expect(added.body.detail).toContain("'design'");
    expectScimError(await patchUser(user.id, { op: 'replace', path: TEAMS_PATH, value: ['ENGINEERING'] }), 400, 'invalidValue');
    const put = await w.scim.put(`/Users/${user.id}`, newUser('strict@example.com', { title: 'Lead', [TEAMS]: { teams: ['Marketing'] } }));
    expectScimError(put, 400, 'invalidValue');
    expect(put.body.detail).toContain("'Marketing'");
    expect(await getUser(w.scim, user.id)).toStrictEqual(before);
  });

  it('filters by team name, case-exactly', async () => {
    const f = await freshWorkspace(server, 'teams-filter');
    await createTeam(server.store, f.slug, 'Engineering');
    await createTeam(server.store, f.slug, 'Design');
    const a = await createUser(f.scim, newUser('a@example.com', { [TEAMS]: { teams: ['Engineering'] } }));
    const b = await createUser(f.scim, newUser('b@example.com', { [TEAMS]: { teams: ['Design', 'Engineering'] } }));
    await createUser(f.scim, newUser('c@example.com', { [TEAMS]: { teams: ['Design'] } }));
    await createUser(f.scim, newUser('d@example.com'));
    const where = async (filter: string) => {
      const response = await f.scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
      expectStatus(response, 200);
      expect(response.body.schemas).toEqual([LIST_SCHEMA]);
      return ((response.body.Resources ?? []) as Json[]).map((u) => u.id).sort();
    };
    expect(await where(`${TEAMS_PATH} eq "Engineering"`)).toEqual([a.id, b.id].sort());
    expect(await where(`${TEAMS_PATH} eq "engineering"`)).toEqual([]);
    expect(await where(`${TEAMS_PATH} eq "Engineer"`)).toEqual([]);
    expect(await where(`${TEAMS_PATH} eq "Engineering" and ${TEAMS_PATH} eq "Design"`)).toEqual([b.id]);
  });

  it('/Schemas and /ResourceTypes advertise the extension', async () => {
    const schemas = await w.scim.get('/Schemas');
    expectStatus(schemas, 200);
    const teams = (schemas.body.Resources as Json[]).find((s) => s.id === TEAMS);
    expect(teams, 'the teams schema is listed').toBeDefined();
    const attribute = ((teams?.attributes ?? []) as Json[]).find((a) => a.name === 'teams');
    expect(attribute).toMatchObject({ name: 'teams', type: 'string', multiValued: true, caseExact: true });
    const one = await w.scim.get(`/Schemas/${TEAMS}`);
    expectStatus(one, 200);
    expect(one.body.id).toBe(TEAMS);

    const types = await w.scim.get('/ResourceTypes');
    expectStatus(types, 200);
    const user = (types.body.Resources as Json[]).find((t) => t.name === 'User');
    expect(user?.schema).toBe(USER_SCHEMA);
    expect(user?.schemaExtensions).toContainEqual({ schema: TEAMS, required: false });
    const group = (types.body.Resources as Json[]).find((t) => t.name === 'Group');
    expect((group?.schemaExtensions ?? []).map((e: Json) => e.schema)).not.toContain(TEAMS);
  });
});
