import { describe, expect, it } from 'vitest';
import { newUser, patchOps } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, expectScimError, ids, q, read } from './helpers.js';

/** DELETE /Users/{id} (RFC 7644 §3.6) and bringing a deleted user back with POST. */
describe('DELETE /Users/{id}', () => {
  const { server, scim } = workspaceForSuite('delete');

  it('answers 204 with no body, then GET is 404 and filters no longer find the user', async () => {
    const keep = await create(scim, newUser('keep@example.com'));
    const user = await create(scim, newUser('gone@example.com', { title: 'Leaver' }));
    const totalBefore = (await scim.get('/Users?count=0')).body.totalResults;

    const deleted = await scim.delete(`/Users/${user.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();

    expectScimError(await scim.get(`/Users/${user.id}`), 404, null);
    expect((await scim.get(q('userName eq "gone@example.com"'))).body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await scim.get(q('title eq "Leaver"'))).body.totalResults).toBe(0);
    const all = await scim.get('/Users');
    expect(all.body.totalResults).toBe(totalBefore - 1);
    expect(ids(all)).not.toContain(user.id);
    expect(ids(all)).toContain(keep.id);
    expect((await scim.post('/Users/.search', { filter: 'userName eq "gone@example.com"' })).body.totalResults).toBe(0);
  });

  it('a deleted user cannot be deleted, patched or replaced again (404)', async () => {
    const user = await create(scim, newUser('twice@example.com'));
    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(204);
    expectScimError(await scim.delete(`/Users/${user.id}`), 404, null);
    expectScimError(await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'x' })), 404, null);
    expectScimError(await scim.put(`/Users/${user.id}`, newUser('twice@example.com')), 404, null);
    expectScimError(await scim.get(`/Users/${user.id}`), 404, null);
  });

  it('If-Match with a stale version is 412 and the user stays', async () => {
    const user = await create(scim, newUser('guarded@example.com'));
    const patched = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'Newer' }));
    expect(patched.status).toBe(200);
    expectScimError(await scim.call('DELETE', `/Users/${user.id}`, undefined, { 'if-match': user.meta.version }), 412);
    expect(await read(scim, user.id)).toStrictEqual(patched.body);
    const deleted = await scim.call('DELETE', `/Users/${user.id}`, undefined, { 'if-match': patched.body.meta.version });
    expect(deleted.status).toBe(204);
  });

  it('a failed POST of a deleted userName leaves the user deleted', async () => {
    const user = await create(scim, newUser('still-gone@example.com'));
    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(204);
    expectScimError(await scim.post('/Users', newUser('still-gone@example.com', { timezone: 'Mars/Base' })), 400, 'invalidValue');
    expectScimError(await scim.post('/Users', newUser('still-gone@example.com', { active: 7 })), 400, 'invalidValue');
    expectScimError(await scim.get(`/Users/${user.id}`), 404, null);
    expect((await scim.get(q('userName eq "still-gone@example.com"'))).body.totalResults).toBe(0);
  });

  it('404 for an unknown or non-UUID id', async () => {
    expectScimError(await scim.delete('/Users/0196b9f0-0000-7000-8000-000000000000'), 404, null);
    expectScimError(await scim.delete('/Users/010101001010101011001010101011'), 404, null);
  });

  it('a later POST of the same userName brings the same person back with the same id', async () => {
    const user = await create(scim, newUser('comeback@example.com', { title: 'First life' }));
    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(204);

    const revived = await scim.post('/Users', newUser('comeback@example.com', { title: 'Second life' }));
    expect(revived.status).toBe(201);
    expect(revived.body.id).toBe(user.id);
    expect(revived.headers.get('location')).toBe(`${server.scimUrl}/Users/${user.id}`);
    expect(revived.body.active).toBe(true);
    expect(revived.body.title).toBe('Second life');
    expect(revived.body.meta.created).toBe(user.meta.created);
    expect(revived.body.meta.version).not.toBe(user.meta.version);
    expect(await read(scim, user.id)).toStrictEqual(revived.body);
    const found = await scim.get(q('userName eq "comeback@example.com"'));
    expect(ids(found)).toEqual([user.id]);
  });

  it('revives also when the userName comes back in another case, and stays unique', async () => {
    const user = await create(scim, newUser('Mixed.Case@example.com'));
    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(204);
    const revived = await scim.post('/Users', newUser('mixed.case@EXAMPLE.com'));
    expect(revived.status).toBe(201);
    expect(revived.body.id).toBe(user.id);
    expect(revived.body.userName).toBe('mixed.case@EXAMPLE.com');
    expectScimError(await scim.post('/Users', newUser('MIXED.CASE@example.com')), 409, 'uniqueness');
  });

  it('a revived user can be created inactive', async () => {
    const user = await create(scim, newUser('sleeper@example.com'));
    expect((await scim.delete(`/Users/${user.id}`)).status).toBe(204);
    const revived = await scim.post('/Users', newUser('sleeper@example.com', { active: false }));
    expect(revived.status).toBe(201);
    expect(revived.body.id).toBe(user.id);
    expect(revived.body.active).toBe(false);
  });
});
