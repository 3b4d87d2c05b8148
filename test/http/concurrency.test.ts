import { describe, expect, it } from 'vitest';
import { newUser, patchOps, scimClient } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, expectScimError, q, read } from './helpers.js';

/** Concurrent requests: writes serialise, uniqueness and seats hold, nothing answers 500. */
describe('concurrent requests', () => {
  const { server, scim } = workspaceForSuite('concurrent');

  it('concurrent PATCHes of one user all apply, each with its own version', async () => {
    const user = await create(scim, newUser('busy@example.com'));
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        scim.patch(`/Users/${user.id}`, patchOps({ op: 'add', path: 'phoneNumbers', value: [{ value: `+49 ${i}`, type: 'work' }] })),
      ),
    );
    for (const response of responses) expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(new Set(responses.map((r) => r.body.meta.version)).size).toBe(10);
    const final = await read(scim, user.id);
    expect(final.phoneNumbers.map((p: { value: string }) => p.value).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `+49 ${i}`).sort(),
    );
  });

  it('concurrent POSTs of one userName create exactly one user; the rest are 409 uniqueness', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, () => scim.post('/Users', newUser('race@example.com'))));
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 201)) expectScimError(response, 409, 'uniqueness');
    expect((await scim.get(q('userName eq "race@example.com"'))).body.totalResults).toBe(1);
  });

  it('concurrent activations never exceed the seats', async () => {
    const small = scimClient(server, await server.workspace('concurrent-seats', { seats: 2 }));
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => small.post('/Users', newUser(`seat${i}@example.com`))));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(2);
    for (const response of responses.filter((r) => r.status !== 201)) expectScimError(response, 409);
    expect((await small.get(q('active eq true'))).body.totalResults).toBe(2);
  });

  it('a concurrent PATCH and DELETE end with the user deleted or patched-then-deleted, never half', async () => {
    const user = await create(scim, newUser('racing-delete@example.com'));
    const [patched, deleted] = await Promise.all([
      scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'x' })),
      scim.delete(`/Users/${user.id}`),
    ]);
    expect([200, 404]).toContain(patched.status);
    expect(deleted.status).toBe(204);
    expectScimError(await scim.get(`/Users/${user.id}`), 404, null);
  });
});
