import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { filterText } from '../support/filter-arbitraries.js';
import { newUser, PATCH_SCHEMA, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, ENTERPRISE, ERROR_SCHEMA, type Json, read, TEAMS } from './helpers.js';

/**
 * Never a 500: random filters and random PATCH bodies over HTTP. Every answer is below 500,
 * every 4xx is a SCIM error, and a user is unchanged after any failed PATCH.
 */
describe('robustness over HTTP (property-based)', () => {
  const { scim } = workspaceForSuite('fuzz');

  beforeAll(async () => {
    await create(scim, newUser('fuzz-a@example.com', { title: 'Engineer', externalId: 'X1' }));
    await create(scim, newUser('fuzz-b@example.com', { emails: [{ value: 'b@x.io', type: 'home' }] }));
  });

  const expectErrorShape = (status: number, body: Json) => {
    expect(status, JSON.stringify(body)).toBeLessThan(500);
    if (status >= 400) {
      expect(body?.schemas, JSON.stringify(body)).toEqual([ERROR_SCHEMA]);
      expect(body.status).toBe(String(status));
    }
  };

  const ATTRIBUTES = [
    'userName',
    'USERNAME',
    'title',
    'externalId',
    'active',
    'name.familyName',
    'name',
    'emails',
    'emails.value',
    'emails.type',
    'emails.primary',
    'meta.lastModified',
    'meta.created',
    'meta',
    'id',
    'groups',
    'groups.display',
    `${ENTERPRISE}:department`,
    `${ENTERPRISE}:manager.value`,
    `${ENTERPRISE}:manager`,
    `${TEAMS}:teams`,
    'shoeSize',
    'name.nope',
    'urn:x:y',
    '$ref',
    'a..b',
  ];
  const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'xx'];
  const VALUES = [
    '"x"',
    '"fuzz"',
    'true',
    'false',
    'null',
    '5',
    '-1.5e3',
    '"2024-01-01T00:00:00Z"',
    '"2024-13-45"',
    '"%_\\\\"',
    '"\\u0000"',
    'bare',
    '""',
  ];

  const filterArbitrary = filterText({
    attributes: ATTRIBUTES,
    operators: OPERATORS,
    values: VALUES,
    connectives: ['and', 'or', 'AND', 'Or'],
    valuePathAttributes: ['emails', 'groups', 'name', `${ENTERPRISE}:manager`, 'title'],
  });
  const noisyFilter = fc.oneof(
    filterArbitrary,
    fc.string({ maxLength: 60 }),
    fc.tuple(filterArbitrary, fc.nat(), fc.string({ maxLength: 3 })).map(([f, at, junk]) => {
      const i = at % (f.length + 1);
      return f.slice(0, i) + junk + f.slice(i);
    }),
  );

  it('random filters never give a 500 and 400s are invalidFilter', async () => {
    await fc.assert(
      fc.asyncProperty(noisyFilter, fc.constantFrom('GET', 'POST'), async (filter, method) => {
        const response =
          method === 'GET' ? await scim.get(`/Users?filter=${encodeURIComponent(filter)}`) : await scim.post('/Users/.search', { filter });
        expectErrorShape(response.status, response.body);
        expect([200, 400], `${filter} → ${JSON.stringify(response.body)}`).toContain(response.status);
        if (response.status === 200) {
          expect(response.body.totalResults).toBe(response.body.Resources.length);
        } else if (filter.trim() !== '') {
          expect(response.body.scimType, `${filter} → ${JSON.stringify(response.body)}`).toBe('invalidFilter');
        }
      }),
      { numRuns: 150 },
    );
  });

  const PATHS = [
    undefined,
    'title',
    'nickName',
    'name.givenName',
    'name',
    'active',
    'userName',
    'emails',
    'emails[type eq "work"].value',
    'emails[type eq "home"]',
    'emails[value co "@"].primary',
    'emails[type eq "work" or type eq "home"].value',
    'phoneNumbers',
    'addresses[type eq "work"].locality',
    'id',
    'meta.created',
    'groups',
    'externalId',
    'preferredLanguage',
    'timezone',
    `${ENTERPRISE}:department`,
    `${ENTERPRISE}:manager`,
    `${ENTERPRISE}:manager.value`,
    ENTERPRISE,
    `${TEAMS}:teams`,
    'shoeSize',
    'emails[',
    'name..x',
    'emails[type eq "work"].nope',
    '',
    ' ',
  ];
  const scalar = fc.oneof(
    fc.constantFrom('x', 'True', 'false', '', 'Europe/Berlin', 'Mars/Base', 'de-AT', 'fuzz-a@example.com', 'new@example.com'),
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const valueArbitrary = fc.oneof(
    scalar,
    fc.dictionary(
      fc.constantFrom(
        'value',
        'type',
        'primary',
        'givenName',
        'title',
        'active',
        'display',
        'bogus',
        'name.givenName',
        `${ENTERPRISE}:department`,
      ),
      scalar,
      { maxKeys: 3 },
    ),
    fc.array(fc.dictionary(fc.constantFrom('value', 'type', 'primary', 'display'), scalar, { maxKeys: 3 }), { maxLength: 3 }),
    fc.array(scalar, { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const operationArbitrary = fc.record(
    {
      op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'REPLACE', 'Remove', 'move', 1, null),
      path: fc.constantFrom(...PATHS),
      value: valueArbitrary,
    },
    { requiredKeys: ['op'] },
  );
  const patchBody = fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .array(operationArbitrary, { minLength: 1, maxLength: 3 })
        .map((Operations) => ({ schemas: [PATCH_SCHEMA], Operations })),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    {
      weight: 1,
      arbitrary: fc.record({
        schemas: fc.oneof(fc.constant([USER_SCHEMA]), fc.jsonValue({ maxDepth: 1 })),
        Operations: fc.jsonValue({ maxDepth: 2 }),
      }),
    },
  );

  it('random PATCH bodies never give a 500; after any 4xx the user is unchanged', async () => {
    const user = await create(
      scim,
      newUser('fuzz-patch@example.com', {
        title: 'Start',
        emails: [
          { value: 'fuzz-patch@example.com', type: 'work', primary: true },
          { value: 'fuzz@home.org', type: 'home' },
        ],
        [ENTERPRISE]: { department: 'D' },
      }),
    );
    let current = await read(scim, user.id);
    await fc.assert(
      fc.asyncProperty(patchBody, async (body) => {
        const response = await scim.patch(`/Users/${user.id}`, body);
        expectErrorShape(response.status, response.body);
        if (response.status === 200) {
          const fetched = await read(scim, user.id);
          expect(fetched).toStrictEqual(response.body);
          expect(fetched.meta.version).not.toBe(current.meta.version);
          expect(fetched.id).toBe(user.id);
          expect(typeof fetched.userName).toBe('string');
          current = fetched;
        } else {
          expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(400);
          expect(await read(scim, user.id), `${JSON.stringify(body)} → ${response.status} ${response.body.detail}`).toStrictEqual(current);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('random POST bodies never give a 500 and failed ones write nothing', async () => {
    const userBody = fc.record(
      {
        schemas: fc.oneof(fc.constant([USER_SCHEMA]), fc.constant([USER_SCHEMA, ENTERPRISE]), fc.jsonValue({ maxDepth: 1 })),
        userName: fc.oneof(
          fc.constantFrom('p1@example.com', 'P1@EXAMPLE.COM', 'plain', ''),
          fc.string({ maxLength: 8 }),
          fc.integer(),
          fc.constant(null),
        ),
        active: scalar,
        title: scalar,
        name: valueArbitrary,
        emails: valueArbitrary,
        timezone: scalar,
        preferredLanguage: scalar,
        [ENTERPRISE]: valueArbitrary,
        [TEAMS]: fc.oneof(fc.record({ teams: fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }) }), valueArbitrary),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(userBody, async (body) => {
        const before = (await scim.get('/Users?count=0')).body.totalResults;
        const response = await scim.post('/Users', body);
        expectErrorShape(response.status, response.body);
        expect([201, 400, 409], JSON.stringify(response.body)).toContain(response.status);
        const after = (await scim.get('/Users?count=0')).body.totalResults;
        if (response.status === 201) {
          expect(after).toBe(before + 1);
          expect(await read(scim, response.body.id)).toStrictEqual(response.body);
          expect((await scim.delete(`/Users/${response.body.id}`)).status).toBe(204);
        } else {
          expect(after).toBe(before);
        }
      }),
      { numRuns: 60 },
    );
  });
});
