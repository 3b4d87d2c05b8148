import { beforeAll, describe, expect, it } from 'vitest';
import { rotateToken } from '../../src/directory/integrations/scim-integration.js';
import { newUser, patchOps, type ScimClient, scimClient, USER_SCHEMA } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import { create, ERROR_SCHEMA, expectScimError, expectUnchanged, type Json, q } from './helpers.js';

/** Error responses (RFC 7644 §3.12) and the failures every endpoint shares. */
describe('SCIM errors', () => {
  const server = serverForSuite();
  let token: string;
  let scim: ScimClient;
  let user: Json;

  beforeAll(async () => {
    token = await server.workspace('errors');
    scim = scimClient(server, token);
    user = await create(scim, newUser('err@example.com', { title: 'Steady' }));
  });

  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${server.scimUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
    });
  const asScim = async (response: Response) => {
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  describe('the error body', () => {
    it('has the Error schema, status as a string, and the trace id in detail and X-Trace-Id', async () => {
      const response = await scim.get('/Users/0196b9f0-0000-7000-8000-000000000000');
      expectScimError(response, 404, null);
      expect(Object.keys(response.body).sort()).toEqual(['detail', 'schemas', 'status']);
      expect(response.headers.get('x-trace-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('gives every response its own trace id', async () => {
      const a = await scim.get('/Users/unknown-1');
      const b = await scim.get('/Users/unknown-1');
      expect(a.headers.get('x-trace-id')).not.toBe(b.headers.get('x-trace-id'));
      expect(a.body.detail).not.toBe(b.body.detail);
    });

    it('sends X-Trace-Id on successful responses too', async () => {
      const response = await scim.get(`/Users/${user.id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-trace-id')).toBeTruthy();
    });

    it('ignores a client-sent request id for the trace id', async () => {
      const response = await scim.get('/Users/unknown-2', { 'request-id': 'client-id', 'x-request-id': 'client-id' });
      expectScimError(response, 404, null);
      expect(response.headers.get('x-trace-id')).not.toBe('client-id');
    });
  });

  describe('401 Unauthorized', () => {
    it('without a token', async () => {
      const anonymous = scimClient(server, undefined);
      for (const response of [
        await anonymous.get('/Users'),
        await anonymous.get(`/Users/${user.id}`),
        await anonymous.post('/Users', newUser('anon@example.com')),
        await anonymous.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'x' })),
        await anonymous.put(`/Users/${user.id}`, newUser('err@example.com')),
        await anonymous.delete(`/Users/${user.id}`),
        await anonymous.post('/Users/.search', {}),
      ]) {
        expectScimError(response, 401, null);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      await expectUnchanged(scim, user.id, user);
    });

    it('with a wrong token or a malformed Authorization header', async () => {
      expectScimError(await scimClient(server, 'roster_scim_wrong').get('/Users'), 401, null);
      expectScimError(await scimClient(server, `${token}x`).get('/Users'), 401, null);
      expectScimError(await scim.get('/Users', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), 401, null);
      expectScimError(await scim.get('/Users', { authorization: token }), 401, null);
      expectScimError(await scim.get('/Users', { authorization: 'Bearer' }), 401, null);
      expectScimError(await scim.get('/Users', { authorization: `Bearer ${token} extra` }), 401, null);
    });

    it('accepts the Bearer scheme in any case', async () => {
      expect((await scim.get('/Users', { authorization: `bearer ${token}` })).status).toBe(200);
      expect((await scim.get('/Users', { authorization: `BEARER ${token}` })).status).toBe(200);
    });

    it('with a revoked token, at once; the new token works', async () => {
      const oldToken = await server.workspace('revoked');
      const old = scimClient(server, oldToken);
      expect((await old.get('/Users')).status).toBe(200);
      const { token: newToken } = await rotateToken(server.store, 'revoked');
      expectScimError(await old.get('/Users'), 401, null);
      expectScimError(await old.post('/Users', newUser('late@example.com')), 401, null);
      const fresh = scimClient(server, newToken);
      expect((await fresh.get('/Users')).status).toBe(200);
      expect((await fresh.get(q('userName eq "late@example.com"'))).body.totalResults).toBe(0);
    });
  });

  describe('404 for unknown routes under /scim/v2', () => {
    it.each([
      ['GET', '/Nope'],
      ['GET', '/Users/x/y'],
      ['GET', '/users'],
      ['GET', '/Bulk'],
    ])('%s %s', async (method, path) => {
      const response = await asScim(await raw(path, { method }));
      expectScimError(response, 404, null);
    });
  });

  describe('405 for methods a known endpoint does not offer', () => {
    it.each([
      ['POST', '/Users/x', 'GET, PUT, PATCH, DELETE'],
      ['PUT', '/Users', 'GET, POST'],
      ['DELETE', '/Groups', 'GET, POST'],
      ['GET', '/Users/.search', 'POST'],
      ['POST', '/Schemas', 'GET'],
    ])('%s %s', async (method, path, allow) => {
      const response = await asScim(await raw(path, { method }));
      expectScimError(response, 405, null);
      expect(response.headers.get('allow')).toBe(allow);
    });
  });

  describe('400 for malformed bodies', () => {
    it('malformed JSON is invalidSyntax', async () => {
      expectScimError(await scim.post('/Users', '{"userName": "x@example.com",'), 400, 'invalidSyntax');
      expectScimError(await scim.post('/Users', '{userName: 1}'), 400, 'invalidSyntax');
      expectScimError(await scim.patch(`/Users/${user.id}`, 'not json at all'), 400, 'invalidSyntax');
      expectScimError(await scim.post('/Users/.search', '{"filter": '), 400, 'invalidSyntax');
      await expectUnchanged(scim, user.id, user);
    });

    it('an empty body is invalidSyntax', async () => {
      expectScimError(await scim.call('POST', '/Users', '', { 'content-type': 'application/scim+json' }), 400, 'invalidSyntax');
      expectScimError(await scim.call('PATCH', `/Users/${user.id}`, '', { 'content-type': 'application/scim+json' }), 400, 'invalidSyntax');
      await expectUnchanged(scim, user.id, user);
    });

    it('JSON nested deeper than 32 levels is 400', async () => {
      let deep: unknown = 'bottom';
      for (let i = 0; i < 40; i++) deep = { nested: deep };
      const response = await scim.post('/Users', { ...newUser('deep@example.com'), junk: deep });
      expectScimError(response, 400, 'invalidSyntax');
      let deepArray: unknown = 1;
      for (let i = 0; i < 33; i++) deepArray = [deepArray];
      expectScimError(await scim.patch(`/Users/${user.id}`, patchOps({ op: 'add', path: 'title', value: deepArray })), 400);
      expect((await scim.get(q('userName eq "deep@example.com"'))).body.totalResults).toBe(0);
      await expectUnchanged(scim, user.id, user);
    });

    it('JSON nested 32 levels is accepted', async () => {
      // body (1) → junk (2) → 30 more objects = 32 levels.
      let deep: unknown = 'bottom';
      for (let i = 0; i < 30; i++) deep = { nested: deep };
      const response = await scim.post('/Users', { ...newUser('deep-ok@example.com'), junk: deep });
      expect(response.status).toBe(201);
    });

    it('a body over 1 MiB is 413', async () => {
      const big = { ...newUser('big@example.com'), padding: 'x'.repeat(1024 * 1024 + 10) };
      const response = await scim.post('/Users', big);
      expectScimError(response, 413, null);
      const patch = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'y'.repeat(1024 * 1024) }));
      expectScimError(patch, 413, null);
      expect((await scim.get(q('userName eq "big@example.com"'))).body.totalResults).toBe(0);
      await expectUnchanged(scim, user.id, user);
    });

    it('a body just under 1 MiB is not 413', async () => {
      const response = await scim.post('/Users', { ...newUser('nearly-big@example.com'), padding: 'x'.repeat(1000 * 1000) });
      expect(response.status).toBe(201);
      expect(response.body.padding).toBeUndefined();
    });
  });

  describe('415 for other media types', () => {
    it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      '%s',
      async (type) => {
        const response = await scim.call('POST', '/Users', JSON.stringify(newUser('plain@example.com')), { 'content-type': type });
        expectScimError(response, 415, null);
        const patch = await scim.call(
          'PATCH',
          `/Users/${user.id}`,
          JSON.stringify(patchOps({ op: 'replace', path: 'title', value: 'x' })),
          {
            'content-type': type,
          },
        );
        expectScimError(patch, 415, null);
        expect((await scim.get(q('userName eq "plain@example.com"'))).body.totalResults).toBe(0);
        await expectUnchanged(scim, user.id, user);
      },
    );
  });

  describe('400 invalidFilter', () => {
    it.each([
      'userName eq',
      'userName eq "x" and',
      '(userName eq "x"',
      'userName eq "x")',
      'userName xx "a"',
      'emails[type eq "work"',
      'emails[type eq "work"]]',
      'userName eq "unterminated',
      'not userName eq "x"',
      'userName eq "x" or or userName eq "y"',
      'and',
      '"just a string"',
      'userName+eq+"x"',
      'emails[type eq "work" and emails[value pr]]',
      'userName eq "a\\qb"',
      'meta.lastModified gt "yesterday"',
      'meta.lastModified co "2024"',
      'active gt true',
      'active eq "maybe"',
      'userName gt null',
      'name eq "x"',
    ])('bad syntax or types: %s', async (filter) => {
      expectScimError(await scim.get(q(filter)), 400, 'invalidFilter');
    });

    it.each([
      'shoeSize eq "x"',
      'name.nickname eq "x"',
      'emails[kind eq "work"]',
      `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize eq "x"`,
      'urn:example:unknown:1.0:User:userName eq "x"',
      'title.sub eq "x"',
    ])('unknown attribute: %s', async (filter) => {
      const response = await scim.get(q(filter));
      expectScimError(response, 400, 'invalidFilter');
    });

    it('a filter over the length limit', async () => {
      const long = Array.from({ length: 400 }, (_, i) => `userName eq "u${i}@example.com"`).join(' or ');
      expect(long.length).toBeGreaterThan(4096);
      expectScimError(await scim.post('/Users/.search', { filter: long }), 400, 'invalidFilter');
    });

    it('a filter nested deeper than the limit', async () => {
      const deep = `${'('.repeat(40)}userName eq "x"${')'.repeat(40)}`;
      expectScimError(await scim.get(q(deep)), 400, 'invalidFilter');
    });
  });

  describe('400 for bad query parameters', () => {
    it.each([
      'startIndex=abc',
      'count=abc',
      'startIndex=',
      'count=1e3',
      'sortOrder=up',
      'sortBy=nope',
      'attributes=nope',
      'startIndex=1&startIndex=2',
    ])('%s', async (query) => {
      const response = await scim.get(`/Users?${query}`);
      if (query === 'startIndex=') {
        // An empty value is the default.
        expect(response.status).toBe(200);
        return;
      }
      expectScimError(response, 400);
    });
  });

  describe('never a 500', () => {
    it.each([
      ['a huge startIndex', '/Users?startIndex=999999999999999'],
      ['a huge count', '/Users?count=999999999999999'],
      ['a numeric comparison on a string', `/Users?filter=${encodeURIComponent('userName gt 5')}`],
      ['a null comparison', `/Users?filter=${encodeURIComponent('title eq null')}`],
      ['a control character', `/Users?filter=${encodeURIComponent('userName eq "a\u0001"')}`],
      ['unicode', `/Users?filter=${encodeURIComponent('userName eq "ü😀"')}`],
      ['a percent sign', `/Users?filter=${encodeURIComponent('userName co "%_\\\\"')}`],
      ['a bad percent-encoding', '/Users?filter=userName%20eq%20%ZZ'],
      ['an id with unicode', `/Users/${encodeURIComponent('😀')}`],
    ])('%s', async (_name, path) => {
      const response = await scim.get(path);
      expect(response.status).toBeLessThan(500);
      if (response.status >= 400) expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
    });

    it('an id longer than 100 characters is an unknown id: 404 with a SCIM error body', async () => {
      for (const length of [101, 1000, 5000]) {
        const response = await scim.get(`/Users/${'a'.repeat(length)}`);
        expectScimError(response, 404, null);
        const patch = await scim.patch(`/Users/${'b'.repeat(length)}`, patchOps({ op: 'remove', path: 'title' }));
        expectScimError(patch, 404, null);
      }
    });

    it('a NUL character (U+0000) in a filter value, a POST or a PATCH is never a 500', async () => {
      for (const filter of ['userName eq "a\\u0000b"', 'title co "\\u0000"', 'emails[value sw "\\u0000"]']) {
        const response = await scim.get(q(filter));
        expect([200, 400], `${filter}: ${JSON.stringify(response.body)}`).toContain(response.status);
        if (response.status === 200) expect(response.body.totalResults, filter).toBe(0);
        else expect(response.body.scimType).toBe('invalidFilter');
      }
      expectScimError(await scim.get('/Users/a%00b'), 404, null);
      const created = await scim.post('/Users', newUser('nul@example.com', { title: 'a\u0000b' }));
      expect([201, 400], JSON.stringify(created.body)).toContain(created.status);
      const patched = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'nickName', value: 'x\u0000y' }));
      expect([200, 400], JSON.stringify(patched.body)).toContain(patched.status);
      if (patched.status === 400) await expectUnchanged(scim, user.id, user);
      else user = patched.body;
    });

    it('a SearchRequest with wrong types', async () => {
      for (const body of [{ filter: 5 }, { startIndex: 'x' }, { count: {} }, { attributes: [1, 2] }, { sortBy: ['a'] }, { schemas: 'x' }]) {
        const response = await scim.post('/Users/.search', body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
      }
    });

    it('a POST with odd but valid JSON', async () => {
      for (const body of [
        { schemas: [USER_SCHEMA], userName: 'odd1@example.com', emails: 'odd1@example.com' },
        { schemas: [USER_SCHEMA], userName: 'odd2@example.com', emails: [null, 'x'] },
        { schemas: [USER_SCHEMA], userName: 'odd3@example.com', name: [] },
        { schemas: [USER_SCHEMA], userName: 'odd4@example.com', name: { givenName: ['a', 'b'] } },
        { schemas: 'urn:x', userName: 'odd5@example.com' },
        { schemas: [USER_SCHEMA], userName: 'odd6@example.com', __proto__: { title: 'polluted' } },
        { schemas: [USER_SCHEMA], userName: 12345 },
        { schemas: [USER_SCHEMA], userName: true },
      ]) {
        const response = await scim.post('/Users', body);
        expect(response.status, JSON.stringify(body)).toBeLessThan(500);
        expect(response.status === 201 || response.status === 400, `${response.status} ${JSON.stringify(response.body)}`).toBe(true);
      }
    });
  });
});
