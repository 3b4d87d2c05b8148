import { describe, expect, it } from 'vitest';
import { idpSuite, lifecycle } from './idp-harness.js';
import { ENTERPRISE, enterprise, GENERIC, GROUP_SCHEMA, guid, type Json, patchOp, replay, SEARCH_REQUEST, USER_SCHEMA } from './replay.js';
import { expectEmptyList, expectList, expectNoNulls, expectScimError, expectStatus } from './replay-assertions.js';

/**
 * A textbook RFC 7644 client: percent-encoded filters (%20, %22), lower-case ops, the RFC's own
 * example bodies (RFC 7643 §8.2, RFC 7644 §3.5.2), ETags and If-Match, /.search, projections.
 */
describe('generic RFC 7644 client', () => {
  const suite = idpSuite('generic', GENERIC);
  const { send, patchUser, readUser, expectUserGone, idsByUserName, readGroup, memberIds, groupNamesOf } = suite;
  let counter = 0;

  const q = (filter: string, extra = '') => `/Users?filter=${encodeURIComponent(filter)}${extra}`;

  /** A full user in the spirit of RFC 7643 §8.2. */
  const fullUser = (extra: Json = {}): Json => {
    const n = `${++counter}${guid().slice(0, 6)}`;
    return {
      schemas: [USER_SCHEMA, ENTERPRISE],
      externalId: `ext-${n}`,
      userName: `bjensen${n}@example.com`,
      name: {
        formatted: 'Ms. Barbara J Jensen, III',
        familyName: 'Jensen',
        givenName: 'Barbara',
        middleName: 'Jane',
        honorificPrefix: 'Ms.',
        honorificSuffix: 'III',
      },
      displayName: 'Babs Jensen',
      nickName: 'Babs',
      emails: [
        { value: `bjensen${n}@example.com`, type: 'work', primary: true },
        { value: `babs${n}@jensen.org`, type: 'home' },
      ],
      addresses: [
        {
          type: 'work',
          streetAddress: '100 Universal City Plaza',
          locality: 'Hollywood',
          region: 'CA',
          postalCode: '91608',
          country: 'USA',
          formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA',
          primary: true,
        },
      ],
      phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
      userType: 'Employee',
      title: 'Tour Guide',
      locale: 'en-US',
      timezone: 'America/Los_Angeles',
      active: true,
      [ENTERPRISE]: {
        employeeNumber: '701984',
        costCenter: '4130',
        organization: 'Universal Studios',
        division: 'Theme Park',
        department: 'Tour Operations',
      },
      ...extra,
    };
  };

  const create = async (extra: Json = {}): Promise<Json> => expectStatus(await send('POST', '/Users', fullUser(extra)), 201);

  describe('discovery', () => {
    it('GET /ServiceProviderConfig advertises PATCH, filter, ETag and bearer auth', async () => {
      const config = expectStatus(await send('GET', '/ServiceProviderConfig'), 200);
      expect(config.patch.supported).toBe(true);
      expect(config.filter.supported).toBe(true);
      expect(Number.isInteger(config.filter.maxResults)).toBe(true);
      expect(config.etag.supported).toBe(true);
      expect(JSON.stringify(config.authenticationSchemes).toLowerCase()).toContain('oauthbearertoken');
      expectNoNulls(config);
    });

    it('GET /ResourceTypes lists User (with the enterprise extension) and Group', async () => {
      const list = expectList(await send('GET', '/ResourceTypes'));
      const byName = new Map((list.Resources as Json[]).map((t) => [t.name, t]));
      expect(byName.get('User')).toMatchObject({ endpoint: '/Users', schema: USER_SCHEMA });
      expect(JSON.stringify(byName.get('User')?.schemaExtensions)).toContain(ENTERPRISE);
      expect(byName.get('Group')).toMatchObject({ endpoint: '/Groups', schema: GROUP_SCHEMA });
    });

    it('GET /Schemas/{urn} → the User schema', async () => {
      const schema = expectStatus(await send('GET', `/Schemas/${USER_SCHEMA}`), 200);
      expect(schema.id).toBe(USER_SCHEMA);
    });
  });

  describe('user lifecycle, in order', () => {
    const { life, id } = lifecycle<{ body?: Json; etag?: string }>();

    it('the filter for the new userName (%20/%22-encoded) finds nobody', async () => {
      life.body = fullUser();
      expectEmptyList(await send('GET', `/Users?filter=userName%20eq%20%22${encodeURIComponent(life.body.userName)}%22`));
    });

    it('POST /Users (RFC 7643 §8.2 user) → 201 with Location = meta.location and ETag = meta.version; reads back', async () => {
      const response = await send('POST', '/Users', life.body);
      const created = expectStatus(response, 201);
      life.id = created.id;
      expect(response.headers.location).toBe(created.meta.location);
      expect(response.headers.etag).toBe(created.meta.version);
      expect(created.schemas).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE]));
      expectNoNulls(created);
      const stored = await readUser(id());
      expect(stored.name).toEqual(life.body?.name);
      expect(stored.emails).toEqual(life.body?.emails);
      expect(stored.addresses).toEqual(life.body?.addresses);
      expect(stored.phoneNumbers).toEqual(life.body?.phoneNumbers);
      expect(stored).toMatchObject({
        userType: 'Employee',
        title: 'Tour Guide',
        nickName: 'Babs',
        timezone: 'America/Los_Angeles',
        locale: 'en-US',
      });
      expect(enterprise(stored)).toMatchObject(life.body?.[ENTERPRISE]);
      life.etag = stored.meta.version;
    });

    it('RFC 7644 §3.4.2.2 filter examples all find the user', async () => {
      const userName = life.body?.userName as string;
      const filters = [
        `userName eq "${userName}"`,
        `userName Eq "${userName.toUpperCase()}"`,
        `name.familyName co "ense" and userName eq "${userName}"`,
        `userName sw "${userName.slice(0, 8)}" and externalId eq "${life.body?.externalId}"`,
        `title pr and userName eq "${userName}"`,
        `meta.lastModified gt "2011-05-13T04:42:34Z" and userName eq "${userName}"`,
        `userType eq "Employee" and (emails co "jensen.org" or emails.value co "jensen.org") and externalId eq "${life.body?.externalId}"`,
        `emails[type eq "work" and value co "@example.com"] and externalId eq "${life.body?.externalId}"`,
        `not (userName ne "${userName}")`,
        `${ENTERPRISE}:employeeNumber eq "701984" and userName eq "${userName}"`,
      ];
      for (const filter of filters) {
        const list = expectList(await send('GET', q(filter)));
        expect(
          list.Resources.map((u: Json) => u.id),
          filter,
        ).toEqual([id()]);
      }
    });

    it('projection: attributes=userName,emails returns only those (plus id and schemas)', async () => {
      const user = expectStatus(await send('GET', `/Users/${id()}?attributes=userName,emails`), 200);
      expect(Object.keys(user).sort()).toEqual(expect.arrayContaining(['id', 'userName', 'emails']));
      expect(user.name).toBeUndefined();
      expect(user.title).toBeUndefined();
      const list = expectList(await send('GET', q(`userName eq "${life.body?.userName}"`, '&excludedAttributes=emails,addresses')));
      expect(list.Resources[0].emails).toBeUndefined();
      expect(list.Resources[0].userName).toBe(life.body?.userName);
    });

    it('POST /Users/.search with a SearchRequest body', async () => {
      const response = await send('POST', '/Users/.search', {
        schemas: [SEARCH_REQUEST],
        filter: `userName eq "${life.body?.userName}"`,
        attributes: ['userName', 'displayName'],
        startIndex: 1,
        count: 10,
      });
      const list = expectList(response);
      expect(list.Resources.map((u: Json) => [u.id, u.displayName])).toEqual([[id(), 'Babs Jensen']]);
    });

    it('PUT with a stale If-Match → 412 SCIM error; nothing changes', async () => {
      const before = await readUser(id());
      const response = await send('PUT', `/Users/${id()}`, { ...life.body, title: 'Stale' }, { 'if-match': 'W/"999999"' });
      expectScimError(response, 412);
      expect(await readUser(id())).toStrictEqual(before);
    });

    it('PUT with the current ETag in If-Match → 200; the replacement reads back', async () => {
      const response = await send(
        'PUT',
        `/Users/${id()}`,
        { ...life.body, title: 'Head Tour Guide', nickName: 'B' },
        { 'if-match': life.etag as string },
      );
      const updated = expectStatus(response, 200);
      expect(response.headers.etag).toBe(updated.meta.version);
      expect(updated.meta.version).not.toBe(life.etag);
      const stored = await readUser(id());
      expect(stored).toMatchObject({ title: 'Head Tour Guide', nickName: 'B' });
      life.etag = stored.meta.version;
    });

    it('PATCH (RFC 7644 §3.5.2.1) add an email with a value array → appended', async () => {
      await patchUser(id(), { op: 'add', path: 'emails', value: [{ value: 'babs@other.example', type: 'other' }] });
      const stored = await readUser(id());
      expect(stored.emails.map((e: Json) => e.value)).toContain('babs@other.example');
      expect(stored.emails).toHaveLength(3);
    });

    it('PATCH (§3.5.2.3) path-less replace with a nested object and a multi-valued list', async () => {
      await patchUser(id(), {
        op: 'replace',
        value: {
          name: { givenName: 'Barbara', familyName: 'Jensen-Smith' },
          nickName: 'Barbie',
        },
      });
      const stored = await readUser(id());
      expect(stored.name).toMatchObject({ givenName: 'Barbara', familyName: 'Jensen-Smith', middleName: 'Jane' });
      expect(stored.nickName).toBe('Barbie');
    });

    it('PATCH replace addresses[type eq "work"].streetAddress → only that sub-attribute changes', async () => {
      await patchUser(id(), { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' });
      const address = (await readUser(id())).addresses[0] as Json;
      expect(address).toMatchObject({ type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood' });
    });

    it('PATCH (§3.5.2.2) remove emails[type eq "home"] → only the home email goes', async () => {
      await patchUser(id(), { op: 'remove', path: 'emails[type eq "home"]' });
      const stored = await readUser(id());
      expect(stored.emails.map((e: Json) => e.type).sort()).toEqual(['other', 'work']);
    });

    it('PATCH remove a single-valued attribute (title) and an extension attribute', async () => {
      await patchUser(id(), { op: 'remove', path: 'title' }, { op: 'remove', path: `${ENTERPRISE}:costCenter` });
      const stored = await readUser(id());
      expect(stored.title).toBeUndefined();
      expect(enterprise(stored).costCenter).toBeUndefined();
      expect(enterprise(stored).employeeNumber).toBe('701984');
    });

    it('PATCH replace active false → inactive but readable; true → active', async () => {
      expect((await patchUser(id(), { op: 'replace', path: 'active', value: false })).active).toBe(false);
      expect((await readUser(id())).active).toBe(false);
      await patchUser(id(), { op: 'replace', path: 'active', value: true });
      expect((await readUser(id())).active).toBe(true);
    });

    it('PATCH is atomic: a bad second operation → 400 and the first is not applied', async () => {
      const before = await readUser(id());
      const response = await send(
        'PATCH',
        `/Users/${id()}`,
        patchOp({ op: 'replace', path: 'nickName', value: 'Never' }, { op: 'replace', path: 'noSuchAttribute', value: 'x' }),
      );
      expectScimError(response, 400);
      expect(await readUser(id())).toStrictEqual(before);
    });

    it('DELETE /Users/{id} → 204; GET → 404; filter empty', async () => {
      const response = await send('DELETE', `/Users/${id()}`);
      expect(response.status, response.describe).toBe(204);
      await expectUserGone(id());
      expect(await idsByUserName(life.body?.userName as string)).toEqual([]);
    });
  });

  describe('listing', () => {
    it('sortBy=userName&sortOrder=descending and count/startIndex paging', async () => {
      const prefix = `sort${guid().slice(0, 6)}`;
      for (const letter of ['a', 'c', 'b'])
        await create({ userName: `${prefix}${letter}@example.com`, emails: [{ value: `${prefix}${letter}@example.com`, type: 'work' }] });
      const list = expectList(await send('GET', q(`userName sw "${prefix}"`, '&sortBy=userName&sortOrder=descending')));
      expect(list.Resources.map((u: Json) => u.userName)).toEqual(['c', 'b', 'a'].map((l) => `${prefix}${l}@example.com`));
      const page = expectList(await send('GET', q(`userName sw "${prefix}"`, '&sortBy=userName&startIndex=2&count=1')));
      expect(page).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
      expect(page.Resources[0].userName).toBe(`${prefix}b@example.com`);
    });

    it('count=0 → only totalResults', async () => {
      const list = expectList(await send('GET', '/Users?count=0'));
      expect(list.Resources).toEqual([]);
      expect(list.totalResults).toBeGreaterThan(0);
    });
  });

  describe('groups', () => {
    const { admin } = suite.roles();

    it('GET /Groups/{id} → the group with schemas, meta and an ETag', async () => {
      const response = await send('GET', `/Groups/${admin.id}`);
      const group = expectStatus(response, 200);
      expect(group.schemas).toEqual([GROUP_SCHEMA]);
      expect(group.meta).toMatchObject({ resourceType: 'Group' });
      expect(response.headers.etag).toBe(group.meta.version);
    });

    it('PATCH (RFC 7644 §3.5.2.1) add a member with display, $ref and value → 2xx; reads back', async () => {
      const user = await create();
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({
          op: 'add',
          path: 'members',
          value: [{ display: 'Babs Jensen', $ref: `${suite.server.scimUrl}/Users/${user.id}`, value: user.id }],
        }),
      );
      expectStatus(response, [200, 204]);
      expect(await memberIds(admin.id)).toContain(user.id);
      const member = ((await readGroup(admin.id)).members as Json[]).find((m) => m.value === user.id) as Json;
      expect(member.$ref).toMatch(new RegExp(`/Users/${user.id}$`));
      expect(await groupNamesOf(user.id)).toEqual(['Admin']);
    });

    it('PATCH (§3.5.2.2) remove members[value eq "…"] → that member leaves', async () => {
      const [a, b] = [await create(), await create()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }));
      expectStatus(await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'remove', path: `members[value eq "${a.id}"]` })), [200, 204]);
      const members = await memberIds(admin.id);
      expect(members).not.toContain(a.id);
      expect(members).toContain(b.id);
    });

    it('PATCH (§3.5.2.2) remove path "members" without a value → all members leave', async () => {
      const [a, b] = [await create(), await create()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }));
      expect((await memberIds(admin.id)).length).toBeGreaterThanOrEqual(2);
      expectStatus(await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'remove', path: 'members' })), [200, 204]);
      expect(await memberIds(admin.id)).toEqual([]);
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
    });

    it('PATCH (§3.5.2.3) replace members → exactly the new list', async () => {
      const [a, b, c] = [await create(), await create(), await create()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }] }));
      expectStatus(
        await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'replace', path: 'members', value: [{ value: b.id }, { value: c.id }] })),
        [200, 204],
      );
      expect(await memberIds(admin.id)).toEqual([b.id, c.id].sort());
    });

    it('PUT /Groups/{id} with members → 200; exactly those members', async () => {
      const a = await create();
      const response = await send('PUT', `/Groups/${admin.id}`, {
        schemas: [GROUP_SCHEMA],
        displayName: 'Admin',
        members: [{ value: a.id }],
      });
      expect(expectStatus(response, 200).members.map((m: Json) => m.value)).toEqual([a.id]);
      expect(await memberIds(admin.id)).toEqual([a.id]);
    });

    it('GET /Groups?filter=members[value eq "…"] finds the user\'s group', async () => {
      const a = await create();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }] }));
      const list = expectList(await send('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${a.id}"]`)}`));
      expect(list.Resources.map((g: Json) => g.id)).toEqual([admin.id]);
    });
  });

  describe('errors: SCIM JSON with status as a string', () => {
    it('malformed filter → 400 invalidFilter', async () => {
      expectScimError(await send('GET', q('userName eq')), 400, 'invalidFilter');
    });

    it('unknown resource → 404', async () => {
      expectScimError(await send('GET', `/Users/${guid()}`), 404);
    });

    it('no token → 401 with WWW-Authenticate; a wrong token → 401', async () => {
      const none = await replay(suite.server, undefined, { method: 'GET', path: '/Users', headers: GENERIC.always });
      expectScimError(none, 401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expectScimError(await replay(suite.server, 'not-a-token', { method: 'GET', path: '/Users', headers: GENERIC.always }), 401);
    });

    it('duplicate userName → 409 uniqueness', async () => {
      const user = await create();
      expectScimError(await send('POST', '/Users', fullUser({ userName: user.userName })), 409, 'uniqueness');
    });

    it('invalid JSON → 400 invalidSyntax; missing userName → 400; nothing created', async () => {
      expectScimError(await send('POST', '/Users', '{"schemas": ['), 400, 'invalidSyntax');
      const { userName: _omit, ...body } = fullUser();
      expectScimError(await send('POST', '/Users', body), 400);
      expect(expectList(await send('GET', q(`externalId eq "${body.externalId}"`))).totalResults).toBe(0);
    });

    it('an unsupported media type → 415 SCIM error', async () => {
      expectScimError(await send('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    });

    it('an unknown endpoint → 404 SCIM error', async () => {
      expectScimError(await send('GET', '/Widgets'), 404);
    });

    it('Accept: application/json still gets JSON (SCIM media type)', async () => {
      const response = await send('GET', '/Users?count=1', undefined, { accept: 'application/json' });
      expectList(response);
    });
  });
});
