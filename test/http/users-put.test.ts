import { describe, expect, it } from 'vitest';
import { newUser, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, ENTERPRISE, expectScimError, expectUnchanged, type Json, read } from './helpers.js';

/** PUT /Users/{id} (RFC 7644 §3.5.1). Roster keeps attributes the body leaves out. */
describe('PUT /Users/{id}', () => {
  const { scim } = workspaceForSuite('put');
  let counter = 0;

  /** A fresh user with title, nickName, two emails and an enterprise department. */
  const fresh = async (): Promise<Json> =>
    create(
      scim,
      newUser(`put${++counter}@example.com`, {
        name: { givenName: 'Old', familyName: 'Name' },
        title: 'Old Title',
        nickName: 'Nick',
        externalId: `ext-${counter}`,
        emails: [
          { value: `put${counter}@example.com`, type: 'work', primary: true },
          { value: `put${counter}@home.org`, type: 'home' },
        ],
        [ENTERPRISE]: { department: 'Old Dept', employeeNumber: '1' },
      }),
    );

  it('replaces the attributes given and keeps the ones left out', async () => {
    const user = await fresh();
    const response = await scim.put(`/Users/${user.id}`, {
      schemas: [USER_SCHEMA],
      userName: user.userName,
      name: { givenName: 'New', familyName: 'Person' },
      title: 'New Title',
      emails: [{ value: 'replaced@example.com', type: 'work', primary: true }],
      active: true,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(response.headers.get('etag')).toBe(response.body.meta.version);
    const body = response.body;
    expect(body.id).toBe(user.id);
    expect(body.title).toBe('New Title');
    // name is replaced as a whole: the derived formatted name follows the new parts.
    expect(body.name).toEqual({ givenName: 'New', familyName: 'Person', formatted: 'New Person' });
    expect(body.emails).toEqual([{ value: 'replaced@example.com', type: 'work', primary: true }]);
    // Left out: kept.
    expect(body.nickName).toBe('Nick');
    expect(body.externalId).toBe(user.externalId);
    expect(body[ENTERPRISE]).toEqual({ department: 'Old Dept', employeeNumber: '1' });
    expect(await read(scim, user.id)).toStrictEqual(body);
  });

  it('merges extension attributes: given ones replaced, others kept', async () => {
    const user = await fresh();
    const response = await scim.put(`/Users/${user.id}`, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: user.userName,
      [ENTERPRISE]: { department: 'New Dept' },
    });
    expect(response.status).toBe(200);
    expect(response.body[ENTERPRISE]).toEqual({ department: 'New Dept', employeeNumber: '1' });
  });

  it('clears an attribute given as null', async () => {
    const user = await fresh();
    const response = await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: user.userName, title: null });
    expect(response.status).toBe(200);
    expect(response.body.title).toBeUndefined();
    expect((await read(scim, user.id)).title).toBeUndefined();
  });

  it('ignores id, meta and groups in the body', async () => {
    const user = await fresh();
    const response = await scim.put(`/Users/${user.id}`, {
      ...user,
      id: '00000000-0000-0000-0000-000000000000',
      meta: { ...user.meta, created: '2000-01-01T00:00:00Z', version: 'W/"999"', location: 'https://evil.example/x' },
      groups: [{ value: 'made-up-group', display: 'Admins' }],
      title: 'Echoed',
    });
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
    expect(response.body.meta.created).toBe(user.meta.created);
    expect(response.body.meta.location).toBe(user.meta.location);
    expect(response.body.meta.version).not.toBe('W/"999"');
    expect(response.body.groups).toEqual(user.groups);
    expect(response.body.title).toBe('Echoed');
    expectScimError(await scim.get('/Users/00000000-0000-0000-0000-000000000000'), 404, null);
  });

  it('accepts the whole resource as GET returned it (Okta) and changes only the version and lastModified', async () => {
    const user = await fresh();
    const response = await scim.put(`/Users/${user.id}`, user);
    expect(response.status).toBe(200);
    const { meta: newMeta, ...rest } = response.body;
    const { meta: oldMeta, ...oldRest } = user;
    expect(rest).toStrictEqual(oldRest);
    expect(newMeta.created).toBe(oldMeta.created);
    expect(newMeta.version).not.toBe(oldMeta.version);
  });

  it('changes meta.version and keeps lastModified monotonic on every successful PUT', async () => {
    const user = await fresh();
    const versions = new Set([user.meta.version]);
    let previous = user;
    for (const title of ['A', 'B', 'C']) {
      const response = await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: user.userName, title });
      expect(response.status).toBe(200);
      versions.add(response.body.meta.version);
      expect(Date.parse(response.body.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(previous.meta.lastModified));
      previous = response.body;
    }
    expect(versions.size).toBe(4);
  });

  it('can change the case of its own userName', async () => {
    const user = await fresh();
    const response = await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: user.userName.toUpperCase() });
    expect(response.status).toBe(200);
    expect(response.body.userName).toBe(user.userName.toUpperCase());
  });

  describe('failures leave the user unchanged', () => {
    it('404 for an unknown id', async () => {
      expectScimError(await scim.put('/Users/0196b9f0-0000-7000-8000-000000000000', newUser('ghost@example.com')), 404, null);
      expectScimError(await scim.put('/Users/010101001010101011001010101011', newUser('ghost@example.com')), 404, null);
    });

    it('400 invalidValue without userName', async () => {
      const user = await fresh();
      expectScimError(await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], title: 'No userName' }), 400, 'invalidValue');
      await expectUnchanged(scim, user.id, user);
    });

    it('400 invalidValue for wrong types', async () => {
      const user = await fresh();
      expectScimError(await scim.put(`/Users/${user.id}`, { ...user, active: 5, title: 'Changed' }), 400, 'invalidValue');
      expectScimError(await scim.put(`/Users/${user.id}`, { ...user, name: 'x', title: 'Changed' }), 400, 'invalidValue');
      await expectUnchanged(scim, user.id, user);
    });

    it('409 uniqueness for another user’s userName (any case)', async () => {
      const user = await fresh();
      const other = await fresh();
      const response = await scim.put(`/Users/${user.id}`, { ...user, userName: other.userName.toUpperCase(), title: 'X' });
      expectScimError(response, 409, 'uniqueness');
      await expectUnchanged(scim, user.id, user);
      await expectUnchanged(scim, other.id, other);
    });

    it('400 when the userName stops being an email and no email is left', async () => {
      const user = await fresh();
      const response = await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'plainname', emails: null });
      expectScimError(response, 400, 'invalidValue');
      await expectUnchanged(scim, user.id, user);
    });

    it('400 invalidSyntax for malformed JSON', async () => {
      const user = await fresh();
      expectScimError(await scim.put(`/Users/${user.id}`, '{"userName": '), 400, 'invalidSyntax');
      await expectUnchanged(scim, user.id, user);
    });
  });

  describe('If-Match (RFC 7644 §3.14)', () => {
    it('succeeds with the current version or *', async () => {
      const user = await fresh();
      const current = await scim.put(`/Users/${user.id}`, { ...user, title: 'v1' }, { 'if-match': user.meta.version });
      expect(current.status).toBe(200);
      const star = await scim.put(`/Users/${user.id}`, { ...user, title: 'v2' }, { 'if-match': '*' });
      expect(star.status).toBe(200);
      expect(star.body.title).toBe('v2');
    });

    it('answers 412 for a stale version and changes nothing', async () => {
      const user = await fresh();
      const updated = await scim.put(`/Users/${user.id}`, { ...user, title: 'Fresh' });
      expect(updated.status).toBe(200);
      const stale = await scim.put(`/Users/${user.id}`, { ...user, title: 'Stale' }, { 'if-match': user.meta.version });
      expectScimError(stale, 412);
      await expectUnchanged(scim, user.id, updated.body);
    });
  });
});
