import { beforeAll, describe, expect, it } from 'vitest';
import { newUser, type ScimClient } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, expectScimError, ids, type Json, LIST_SCHEMA, q, SEARCH_SCHEMA, userNames } from './helpers.js';

/** Seven users whose userName, family name and email orders all differ. */
const PEOPLE = [
  { userName: 'g.user@example.com', familyName: 'Adams', email: 'zeta@example.com' },
  { userName: 'a.user@example.com', familyName: 'Young', email: 'mike@example.com' },
  { userName: 'D.User@example.com', familyName: 'brown', email: 'Alpha@example.com' },
  { userName: 'c.user@example.com', familyName: 'Miller', email: 'kilo@example.com' },
  { userName: 'f.user@example.com', familyName: 'Evans', email: 'bravo@example.com' },
  { userName: 'B.user@example.com', familyName: 'clark', email: 'yankee@example.com' },
  { userName: 'e.user@example.com', familyName: 'Turner', email: 'echo@example.com' },
] as const;

const byLower = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);

async function seed(scim: ScimClient): Promise<Json[]> {
  const created: Json[] = [];
  for (const person of PEOPLE) {
    created.push(
      await create(
        scim,
        newUser(person.userName, {
          name: { givenName: 'P', familyName: person.familyName },
          emails: [{ value: person.email, type: 'work', primary: true }],
        }),
      ),
    );
  }
  return created;
}

function expectListShape(body: Json, total: number, startIndex: number, items: number): void {
  expect(body.schemas).toEqual([LIST_SCHEMA]);
  expect(body.totalResults).toBe(total);
  expect(body.startIndex).toBe(startIndex);
  expect(body.itemsPerPage).toBe(items);
  for (const key of ['totalResults', 'startIndex', 'itemsPerPage']) expect(Number.isInteger(body[key])).toBe(true);
  expect(body.Resources ?? []).toHaveLength(items);
}

describe('GET /Users paging and sorting', () => {
  const { scim } = workspaceForSuite('paging');
  let created: Json[];

  beforeAll(async () => {
    created = await seed(scim);
  });

  describe('paging', () => {
    it('lists everyone without paging parameters, with integer paging fields', async () => {
      const response = await scim.get('/Users');
      expect(response.status).toBe(200);
      expectListShape(response.body, 7, 1, 7);
      expect(ids(response).sort()).toEqual(created.map((u) => u.id).sort());
    });

    it('walks pages with startIndex and count in a stable order, each user exactly once', async () => {
      const all = ids(await scim.get('/Users'));
      const seen: string[] = [];
      for (const startIndex of [1, 4, 7]) {
        const page = await scim.get(`/Users?startIndex=${startIndex}&count=3`);
        expect(page.status).toBe(200);
        expectListShape(page.body, 7, startIndex, startIndex === 7 ? 1 : 3);
        seen.push(...ids(page));
      }
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(7);
      // The same page twice is the same page.
      expect(ids(await scim.get('/Users?startIndex=4&count=3'))).toEqual(all.slice(3, 6));
    });

    it('keeps the default order stable across pages while users change', async () => {
      const before = ids(await scim.get('/Users'));
      const first = await scim.get('/Users?startIndex=1&count=4');
      // A write to a user on the first page must not move it to a later page.
      const patched = await scim.patch(`/Users/${ids(first)[0]}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'nickName', value: 'moved?' }],
      });
      expect(patched.status).toBe(200);
      const second = await scim.get('/Users?startIndex=5&count=4');
      expect([...ids(first), ...ids(second)]).toEqual(before);
    });

    it('paging applies after the filter', async () => {
      const response = await scim.get(q('userName ew "user@example.com"', '&startIndex=2&count=2'));
      expect(response.status).toBe(200);
      expectListShape(response.body, 7, 2, 2);
      const filtered = await scim.get(q('userName sw "a" or userName sw "b" or userName sw "c"', '&count=2'));
      expectListShape(filtered.body, 3, 1, 2);
    });

    it('count=0 returns only totalResults', async () => {
      const response = await scim.get('/Users?count=0');
      expect(response.status).toBe(200);
      expectListShape(response.body, 7, 1, 0);
      const filtered = await scim.get(q('userName sw "a"', '&count=0'));
      expectListShape(filtered.body, 1, 1, 0);
    });

    it('treats a startIndex below 1 as 1', async () => {
      const first = ids(await scim.get('/Users?startIndex=1&count=2'));
      for (const startIndex of ['0', '-5']) {
        const response = await scim.get(`/Users?startIndex=${startIndex}&count=2`);
        expect(response.status).toBe(200);
        expectListShape(response.body, 7, 1, 2);
        expect(ids(response)).toEqual(first);
      }
    });

    it('treats a negative count as 0', async () => {
      const response = await scim.get('/Users?count=-3');
      expect(response.status).toBe(200);
      expectListShape(response.body, 7, 1, 0);
    });

    it('a startIndex past the end gives an empty page with the total', async () => {
      const response = await scim.get('/Users?startIndex=8&count=5');
      expect(response.status).toBe(200);
      expectListShape(response.body, 7, 8, 0);
      expect(response.body.Resources).toEqual([]);
    });

    it('serves a count above maxResults (default 1000) as maxResults instead of failing', async () => {
      const response = await scim.get('/Users?count=5000');
      expect(response.status).toBe(200);
      expectListShape(response.body, 7, 1, 7);
      const config = await scim.get('/ServiceProviderConfig');
      expect(config.body.filter.maxResults).toBe(1000);
    });

    it('rejects a startIndex or count that is not an integer with 400', async () => {
      for (const query of ['startIndex=abc', 'count=abc', 'startIndex=1.5', 'count=2x']) {
        expectScimError(await scim.get(`/Users?${query}`), 400);
      }
    });
  });

  describe('sortBy and sortOrder', () => {
    it('sorts by userName ascending (case-insensitively) and descending', async () => {
      const expected = PEOPLE.map((p) => p.userName).sort(byLower);
      const ascending = await scim.get('/Users?sortBy=userName');
      expect(ascending.status).toBe(200);
      expect(userNames(ascending)).toEqual(expected);
      const explicit = await scim.get('/Users?sortBy=userName&sortOrder=ascending');
      expect(userNames(explicit)).toEqual(expected);
      const descending = await scim.get('/Users?sortBy=userName&sortOrder=descending');
      expect(userNames(descending)).toEqual([...expected].reverse());
    });

    it('sorts by name.familyName', async () => {
      const expected = [...PEOPLE].sort((a, b) => byLower(a.familyName, b.familyName)).map((p) => p.userName);
      const ascending = await scim.get('/Users?sortBy=name.familyName');
      expect(ascending.status).toBe(200);
      expect(userNames(ascending)).toEqual(expected);
      const descending = await scim.get('/Users?sortBy=name.familyName&sortOrder=descending');
      expect(userNames(descending)).toEqual([...expected].reverse());
    });

    it('sorts by emails.value (the primary email)', async () => {
      const expected = [...PEOPLE].sort((a, b) => byLower(a.email, b.email)).map((p) => p.userName);
      const ascending = await scim.get('/Users?sortBy=emails.value');
      expect(ascending.status).toBe(200);
      expect(userNames(ascending)).toEqual(expected);
      const descending = await scim.get('/Users?sortBy=emails.value&sortOrder=DESCENDING');
      expect(userNames(descending)).toEqual([...expected].reverse());
    });

    it('matches sortBy attribute names case-insensitively', async () => {
      const expected = PEOPLE.map((p) => p.userName).sort(byLower);
      expect(userNames(await scim.get('/Users?sortBy=USERNAME'))).toEqual(expected);
    });

    it('pages through a sorted list without gaps or repeats', async () => {
      const expected = [...PEOPLE].sort((a, b) => byLower(a.familyName, b.familyName)).map((p) => p.userName);
      const pages: string[] = [];
      for (const startIndex of [1, 3, 5, 7]) {
        pages.push(...userNames(await scim.get(`/Users?sortBy=name.familyName&startIndex=${startIndex}&count=2`)));
      }
      expect(pages).toEqual(expected);
    });

    it('rejects an unknown sortBy attribute or sortOrder with 400', async () => {
      expectScimError(await scim.get('/Users?sortBy=shoeSize'), 400);
      expectScimError(await scim.get('/Users?sortBy=userName&sortOrder=sideways'), 400);
    });
  });

  describe('POST /Users/.search', () => {
    it('accepts a SearchRequest body with filter, paging, sorting and attributes', async () => {
      const response = await scim.post('/Users/.search', {
        schemas: [SEARCH_SCHEMA],
        filter: 'userName ew "user@example.com"',
        sortBy: 'userName',
        sortOrder: 'descending',
        startIndex: 2,
        count: 3,
        attributes: ['userName'],
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expectListShape(response.body, 7, 2, 3);
      const expected = PEOPLE.map((p) => p.userName)
        .sort(byLower)
        .reverse()
        .slice(1, 4);
      expect(userNames(response)).toEqual(expected);
      for (const resource of response.body.Resources) expect(Object.keys(resource).sort()).toEqual(['id', 'schemas', 'userName']);
    });

    it('returns the same as the equivalent GET', async () => {
      const body = { schemas: [SEARCH_SCHEMA], filter: 'name.familyName sw "m" or name.familyName sw "t"' };
      const post = await scim.post('/Users/.search', body);
      const get = await scim.get(q(body.filter));
      expect(post.status).toBe(200);
      expect(post.body).toStrictEqual(get.body);
      expect(post.body.totalResults).toBe(2);
    });

    it('accepts excludedAttributes as an array and an empty body as "everything"', async () => {
      const response = await scim.post('/Users/.search', { schemas: [SEARCH_SCHEMA], excludedAttributes: ['emails', 'name'] });
      expect(response.status).toBe(200);
      expect(response.body.totalResults).toBe(7);
      for (const resource of response.body.Resources) {
        expect(resource.emails).toBeUndefined();
        expect(resource.name).toBeUndefined();
        expect(resource.userName).toBeTruthy();
      }
    });

    it('rejects a bad filter or the wrong schema', async () => {
      expectScimError(await scim.post('/Users/.search', { schemas: [SEARCH_SCHEMA], filter: 'userName eq' }), 400, 'invalidFilter');
      expectScimError(
        await scim.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }),
        400,
        'invalidSyntax',
      );
      expectScimError(await scim.post('/Users/.search', [1, 2]), 400, 'invalidSyntax');
    });
  });
});

describe('GET /Users with a configured maxResults', () => {
  const { scim } = workspaceForSuite('capped', { env: { ROSTER_SCIM_MAX_RESULTS: '5' } });

  beforeAll(async () => {
    await seed(scim);
  });

  it('caps count at maxResults and advertises it', async () => {
    const response = await scim.get('/Users?count=100');
    expect(response.status).toBe(200);
    expectListShape(response.body, 7, 1, 5);
    const rest = await scim.get('/Users?startIndex=6&count=100');
    expectListShape(rest.body, 7, 6, 2);
    expect(new Set([...ids(response), ...ids(rest)]).size).toBe(7);
    const config = await scim.get('/ServiceProviderConfig');
    expect(config.body.filter.maxResults).toBe(5);
  });
});
