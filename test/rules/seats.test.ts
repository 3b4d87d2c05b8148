import { describe, expect, it } from 'vitest';
import { addAppUser, listAppUsers } from '../../src/directory/users/app-users.js';
import { expectScimError, expectStatus } from '../support/scim-assertions.js';
import { newUser, patchOps, type ScimResponse } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import { createUser, filterUsers, freshWorkspace, getUser, groupOf, snapshot, userTotal, type Workspace } from './rules-support.js';

/**
 * The article: "You also need to make sure that you have enough unused user licenses in awork so
 * the user can be activated." Every active non-guest user takes one seat; guests take none.
 */
describe('seats (user licenses)', () => {
  const server = serverForSuite();

  const expectSeatError = (response: ScimResponse) => {
    expectScimError(response, 409);
    expect(response.body.detail).toMatch(/seat|licen/i);
  };
  const setActive = (w: Workspace, id: string, active: boolean) =>
    w.scim.patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'active', value: active }));
  /** Active non-guest users as the app sees them. */
  const seatsUsed = async (w: Workspace) =>
    (await listAppUsers(server.store, w.slug)).filter((u) => u.active && u.roleId !== w.roles.guest).length;

  it('a third active user on a 2-seat workspace is refused with 409 and nothing is written', async () => {
    const w = await freshWorkspace(server, 's-full', 2);
    await createUser(w.scim, newUser('one@example.com'));
    await createUser(w.scim, newUser('two@example.com'));
    const before = await snapshot(w.scim);
    expect(before.users.totalResults).toBe(2);
    const refused = await w.scim.post('/Users', newUser('three@example.com'));
    expectSeatError(refused);
    // active omitted defaults to true, so it needs a seat as well.
    const { active: _omit, ...noActive } = newUser('four@example.com');
    expectSeatError(await w.scim.post('/Users', noActive));
    expect(await snapshot(w.scim)).toStrictEqual(before);
    expect(await filterUsers(w.scim, 'userName eq "three@example.com"')).toEqual([]);
    expect(await listAppUsers(server.store, w.slug)).toHaveLength(2);
  });

  it('an inactive user can be created; activating it fails while the seats are full and succeeds once one is freed', async () => {
    const w = await freshWorkspace(server, 's-act', 2);
    const one = await createUser(w.scim, newUser('one@example.com'));
    const two = await createUser(w.scim, newUser('two@example.com'));
    const idle = await createUser(w.scim, newUser('idle@example.com', { active: false }));
    expect(idle.active).toBe(false);
    expect(await userTotal(w.scim)).toBe(3);

    const before = await snapshot(w.scim);
    expectSeatError(await setActive(w, idle.id, true));
    expectSeatError(await w.scim.patch(`/Users/${idle.id}`, patchOps({ op: 'replace', value: { active: 'True' } })));
    expectSeatError(await w.scim.put(`/Users/${idle.id}`, newUser('idle@example.com', { active: true, title: 'Changed' })));
    expect(await snapshot(w.scim), 'a refused activation writes nothing').toStrictEqual(before);
    expect((await getUser(w.scim, idle.id)).active).toBe(false);

    expectStatus(await setActive(w, one.id, false), 200);
    const activated = await setActive(w, idle.id, true);
    expectStatus(activated, 200);
    expect(activated.body.active).toBe(true);
    expect((await getUser(w.scim, idle.id)).active).toBe(true);
    expect(await seatsUsed(w)).toBe(2);

    // Full again: PUT active true of the deactivated user fails, then succeeds after a deactivation.
    const beforePut = await snapshot(w.scim);
    expectSeatError(await w.scim.put(`/Users/${one.id}`, newUser('one@example.com', { active: true })));
    expect(await snapshot(w.scim)).toStrictEqual(beforePut);
    expectStatus(await w.scim.put(`/Users/${two.id}`, newUser('two@example.com', { active: false })), 200);
    const put = await w.scim.put(`/Users/${one.id}`, newUser('one@example.com', { active: true }));
    expectStatus(put, 200);
    expect((await getUser(w.scim, one.id)).active).toBe(true);
    expect(await seatsUsed(w)).toBe(2);
  });

  it('DELETE frees the seat', async () => {
    const w = await freshWorkspace(server, 's-del', 1);
    const one = await createUser(w.scim, newUser('one@example.com'));
    expectSeatError(await w.scim.post('/Users', newUser('two@example.com')));
    expectStatus(await w.scim.delete(`/Users/${one.id}`), 204);
    const two = await createUser(w.scim, newUser('two@example.com'));
    expect((await getUser(w.scim, two.id)).active).toBe(true);
    // Bringing the deleted user back needs a seat again.
    const before = await snapshot(w.scim);
    expectSeatError(await w.scim.post('/Users', newUser('one@example.com')));
    expect(await snapshot(w.scim)).toStrictEqual(before);
    expectScimError(await w.scim.get(`/Users/${one.id}`), 404);
  });

  it('guests take no seat: they can be added, updated and reactivated on a full workspace', async () => {
    const w = await freshWorkspace(server, 's-guest', 1);
    await createUser(w.scim, newUser('member@example.com'));
    expect(await seatsUsed(w)).toBe(1);
    const guest = await addAppUser(server.store, w.slug, {
      email: 'guest@partner.example',
      givenName: 'G',
      familyName: 'Uest',
      role: 'Guest',
    });
    expectStatus(await setActive(w, guest.id, false), 200);
    const back = await setActive(w, guest.id, true);
    expectStatus(back, 200);
    expect((await getUser(w.scim, guest.id)).active).toBe(true);
    expectStatus(await w.scim.put(`/Users/${guest.id}`, newUser('guest@partner.example', { title: 'Reviewer' })), 200);
    expect(await groupOf(w.scim, guest.id)).toBeUndefined();
    expect(await seatsUsed(w)).toBe(1);
  });

  it('a guest joining a role needs a seat: refused while full (nothing written), accepted once one is free', async () => {
    const w = await freshWorkspace(server, 's-gjoin', 1);
    const member = await createUser(w.scim, newUser('member@example.com'));
    const guest = await addAppUser(server.store, w.slug, {
      email: 'guest@partner.example',
      givenName: 'G',
      familyName: 'Uest',
      role: 'Guest',
    });
    const before = await snapshot(w.scim);
    const join = () => w.scim.patch(`/Groups/${w.roles.member}`, patchOps({ op: 'add', path: 'members', value: [{ value: guest.id }] }));
    expectSeatError(await join());
    expect(await snapshot(w.scim)).toStrictEqual(before);
    expect(await groupOf(w.scim, guest.id)).toBeUndefined();

    expectStatus(await setActive(w, member.id, false), 200);
    expectStatus(await join(), 204);
    expect(await groupOf(w.scim, guest.id)).toBe(w.roles.member);
    expect(await seatsUsed(w)).toBe(1);
    // Now the deactivated member cannot come back.
    expectSeatError(await setActive(w, member.id, true));
  });

  it('10 concurrent POSTs on a 5-seat workspace never exceed the seats', async () => {
    const w = await freshWorkspace(server, 's-race', 5);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => w.scim.post('/Users', newUser(`racer${i}@example.com`))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    for (const refused of responses.filter((r) => r.status !== 201)) expectSeatError(refused);
    expect(await userTotal(w.scim)).toBe(5);
    expect((await filterUsers(w.scim, 'active eq true')).length).toBe(5);
    expect(await seatsUsed(w)).toBe(5);
    expect(await listAppUsers(server.store, w.slug)).toHaveLength(5);
  });

  it('concurrent activations never exceed the seats', async () => {
    const w = await freshWorkspace(server, 's-race2', 3);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await createUser(w.scim, newUser(`sleeper${i}@example.com`, { active: false }))).id);
    const responses = await Promise.all(ids.map((id) => setActive(w, id, true)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(3);
    for (const refused of responses.filter((r) => r.status !== 200)) expectSeatError(refused);
    expect((await filterUsers(w.scim, 'active eq true')).length).toBe(3);
    expect(await seatsUsed(w)).toBe(3);
  });
});
