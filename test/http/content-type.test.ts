import { describe, expect, it } from 'vitest';
import { newUser, patchOps, scimClient } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, ids, q, read, SEARCH_SCHEMA } from './helpers.js';

const SCIM_JSON = /^application\/scim\+json(;\s*charset=utf-8)?$/i;

/** Media types (RFC 7644 §3.1, §8.1): both JSON types accepted, SCIM JSON returned. */
describe('content types', () => {
  const { server, scim } = workspaceForSuite('media');

  const TYPES = [
    'application/scim+json',
    'application/scim+json; charset=utf-8',
    'application/scim+json;charset=UTF-8',
    'application/json',
    'application/json; charset=UTF-8',
    'application/json;charset=utf-8',
    'APPLICATION/JSON',
  ];

  it.each(TYPES.map((type, index) => [type, index] as const))('POST, PUT, PATCH and .search accept %s', async (type, index) => {
    const userName = `media${index}@example.com`;
    const created = await scim.call('POST', '/Users', JSON.stringify(newUser(userName)), { 'content-type': type });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('content-type')).toMatch(SCIM_JSON);
    const id = created.body.id;

    const patched = await scim.call('PATCH', `/Users/${id}`, JSON.stringify(patchOps({ op: 'replace', path: 'title', value: 'Patched' })), {
      'content-type': type,
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.title).toBe('Patched');
    expect(patched.headers.get('content-type')).toMatch(SCIM_JSON);

    const replaced = await scim.call('PUT', `/Users/${id}`, JSON.stringify({ ...newUser(userName), nickName: 'Put' }), {
      'content-type': type,
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.nickName).toBe('Put');

    const searched = await scim.call(
      'POST',
      '/Users/.search',
      JSON.stringify({ schemas: [SEARCH_SCHEMA], filter: `userName eq "${userName}"` }),
      { 'content-type': type },
    );
    expect(searched.status, JSON.stringify(searched.body)).toBe(200);
    expect(ids(searched)).toEqual([id]);
    expect(searched.headers.get('content-type')).toMatch(SCIM_JSON);

    expect((await read(scim, id)).title).toBe('Patched');
  });

  it('answers application/scim+json on every kind of response', async () => {
    const user = await create(scim, newUser('types@example.com'));
    const responses = [
      await scim.get(`/Users/${user.id}`),
      await scim.get('/Users'),
      await scim.get(q('userName eq "nobody"')),
      await scim.get('/Users/unknown'),
      await scim.get(q('bad filter (')),
      await scimClient(server, undefined).get('/Users'),
      await scim.get('/ServiceProviderConfig'),
      await scim.get('/ResourceTypes'),
      await scim.get('/Schemas'),
      await scim.get('/NoSuchEndpoint'),
      await scim.post('/Users', '{bad json'),
    ];
    for (const response of responses) {
      expect(response.headers.get('content-type'), `status ${response.status}`).toMatch(SCIM_JSON);
    }
  });

  it('answers application/scim+json also when the client asks for application/json', async () => {
    const response = await scim.get('/Users', { accept: 'application/json' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(SCIM_JSON);
  });

  it('a DELETE (no body, no content type) answers 204', async () => {
    const user = await create(scim, newUser('nobody-body@example.com'));
    const response = await scim.delete(`/Users/${user.id}`);
    expect(response.status).toBe(204);
  });

  it('parses UTF-8 bodies', async () => {
    const user = await create(scim, newUser('umlaut@example.com', { name: { givenName: 'Jürgen', familyName: 'Groß' }, nickName: '😀' }));
    const fetched = await read(scim, user.id);
    expect(fetched.name).toMatchObject({ givenName: 'Jürgen', familyName: 'Groß' });
    expect(fetched.nickName).toBe('😀');
    const found = await scim.get(q('name.familyName eq "GROß"'));
    expect(ids(found)).toEqual([user.id]);
  });
});
