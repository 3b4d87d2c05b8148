import { describe, expect, it } from 'vitest';
import { newUser, patchOps, type ScimClient, scimClient, USER_SCHEMA } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import { create, expectScimError, expectUnchanged, q, read } from './helpers.js';

/** Every active non-guest user takes a seat; SCIM cannot activate more users than seats. */
describe('seat limit', () => {
  const server = serverForSuite();

  const workspace = async (slug: string, seats: number): Promise<ScimClient> => scimClient(server, await server.workspace(slug, { seats }));
  const total = async (scim: ScimClient) => (await scim.get('/Users?count=0')).body.totalResults;

  it('refuses a second active user with 409 and writes nothing', async () => {
    const scim = await workspace('one-seat', 1);
    await create(scim, newUser('first@example.com'));
    const response = await scim.post('/Users', newUser('second@example.com'));
    expectScimError(response, 409);
    expect(response.body.scimType).not.toBe('uniqueness');
    expect(response.body.detail).toMatch(/seat/i);
    expect(await total(scim)).toBe(1);
    expect((await scim.get(q('userName eq "second@example.com"'))).body.totalResults).toBe(0);
  });

  it('creates the user inactive, then refuses to activate it (PATCH and PUT), changing nothing', async () => {
    const scim = await workspace('one-seat-b', 1);
    const first = await create(scim, newUser('first@example.com'));
    const second = await create(scim, newUser('second@example.com', { active: false }));
    expect(second.active).toBe(false);
    expect(await total(scim)).toBe(2);

    expectScimError(await scim.patch(`/Users/${second.id}`, patchOps({ op: 'replace', path: 'active', value: true })), 409);
    await expectUnchanged(scim, second.id, second);
    expectScimError(
      await scim.patch(
        `/Users/${second.id}`,
        patchOps({ op: 'replace', path: 'title', value: 'x' }, { op: 'replace', value: { active: 'True' } }),
      ),
      409,
    );
    await expectUnchanged(scim, second.id, second);
    expectScimError(await scim.put(`/Users/${second.id}`, { schemas: [USER_SCHEMA], userName: second.userName, active: true }), 409);
    await expectUnchanged(scim, second.id, second);
    await expectUnchanged(scim, first.id, first);

    // Inactive users can still be edited.
    const edited = await scim.patch(`/Users/${second.id}`, patchOps({ op: 'replace', path: 'title', value: 'Waiting' }));
    expect(edited.status).toBe(200);
    expect(edited.body.active).toBe(false);
  });

  it('frees the seat when the active user is deactivated or deleted', async () => {
    const scim = await workspace('one-seat-c', 1);
    const first = await create(scim, newUser('first@example.com'));
    const second = await create(scim, newUser('second@example.com', { active: false }));
    expect((await scim.patch(`/Users/${first.id}`, patchOps({ op: 'replace', path: 'active', value: false }))).status).toBe(200);
    const activated = await scim.patch(`/Users/${second.id}`, patchOps({ op: 'replace', path: 'active', value: true }));
    expect(activated.status).toBe(200);
    expect(activated.body.active).toBe(true);
    // The seat is taken again: first cannot come back.
    expectScimError(await scim.patch(`/Users/${first.id}`, patchOps({ op: 'replace', path: 'active', value: true })), 409);
    expect((await read(scim, first.id)).active).toBe(false);
    // Deleting second frees it.
    expect((await scim.delete(`/Users/${second.id}`)).status).toBe(204);
    expect((await scim.patch(`/Users/${first.id}`, patchOps({ op: 'replace', path: 'active', value: true }))).status).toBe(200);
  });

  it('an already active user can be edited when all seats are taken', async () => {
    const scim = await workspace('one-seat-d', 1);
    const first = await create(scim, newUser('first@example.com'));
    const response = await scim.patch(
      `/Users/${first.id}`,
      patchOps({ op: 'replace', path: 'active', value: true }, { op: 'replace', path: 'title', value: 'Still here' }),
    );
    expect(response.status).toBe(200);
    expect(response.body.title).toBe('Still here');
    const put = await scim.put(`/Users/${first.id}`, { schemas: [USER_SCHEMA], userName: first.userName, active: true, nickName: 'Put' });
    expect(put.status).toBe(200);
  });

  it('reviving a deleted user needs a seat', async () => {
    const scim = await workspace('one-seat-e', 1);
    const gone = await create(scim, newUser('gone@example.com'));
    expect((await scim.delete(`/Users/${gone.id}`)).status).toBe(204);
    await create(scim, newUser('taker@example.com'));
    expectScimError(await scim.post('/Users', newUser('gone@example.com')), 409);
    expectScimError(await scim.get(`/Users/${gone.id}`), 404, null);
    const inactive = await scim.post('/Users', newUser('gone@example.com', { active: false }));
    expect(inactive.status).toBe(201);
    expect(inactive.body.id).toBe(gone.id);
  });

  it('a workspace with 0 seats takes only inactive users', async () => {
    const scim = await workspace('no-seats', 0);
    expectScimError(await scim.post('/Users', newUser('active@example.com')), 409);
    expect((await scim.post('/Users', newUser('inactive@example.com', { active: false }))).status).toBe(201);
    expect(await total(scim)).toBe(1);
  });
});
