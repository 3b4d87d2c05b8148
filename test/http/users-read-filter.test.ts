import { beforeAll, describe, expect, it } from 'vitest';
import { newUser, patchOps } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, ENTERPRISE, expectScimError, filterNames, ids, type Json, LIST_SCHEMA, q } from './helpers.js';

/**
 * GET /Users/{id} and GET /Users?filter= (RFC 7644 §3.4.1, §3.4.2.2) over a fixed population:
 *
 *   alice   alice@example.com        Anderson  title Engineer         externalId Ext-A  active
 *           emails work alice@example.com, home alice@home.org; enterprise department R&D
 *   bob     Bob.Builder@Example.com  Builder   title Manager          externalId ext-b  inactive
 *           emails work bob@example.com, home bob@x.io
 *   carol   carol                    Carter    (no title)             (no externalId)   active
 *           emails work carol@x.io
 *   dave    dave@other.net           Davis     title Senior Engineer  (no externalId)   active
 *           emails work dave@x.io, other dave.alt@x.io
 */
const ALICE = 'alice@example.com';
const BOB = 'Bob.Builder@Example.com';
const CAROL = 'carol';
const DAVE = 'dave@other.net';

describe('GET /Users with a filter', () => {
  const { scim } = workspaceForSuite('filters');
  const users: Record<string, Json> = {};

  beforeAll(async () => {
    users.alice = await create(
      scim,
      newUser(ALICE, {
        name: { givenName: 'Alice', familyName: 'Anderson' },
        title: 'Engineer',
        externalId: 'Ext-A',
        emails: [
          { value: 'alice@example.com', type: 'work', primary: true },
          { value: 'alice@home.org', type: 'home' },
        ],
        [ENTERPRISE]: { department: 'R&D' },
      }),
    );
    users.bob = await create(
      scim,
      newUser(BOB, {
        name: { givenName: 'Bob', familyName: 'Builder' },
        title: 'Manager',
        externalId: 'ext-b',
        active: false,
        emails: [
          { value: 'bob@example.com', type: 'work', primary: true },
          { value: 'bob@x.io', type: 'home' },
        ],
      }),
    );
    users.carol = await create(
      scim,
      newUser(CAROL, {
        name: { givenName: 'Carol', familyName: 'Carter' },
        emails: [{ value: 'carol@x.io', type: 'work', primary: true }],
      }),
    );
    users.dave = await create(
      scim,
      newUser(DAVE, {
        name: { givenName: 'Dave', familyName: 'Davis' },
        title: 'Senior Engineer',
        emails: [
          { value: 'dave@x.io', type: 'work', primary: true },
          { value: 'dave.alt@x.io', type: 'other' },
        ],
      }),
    );
  });

  describe('GET /Users/{id}', () => {
    it('returns the user with its schemas, attributes and meta', async () => {
      const response = await scim.get(`/Users/${users.alice?.id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(response.headers.get('etag')).toBe(response.body.meta.version);
      expect(response.body).toStrictEqual(users.alice);
      expect(response.body.schemas).toContain('urn:ietf:params:scim:schemas:core:2.0:User');
      expect(response.body.schemas).toContain(ENTERPRISE);
      expect(response.body.userName).toBe(ALICE);
      expect(response.body.externalId).toBe('Ext-A');
      expect(response.body[ENTERPRISE]).toEqual({ department: 'R&D' });
    });

    it('answers 404 with a SCIM error for an unknown UUID', async () => {
      const response = await scim.get('/Users/0196b9f0-0000-7000-8000-000000000000');
      expectScimError(response, 404, null);
      expect(response.body.status).toBe('404');
    });

    it('answers 404, not 400, for an id that is not a UUID', async () => {
      expectScimError(await scim.get('/Users/010101001010101011001010101011'), 404, null);
      expectScimError(await scim.get('/Users/not-an-id'), 404, null);
      expectScimError(await scim.get(`/Users/${encodeURIComponent("' or 1=1 --")}`), 404, null);
    });

    it('is case-sensitive about ids', async () => {
      const id = users.alice?.id as string;
      if (id.toUpperCase() === id) return;
      expectScimError(await scim.get(`/Users/${id.toUpperCase()}`), 404, null);
    });
  });

  describe('comparison operators', () => {
    it('eq', async () => {
      expect(await filterNames(scim, `userName eq "${ALICE}"`)).toEqual([ALICE]);
      expect(await filterNames(scim, 'name.familyName eq "Davis"')).toEqual([DAVE]);
      expect(await filterNames(scim, 'title eq "Engineer"')).toEqual([ALICE]);
    });

    it('ne (an absent attribute is "not equal")', async () => {
      expect(await filterNames(scim, 'title ne "Engineer"')).toEqual([BOB, CAROL, DAVE].sort());
      expect(await filterNames(scim, 'userName ne "carol"')).toEqual([ALICE, BOB, DAVE].sort());
    });

    it('co', async () => {
      expect(await filterNames(scim, 'title co "engineer"')).toEqual([ALICE, DAVE].sort());
      expect(await filterNames(scim, 'userName co "BUILDER"')).toEqual([BOB]);
    });

    it('sw', async () => {
      expect(await filterNames(scim, 'userName sw "b"')).toEqual([BOB]);
      expect(await filterNames(scim, 'name.givenName sw "CA"')).toEqual([CAROL]);
    });

    it('ew', async () => {
      expect(await filterNames(scim, 'userName ew "example.com"')).toEqual([ALICE, BOB].sort());
      expect(await filterNames(scim, 'title ew "ENGINEER"')).toEqual([ALICE, DAVE].sort());
    });

    it('gt, ge, lt, le on strings (case-insensitive for caseExact=false attributes)', async () => {
      expect(await filterNames(scim, 'name.familyName gt "C"')).toEqual([CAROL, DAVE].sort());
      expect(await filterNames(scim, 'name.familyName ge "carter"')).toEqual([CAROL, DAVE].sort());
      expect(await filterNames(scim, 'name.familyName gt "carter"')).toEqual([DAVE]);
      expect(await filterNames(scim, 'name.familyName lt "Builder"')).toEqual([ALICE]);
      expect(await filterNames(scim, 'name.familyName le "BUILDER"')).toEqual([ALICE, BOB].sort());
    });

    it('pr', async () => {
      expect(await filterNames(scim, 'title pr')).toEqual([ALICE, BOB, DAVE].sort());
      expect(await filterNames(scim, 'externalId pr')).toEqual([ALICE, BOB].sort());
      expect(await filterNames(scim, 'emails pr')).toEqual([ALICE, BOB, CAROL, DAVE].sort());
      expect(await filterNames(scim, `${ENTERPRISE}:department pr`)).toEqual([ALICE]);
      expect(await filterNames(scim, 'nickName pr')).toEqual([]);
    });

    it('eq on booleans', async () => {
      expect(await filterNames(scim, 'active eq false')).toEqual([BOB]);
      expect(await filterNames(scim, 'active eq true')).toEqual([ALICE, CAROL, DAVE].sort());
      expect(await filterNames(scim, 'active ne true')).toEqual([BOB]);
    });

    it('operators and keywords in any case', async () => {
      expect(await filterNames(scim, `userName EQ "${ALICE}"`)).toEqual([ALICE]);
      expect(await filterNames(scim, 'title PR AND active Eq TRUE')).toEqual([ALICE, DAVE].sort());
    });
  });

  describe('logical operators and grouping', () => {
    it('and', async () => {
      expect(await filterNames(scim, 'title co "Engineer" and name.familyName sw "d"')).toEqual([DAVE]);
    });

    it('or', async () => {
      expect(await filterNames(scim, 'userName eq "carol" or externalId eq "ext-b"')).toEqual([BOB, CAROL].sort());
    });

    it('not', async () => {
      expect(await filterNames(scim, 'not (userName eq "carol")')).toEqual([ALICE, BOB, DAVE].sort());
      expect(await filterNames(scim, 'not (active eq true)')).toEqual([BOB]);
    });

    it('not includes users that lack the attribute (title eq "Manager" is false for carol)', async () => {
      expect(await filterNames(scim, 'not (title eq "Manager")')).toEqual([ALICE, CAROL, DAVE].sort());
      expect(await filterNames(scim, 'not (externalId sw "ext")')).toEqual([ALICE, CAROL, DAVE].sort());
      expect(await filterNames(scim, 'not (title co "Manag")')).toEqual([ALICE, CAROL, DAVE].sort());
      expect(await filterNames(scim, 'not (title gt "M")')).toEqual([ALICE, CAROL]);
    });

    it('ne on a multi-valued sub-attribute matches users without any value, as ne on a single-valued one does', async () => {
      // Nobody has phone numbers: "not equal to +1" holds for everyone (compare `title ne` above).
      expect(await filterNames(scim, 'phoneNumbers.value ne "+1"')).toEqual([ALICE, BOB, CAROL, DAVE].sort());
      expect(await filterNames(scim, 'addresses.country ne "DE"')).toEqual([ALICE, BOB, CAROL, DAVE].sort());
    });

    it('and binds tighter than or; parentheses override it', async () => {
      // bob is inactive: `a or (b and active)` keeps alice only; `(a or b) and active` too, but
      // `(a or b) and not active` keeps bob.
      expect(await filterNames(scim, 'userName sw "a" or userName sw "b" and active eq true')).toEqual([ALICE]);
      expect(await filterNames(scim, '(userName sw "a" or userName sw "b") and active eq false')).toEqual([BOB]);
      expect(await filterNames(scim, 'userName sw "b" and (active eq false or title pr)')).toEqual([BOB]);
      expect(await filterNames(scim, '((userName sw "c"))')).toEqual([CAROL]);
    });
  });

  describe('complex attributes', () => {
    it('a value filter needs one element to satisfy the whole inner filter', async () => {
      // bob has an @x address, but it is his home one.
      expect(await filterNames(scim, 'emails[type eq "work" and value co "@x"]')).toEqual([CAROL, DAVE].sort());
      expect(await filterNames(scim, 'emails[type eq "home"]')).toEqual([ALICE, BOB].sort());
      expect(await filterNames(scim, 'emails[type eq "home" and value ew ".io"]')).toEqual([BOB]);
      expect(await filterNames(scim, 'emails[type eq "WORK" and value eq "CAROL@X.IO"]')).toEqual([CAROL]);
    });

    it('a value filter combines with other expressions', async () => {
      expect(await filterNames(scim, 'emails[type eq "home"] and active eq true')).toEqual([ALICE]);
      expect(await filterNames(scim, 'not (emails[type eq "home"])')).toEqual([CAROL, DAVE].sort());
    });

    it('sub-attributes of multi-valued attributes', async () => {
      expect(await filterNames(scim, 'emails.value eq "bob@x.io"')).toEqual([BOB]);
      expect(await filterNames(scim, 'emails.type eq "other"')).toEqual([DAVE]);
      expect(await filterNames(scim, 'emails eq "alice@home.org"')).toEqual([ALICE]);
    });

    it('never lists a user twice when several of their emails match', async () => {
      const response = await scim.get(q('emails.value co "x.io"'));
      expect(response.status).toBe(200);
      expect(response.body.totalResults).toBe(3);
      expect(ids(response)).toHaveLength(3);
      expect(new Set(ids(response)).size).toBe(3);
      expect(ids(response).sort()).toEqual([users.bob?.id, users.carol?.id, users.dave?.id].sort());
      const valuePath = await scim.get(q('emails[value co "@x.io"]'));
      expect(valuePath.body.totalResults).toBe(3);
      expect(new Set(ids(valuePath)).size).toBe(3);
    });

    it("the user's role as its group", async () => {
      expect(await filterNames(scim, 'groups.display eq "Member"')).toEqual([ALICE, BOB, CAROL, DAVE].sort());
      expect(await filterNames(scim, `groups.value eq "${users.alice?.groups?.[0]?.value}"`)).toEqual([ALICE, BOB, CAROL, DAVE].sort());
      expect(await filterNames(scim, 'groups.display eq "Admin"')).toEqual([]);
    });

    it('enterprise extension attributes by their URN path', async () => {
      expect(await filterNames(scim, `${ENTERPRISE}:department eq "r&d"`)).toEqual([ALICE]);
    });
  });

  describe('meta dates', () => {
    it('meta.lastModified gt an ISO date-time finds only users changed after it', async () => {
      const before = new Date(Date.now() - 1).toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const mark = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const patched = await scim.patch(`/Users/${users.carol?.id}`, patchOps({ op: 'replace', path: 'nickName', value: 'Caz' }));
      expect(patched.status).toBe(200);
      users.carol = patched.body;
      expect(await filterNames(scim, `meta.lastModified gt "${mark}"`)).toEqual([CAROL]);
      expect(await filterNames(scim, `meta.lastModified ge "${before}"`)).toEqual([CAROL]);
      expect(await filterNames(scim, `meta.lastModified lt "${mark}"`)).toEqual([ALICE, BOB, DAVE].sort());
      expect(await filterNames(scim, 'meta.lastModified gt "2000-01-01T00:00:00Z"')).toEqual([ALICE, BOB, CAROL, DAVE].sort());
      expect(await filterNames(scim, 'meta.created lt "2000-01-01T00:00:00Z"')).toEqual([]);
      expect(await filterNames(scim, 'meta.created gt "2000-01-01"')).toEqual([ALICE, BOB, CAROL, DAVE].sort());
    });
  });

  describe('case rules', () => {
    it('matches attribute names case-insensitively', async () => {
      expect(await filterNames(scim, `USERNAME eq "${ALICE}"`)).toEqual([ALICE]);
      expect(await filterNames(scim, 'NAME.FAMILYNAME eq "Davis"')).toEqual([DAVE]);
      expect(await filterNames(scim, 'Emails[Type eq "home"]')).toEqual([ALICE, BOB].sort());
      expect(await filterNames(scim, 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "carol"')).toEqual([CAROL]);
    });

    it('compares userName case-insensitively', async () => {
      expect(await filterNames(scim, 'userName eq "ALICE@EXAMPLE.COM"')).toEqual([ALICE]);
      expect(await filterNames(scim, 'userName eq "bob.builder@example.com"')).toEqual([BOB]);
    });

    it('compares externalId case-sensitively', async () => {
      expect(await filterNames(scim, 'externalId eq "Ext-A"')).toEqual([ALICE]);
      expect(await filterNames(scim, 'externalId eq "ext-a"')).toEqual([]);
      expect(await filterNames(scim, 'externalId eq "EXT-B"')).toEqual([]);
      expect(await filterNames(scim, 'externalId eq "ext-b"')).toEqual([BOB]);
    });
  });

  describe('URL encodings of the filter', () => {
    it('accepts + for spaces', async () => {
      const response = await scim.get('/Users?filter=userName+eq+%22alice%40example.com%22');
      expect(response.status).toBe(200);
      expect(ids(response)).toEqual([users.alice?.id]);
      const complex = await scim.get('/Users?filter=emails%5Btype+eq+%22work%22+and+value+co+%22%40x%22%5D&count=10');
      expect(complex.status).toBe(200);
      expect(ids(complex).sort()).toEqual([users.carol?.id, users.dave?.id].sort());
    });

    it('keeps an encoded plus (%2B) as a plus inside a value', async () => {
      const plus = await create(scim, newUser('plus+tag@example.com'));
      try {
        const response = await scim.get(q('userName eq "plus+tag@example.com"'));
        expect(response.status).toBe(200);
        expect(ids(response)).toEqual([plus.id]);
        const mixed = await scim.get('/Users?filter=userName+eq+%22plus%2Btag%40example.com%22');
        expect(ids(mixed)).toEqual([plus.id]);
      } finally {
        expect((await scim.delete(`/Users/${plus.id}`)).status).toBe(204);
      }
    });

    it('accepts %20 for spaces', async () => {
      const response = await scim.get('/Users?filter=userName%20eq%20%22carol%22');
      expect(response.status).toBe(200);
      expect(ids(response)).toEqual([users.carol?.id]);
    });

    it('accepts the filter parameter name in any case', async () => {
      const response = await scim.get('/Users?Filter=userName%20eq%20%22carol%22');
      expect(response.status).toBe(200);
      expect(ids(response)).toEqual([users.carol?.id]);
    });
  });

  describe('empty results', () => {
    it('is 200 with Resources [] and totalResults 0, never 404', async () => {
      const response = await scim.get(q('userName eq "nobody@example.com"'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(response.body).toStrictEqual({
        schemas: [LIST_SCHEMA],
        totalResults: 0,
        startIndex: 1,
        itemsPerPage: 0,
        Resources: [],
      });
    });
  });

  it('lists the full resources of matching users, as GET /Users/{id} returns them', async () => {
    const response = await scim.get(q(`userName eq "${ALICE}"`));
    expect(response.body.Resources).toStrictEqual([users.alice]);
  });
});
