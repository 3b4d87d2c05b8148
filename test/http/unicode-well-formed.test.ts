import { describe, expect, it } from 'vitest';
import { newUser, patchOps } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, expectScimError, expectUnchanged, type Json, q, read, SEARCH_SCHEMA } from './helpers.js';

const HIGH = '\ud800';
const LOW = '\udc00';
/** 😀 U+1F600, a well-formed surrogate pair. */
const ASTRAL = '\ud83d\ude00';

/**
 * Issue 13, defect 5: `displayName: "a\ud800b"` was acknowledged with 201 echoing it, and read
 * back as `a` + U+FFFD×3 + `b` on SQLite and `a` + U+FFFD + `b` on PostgreSQL. Strings that are
 * not well-formed Unicode are refused (400) wherever they enter: any string or member name of a
 * JSON body, filters, PATCH paths. Well-formed astral characters round-trip exactly.
 */
describe('defect 5 (issue 13): lone surrogates are refused, on both engines alike', () => {
  const { scim } = workspaceForSuite('unicode');
  let counter = 0;

  const userName = () => `unicode${++counter}@example.com`;
  const absent = async (name: string) => expect((await scim.get(q(`userName eq "${name}"`))).body.totalResults).toBe(0);

  describe.each([
    ['a lone high surrogate', HIGH],
    ['a lone low surrogate', LOW],
  ])('%s', (_name, lone) => {
    it('POST: in a string value, a nested value or a member name is 400 invalidValue, and nothing is created', async () => {
      for (const extra of [
        { displayName: `a${lone}b` },
        { name: { givenName: `${lone}` } },
        { emails: [{ value: 'x@example.com', type: `work${lone}` }] },
        { [`nick${lone}Name`]: 'x' },
      ]) {
        const name = userName();
        const response = await scim.post('/Users', newUser(name, extra));
        expectScimError(response, 400, 'invalidValue');
        expect(response.body.detail).toContain('not well-formed Unicode');
        await absent(name);
      }
    });

    it('PUT: 400 invalidValue and nothing changes', async () => {
      const user = await create(scim, newUser(userName()));
      const before = await read(scim, user.id);
      const response = await scim.put(`/Users/${user.id}`, newUser(user.userName, { title: `x${lone}` }));
      expectScimError(response, 400, 'invalidValue');
      expect(response.body.detail).toContain('title');
      await expectUnchanged(scim, user.id, before);
    });

    it('PATCH: in a value, a path-less key or a path is 400 and nothing changes', async () => {
      const user = await create(scim, newUser(userName()));
      const before = await read(scim, user.id);
      for (const operation of [
        { op: 'replace', path: 'displayName', value: `a${lone}b` },
        { op: 'replace', value: { [`title${lone}`]: 'x' } },
        { op: 'remove', path: `title${lone}` },
      ]) {
        const response = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'first' }, operation));
        expectScimError(response, 400, 'invalidValue');
      }
      // Escaped inside a PATCH value filter: the path parser decodes the escape and refuses it.
      const escaped = await scim.patch(
        `/Users/${user.id}`,
        patchOps({ op: 'remove', path: `emails[value eq "\\u${lone.charCodeAt(0).toString(16)}"]` }),
      );
      expectScimError(escaped, 400, 'invalidPath');
      expect(escaped.body.detail).toContain('not well-formed Unicode');
      await expectUnchanged(scim, user.id, before);
    });

    it('filter: an escaped lone surrogate in GET and POST /.search is 400 invalidFilter; a raw one in a /.search body is 400', async () => {
      const escaped = `\\u${lone.charCodeAt(0).toString(16)}`;
      const get = await scim.get(q(`displayName eq "a${escaped}b"`));
      expectScimError(get, 400, 'invalidFilter');
      expect(get.body.detail).toContain('not well-formed Unicode');
      const search = await scim.post('/Users/.search', { schemas: [SEARCH_SCHEMA], filter: `displayName eq "a${escaped}b"` });
      expectScimError(search, 400, 'invalidFilter');
      const raw = await scim.post('/Users/.search', { schemas: [SEARCH_SCHEMA], filter: `displayName eq "a${lone}b"` });
      expectScimError(raw, 400, 'invalidValue');
      const groups = await scim.get(`/Groups?filter=${encodeURIComponent(`displayName eq "${escaped}"`)}`);
      expectScimError(groups, 400, 'invalidFilter');
    });

    it('Groups: a lone surrogate in a PATCH member value is 400', async () => {
      const group = ((await scim.get('/Groups')).body.Resources as Json[])[0] as Json;
      const response = await scim.patch(`/Groups/${group.id}`, patchOps({ op: 'add', path: 'members', value: [{ value: `u${lone}` }] }));
      expectScimError(response, 400, 'invalidValue');
    });
  });

  it('a well-formed astral character round-trips exactly through POST, PUT, PATCH and filters', async () => {
    const name = userName();
    const created = await create(scim, newUser(name, { displayName: `a${ASTRAL}b`, nickName: ASTRAL }));
    expect(created.displayName).toBe(`a${ASTRAL}b`);
    const stored = await read(scim, created.id);
    expect(stored.displayName).toBe(`a${ASTRAL}b`);
    expect(stored.nickName).toBe(ASTRAL);

    const put = await scim.put(`/Users/${created.id}`, newUser(name, { title: `${ASTRAL}${ASTRAL}` }));
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await read(scim, created.id)).title).toBe(`${ASTRAL}${ASTRAL}`);

    const patched = await scim.patch(`/Users/${created.id}`, patchOps({ op: 'replace', path: 'displayName', value: `${ASTRAL}!` }));
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await read(scim, created.id)).displayName).toBe(`${ASTRAL}!`);

    for (const filter of [`nickName eq "${ASTRAL}"`, 'nickName eq "\\ud83d\\ude00"']) {
      const found = await scim.get(q(filter));
      expect(found.status, JSON.stringify(found.body)).toBe(200);
      expect((found.body.Resources as Json[]).map((r) => r.id)).toEqual([created.id]);
    }
  });
});
