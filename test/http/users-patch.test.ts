import { describe, expect, it } from 'vitest';
import { newUser, PATCH_SCHEMA, patchOps } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, ENTERPRISE, expectScimError, expectUnchanged, type Json, q, read } from './helpers.js';

/** PATCH /Users/{id} (RFC 7644 §3.5.2). */
describe('PATCH /Users/{id}', () => {
  const { server, scim } = workspaceForSuite('patch');
  let counter = 0;

  const fresh = async (extra: Record<string, unknown> = {}): Promise<Json> => {
    const n = ++counter;
    return create(
      scim,
      newUser(`patch${n}@example.com`, {
        name: { givenName: 'Pat', familyName: 'Cher' },
        title: 'Engineer',
        emails: [
          { value: `patch${n}@example.com`, type: 'work', primary: true },
          { value: `patch${n}@home.org`, type: 'home' },
        ],
        [ENTERPRISE]: { department: 'R&D', employeeNumber: `E${n}` },
        ...extra,
      }),
    );
  };

  /** PATCHes and expects 200; checks the response equals a later GET and the ETag header. */
  const ok = async (id: string, ...operations: unknown[]): Promise<Json> => {
    const response = await scim.patch(`/Users/${id}`, patchOps(...operations));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(response.headers.get('etag')).toBe(response.body.meta.version);
    expect(await read(scim, id)).toStrictEqual(response.body);
    return response.body;
  };

  describe('simple paths', () => {
    it('replace a single-valued attribute', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', path: 'title', value: 'CTO' });
      expect(body.title).toBe('CTO');
      expect(body.nickName).toBeUndefined();
      expect(body.emails).toEqual(user.emails);
    });

    it('add a single-valued attribute', async () => {
      const user = await fresh();
      expect((await ok(user.id, { op: 'add', path: 'nickName', value: 'Patty' })).nickName).toBe('Patty');
    });

    it('remove a single-valued attribute', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'remove', path: 'title' });
      expect(body.title).toBeUndefined();
      expect(body.userName).toBe(user.userName);
    });

    it('a sub-attribute path (name.familyName)', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', path: 'name.familyName', value: 'Newname' });
      expect(body.name).toMatchObject({ givenName: 'Pat', familyName: 'Newname' });
      expect(body.name.formatted).toBe('Pat Newname');
    });

    it('a complex value merges into the current one', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', path: 'name', value: { middleName: 'Q' } });
      expect(body.name).toMatchObject({ givenName: 'Pat', familyName: 'Cher', middleName: 'Q' });
    });

    it('attribute names in paths are case-insensitive', async () => {
      const user = await fresh();
      const body = await ok(
        user.id,
        { op: 'replace', path: 'NAME.GIVENNAME', value: 'Upper' },
        { op: 'replace', path: 'Title', value: 'T' },
      );
      expect(body.name.givenName).toBe('Upper');
      expect(body.title).toBe('T');
    });

    it('a URN path to an extension attribute', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Sales' });
      expect(body[ENTERPRISE]).toEqual({ department: 'Sales', employeeNumber: user[ENTERPRISE].employeeNumber });
      const removed = await ok(user.id, { op: 'remove', path: `${ENTERPRISE}:employeeNumber` });
      expect(removed[ENTERPRISE]).toEqual({ department: 'Sales' });
    });

    it('a URN path to the core schema attribute', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:title', value: 'Core' });
      expect(body.title).toBe('Core');
    });

    it('the manager by id, as an object or a bare string', async () => {
      const manager = await fresh({ displayName: 'The Manager' });
      const user = await fresh();
      const expected = { value: manager.id, $ref: `${server.scimUrl}/Users/${manager.id}`, displayName: 'The Manager' };
      const asObject = await ok(user.id, { op: 'add', path: `${ENTERPRISE}:manager`, value: { value: manager.id } });
      expect(asObject[ENTERPRISE].manager).toEqual(expected);
      const removed = await ok(user.id, { op: 'remove', path: `${ENTERPRISE}:manager` });
      expect(removed[ENTERPRISE].manager).toBeUndefined();
      const bare = await ok(user.id, { op: 'Replace', path: `${ENTERPRISE}:manager`, value: manager.id });
      expect(bare[ENTERPRISE].manager).toEqual(expected);
    });
  });

  describe('multi-valued attributes and value filters', () => {
    it('replace emails[type eq "work"].value changes only the work email', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', path: 'emails[type eq "work"].value', value: 'new.work@example.com' });
      expect(body.emails).toEqual([{ value: 'new.work@example.com', type: 'work', primary: true }, user.emails[1]]);
    });

    it('add through a filter that matches nothing creates the element (Entra)', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'add', path: 'emails[type eq "other"].value', value: 'other@example.com' });
      expect(body.emails).toHaveLength(3);
      expect(body.emails[2]).toEqual({ type: 'other', value: 'other@example.com' });
    });

    it('remove emails[type eq "home"] removes only the matching element', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'remove', path: 'emails[type eq "home"]' });
      expect(body.emails).toEqual([user.emails[0]]);
    });

    it('remove with a complex value filter', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'remove', path: `emails[type eq "home" and value co "@home"]` });
      expect(body.emails).toEqual([user.emails[0]]);
    });

    it('remove through a filter that matches nothing removes nothing', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'remove', path: 'emails[type eq "other"]' });
      expect(body.emails).toEqual(user.emails);
    });

    it('add to a multi-valued attribute appends without duplicating', async () => {
      const user = await fresh();
      const body = await ok(user.id, {
        op: 'add',
        path: 'phoneNumbers',
        value: [{ value: '+49 30 1234', type: 'work' }],
      });
      expect(body.phoneNumbers).toEqual([{ value: '+49 30 1234', type: 'work' }]);
      const again = await ok(user.id, { op: 'add', path: 'phoneNumbers', value: [{ value: '+49 30 1234', type: 'work' }] });
      expect(again.phoneNumbers).toEqual([{ value: '+49 30 1234', type: 'work' }]);
    });

    it('replace a multi-valued attribute replaces the whole list', async () => {
      const user = await fresh();
      const body = await ok(user.id, {
        op: 'replace',
        path: 'emails',
        value: [{ value: 'only@example.com', type: 'work', primary: true }],
      });
      expect(body.emails).toEqual([{ value: 'only@example.com', type: 'work', primary: true }]);
    });

    it('a new primary element demotes the old one', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', path: 'emails[type eq "home"].primary', value: true });
      expect(body.emails.filter((e: Json) => e.primary === true)).toEqual([{ value: user.emails[1].value, type: 'home', primary: true }]);
    });
  });

  describe('path-less operations', () => {
    it('apply an object of attributes', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', value: { title: 'Lead', nickName: 'P', name: { givenName: 'Nested' } } });
      expect(body.title).toBe('Lead');
      expect(body.nickName).toBe('P');
      expect(body.name).toMatchObject({ givenName: 'Nested', familyName: 'Cher' });
    });

    it('accept dotted keys and URN keys (Entra)', async () => {
      const user = await fresh();
      const body = await ok(user.id, {
        op: 'add',
        value: {
          'name.givenName': 'Dotted',
          [`${ENTERPRISE}:department`]: 'Urn Dept',
          'emails[type eq "work"].value': 'pathless.work@example.com',
        },
      });
      expect(body.name.givenName).toBe('Dotted');
      expect(body[ENTERPRISE].department).toBe('Urn Dept');
      expect(body.emails[0].value).toBe('pathless.work@example.com');
    });

    it('accept an extension URN key with an object', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', value: { [ENTERPRISE]: { division: 'Div' } } });
      expect(body[ENTERPRISE]).toMatchObject({ department: 'R&D', division: 'Div' });
    });

    it('ignore read-only keys and unknown keys', async () => {
      const user = await fresh();
      const body = await ok(user.id, { op: 'replace', value: { id: 'other', meta: { created: 'x' }, shoeSize: 44, title: 'Kept' } });
      expect(body.id).toBe(user.id);
      expect(body.meta.created).toBe(user.meta.created);
      expect(body.shoeSize).toBeUndefined();
      expect(body.title).toBe('Kept');
    });
  });

  describe('lenient input', () => {
    it.each(['replace', 'Replace', 'REPLACE', 'rEpLaCe'])('op %s', async (op) => {
      const user = await fresh();
      expect((await ok(user.id, { op, path: 'title', value: op })).title).toBe(op);
    });

    it('op Add and Remove in any case', async () => {
      const user = await fresh();
      expect((await ok(user.id, { op: 'Add', path: 'nickName', value: 'A' })).nickName).toBe('A');
      expect((await ok(user.id, { op: 'REMOVE', path: 'nickName' })).nickName).toBeUndefined();
    });

    it('string booleans for active, in any case, with and without a path', async () => {
      const user = await fresh();
      expect((await ok(user.id, { op: 'Replace', path: 'active', value: 'False' })).active).toBe(false);
      expect((await ok(user.id, { op: 'replace', path: 'active', value: 'TRUE' })).active).toBe(true);
      expect((await ok(user.id, { op: 'replace', value: { active: 'false' } })).active).toBe(false);
      expect((await ok(user.id, { op: 'add', path: 'active', value: true })).active).toBe(true);
    });

    it('a missing schemas list and member names in any case', async () => {
      const user = await fresh();
      const response = await scim.patch(`/Users/${user.id}`, { operations: [{ OP: 'replace', PATH: 'title', VALUE: 'Lower' }] });
      expect(response.status).toBe(200);
      expect(response.body.title).toBe('Lower');
    });

    it('several operations in order', async () => {
      const user = await fresh();
      const body = await ok(
        user.id,
        { op: 'replace', path: 'title', value: 'First' },
        { op: 'replace', path: 'title', value: 'Second' },
        { op: 'add', path: 'nickName', value: 'N' },
        { op: 'remove', path: 'nickName' },
      );
      expect(body.title).toBe('Second');
      expect(body.nickName).toBeUndefined();
    });
  });

  describe('versions', () => {
    it('meta.version changes on every successful PATCH and lastModified does not go back', async () => {
      const user = await fresh();
      const versions = [user.meta.version];
      let previous = user;
      for (const title of ['a', 'b', 'c']) {
        const body = await ok(user.id, { op: 'replace', path: 'title', value: title });
        versions.push(body.meta.version);
        expect(Date.parse(body.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(previous.meta.lastModified));
        expect(body.meta.created).toBe(user.meta.created);
        previous = body;
      }
      expect(new Set(versions).size).toBe(4);
    });

    it('If-Match with the current version succeeds; a stale one is 412 and changes nothing', async () => {
      const user = await fresh();
      const current = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'v1' }), {
        'if-match': user.meta.version,
      });
      expect(current.status).toBe(200);
      const stale = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'stale' }), {
        'if-match': user.meta.version,
      });
      expectScimError(stale, 412);
      await expectUnchanged(scim, user.id, current.body);
    });
  });

  describe('errors leave the user unchanged', () => {
    const rejects = async (body: unknown, status: number, scimType: string | null | undefined): Promise<Json> => {
      const user = await fresh();
      const response = await scim.patch(`/Users/${user.id}`, body);
      expectScimError(response, status, scimType);
      await expectUnchanged(scim, user.id, user);
      return response.body;
    };

    it.each([
      ['an unknown attribute', 'shoeSize'],
      ['an unknown sub-attribute', 'name.nickname2'],
      ['an unknown extension attribute', `${ENTERPRISE}:shoeSize`],
      ['an unknown attribute inside a filter', 'emails[kind eq "work"].value'],
      ['an unknown sub-attribute after a filter', 'emails[type eq "work"].colour'],
    ])('400 invalidPath for %s', async (_name, path) => {
      await rejects(patchOps({ op: 'replace', path, value: 'x' }), 400, 'invalidPath');
    });

    it.each([
      ['an unclosed filter', 'emails[type eq "work"'],
      ['a filter without an operator', 'emails[type "work"]'],
      ['double dots', 'name..givenName'],
      ['a trailing dot', 'name.'],
      ['a space inside', 'name givenName'],
      ['a bracket only', '['],
      ['a leading digit', '1title'],
    ])('400 invalidPath for a malformed path: %s', async (_name, path) => {
      await rejects(patchOps({ op: 'replace', path, value: 'x' }), 400, 'invalidPath');
    });

    it('400 noTarget for remove without a path', async () => {
      await rejects(patchOps({ op: 'remove' }), 400, 'noTarget');
      await rejects(patchOps({ op: 'remove', value: { title: 'Engineer' } }), 400, 'noTarget');
    });

    it.each(['id', 'meta.created', 'meta', 'meta.version', 'groups'])('400 mutability for the read-only path %s', async (path) => {
      await rejects(patchOps({ op: 'replace', path, value: 'x' }), 400, 'mutability');
    });

    it('400 mutability when removing id', async () => {
      await rejects(patchOps({ op: 'remove', path: 'id' }), 400, 'mutability');
    });

    it.each([
      [
        'a schemas list without PatchOp',
        { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
      ],
      ['schemas that is a string', { schemas: PATCH_SCHEMA, Operations: [{ op: 'replace', path: 'title', value: 'x' }] }],
      ['no Operations', { schemas: [PATCH_SCHEMA] }],
      ['empty Operations', { schemas: [PATCH_SCHEMA], Operations: [] }],
      ['Operations that is an object', { schemas: [PATCH_SCHEMA], Operations: { op: 'replace', path: 'title', value: 'x' } }],
      ['an unknown op', patchOps({ op: 'move', path: 'title', value: 'x' })],
      ['a missing op', patchOps({ path: 'title', value: 'x' })],
      ['a numeric op', patchOps({ op: 1, path: 'title', value: 'x' })],
      ['replace without a value', patchOps({ op: 'replace', path: 'title' })],
      ['add without a value', patchOps({ op: 'add', path: 'title' })],
      ['a non-string path', patchOps({ op: 'replace', path: ['title'], value: 'x' })],
      ['an operation that is a string', patchOps('replace title')],
      ['a body that is an array', [{ op: 'replace', path: 'title', value: 'x' }]],
    ])('400 invalidSyntax for %s', async (_name, body) => {
      await rejects(body, 400, 'invalidSyntax');
    });

    it('400 invalidValue for values of the wrong type', async () => {
      await rejects(patchOps({ op: 'replace', path: 'active', value: 5 }), 400, 'invalidValue');
      await rejects(patchOps({ op: 'replace', path: 'active', value: 'maybe' }), 400, 'invalidValue');
      await rejects(patchOps({ op: 'replace', path: 'name', value: 'x y' }), 400, 'invalidValue');
      await rejects(patchOps({ op: 'replace', path: 'title', value: { a: 1 } }), 400, 'invalidValue');
      await rejects(patchOps({ op: 'replace', value: 'not an object' }), 400, 'invalidValue');
    });

    it('400 mutability when removing the required userName (RFC 7644 §3.5.2.2; issue 13, defect 11)', async () => {
      await rejects(patchOps({ op: 'remove', path: 'userName' }), 400, 'mutability');
    });

    it('a valid first operation and an invalid second one change nothing (all or nothing)', async () => {
      const body = await rejects(
        patchOps({ op: 'replace', path: 'title', value: 'Applied?' }, { op: 'replace', path: 'shoeSize', value: 44 }),
        400,
        'invalidPath',
      );
      expect(body.detail).toContain('Operations[1]');
      await rejects(
        patchOps(
          { op: 'replace', path: 'title', value: 'Applied?' },
          { op: 'add', path: 'nickName', value: 'N' },
          { op: 'remove', path: 'id' },
        ),
        400,
        'mutability',
      );
      await rejects(
        patchOps({ op: 'replace', path: 'title', value: 'Applied?' }, { op: 'replace', path: 'active', value: 'perhaps' }),
        400,
        'invalidValue',
      );
    });

    it('409 uniqueness when renaming to a taken userName, nothing changed', async () => {
      const other = await fresh();
      const user = await fresh();
      const response = await scim.patch(
        `/Users/${user.id}`,
        patchOps({ op: 'replace', path: 'title', value: 'X' }, { op: 'replace', path: 'userName', value: other.userName.toUpperCase() }),
      );
      expectScimError(response, 409, 'uniqueness');
      await expectUnchanged(scim, user.id, user);
      await expectUnchanged(scim, other.id, other);
    });

    it('400 when the last email goes and userName is not an email', async () => {
      const user = await create(scim, newUser('plainuser', { emails: [{ value: 'plainuser@example.com', type: 'work' }] }));
      const response = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'remove', path: 'emails' }));
      expectScimError(response, 400, 'invalidValue');
      await expectUnchanged(scim, user.id, user);
    });

    it('400 invalidSyntax for malformed JSON', async () => {
      const user = await fresh();
      const response = await scim.patch(`/Users/${user.id}`, '{"Operations": [');
      expectScimError(response, 400, 'invalidSyntax');
      await expectUnchanged(scim, user.id, user);
    });

    it('404 for an unknown or non-UUID id', async () => {
      const body = patchOps({ op: 'replace', path: 'title', value: 'x' });
      expectScimError(await scim.patch('/Users/0196b9f0-0000-7000-8000-000000000000', body), 404, null);
      expectScimError(await scim.patch('/Users/010101001010101011001010101011', body), 404, null);
    });

    it('a failed PATCH does not show up in filters', async () => {
      const user = await fresh();
      await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'Ghost' }, { op: 'remove' }));
      expect((await scim.get(q('title eq "Ghost"'))).body.totalResults).toBe(0);
    });
  });
});
