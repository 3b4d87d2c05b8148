import { describe, expect, it } from 'vitest';
import { entraUser, idpSuite, lifecycle } from './idp-harness.js';
import { ENTERPRISE, ENTRA, enterprise, guid, type Json, patchOp, plusEncoded, sorted, USER_SCHEMA, workEmail } from './replay.js';
import { expectEmptyList, expectList, expectNoNulls, expectScimError, expectStatus } from './replay-assertions.js';

/**
 * Microsoft Entra ID provisioning, default dialect of custom ("scim…") jobs without the
 * `aadOptscim062020` flag (idp-behaviour.md §1). Every request is sent as Entra sends it: no
 * User-Agent, `application/scim+json; charset=utf-8` bodies, `+`-encoded filters, capitalised ops.
 */
describe('Entra ID (default dialect, no aadOptscim062020)', () => {
  const suite = idpSuite('entra-default', ENTRA);
  const { send, patchUser, readUser, expectUserGone, findUsers, idsByUserName, readGroup, memberIds, groupNamesOf } = suite;
  let counter = 0;

  /** E-U1's body with fresh identifiers. */
  const createBody = (extra: Json = {}): Json => {
    const n = `${++counter}-${guid()}`;
    return entraUser(`Test_User_${n}`, `Test_User_${n}@testuser.com`, { givenName: 'givenName', familyName: 'familyName' }, extra);
  };

  /** Entra's provisioning of one user: matching query (no match) then POST. */
  const provision = suite.provisioner(createBody, (userName) => `/Users?filter=${plusEncoded(`userName eq "${userName}"`)}`);

  describe('user lifecycle, in the order Entra sends it', () => {
    const { life, id } = lifecycle<{ body?: Json }>();

    it('Test Connection: userName filter with a random GUID and no User-Agent → 200 empty ListResponse', async () => {
      expectEmptyList(await send('GET', `/Users?filter=${plusEncoded(`userName eq "${guid()}"`)}`));
    });

    it('Test Connection: the same query %20-encoded → 200 empty ListResponse', async () => {
      expectEmptyList(await send('GET', `/Users?filter=userName%20eq%20%22${guid()}%22`));
    });

    it('Test Connection: a random user id → 404 with a SCIM error body', async () => {
      expectScimError(await send('GET', `/Users/${guid()}`), 404);
      expectScimError(await send('GET', '/Users/5171a35d82074e068ce2'), 404);
    });

    it('Test Connection: a random group (displayName filter with a GUID) → 200 empty ListResponse; a random group id → 404', async () => {
      expectEmptyList(await send('GET', `/Groups?excludedAttributes=members&filter=${plusEncoded(`displayName eq "${guid()}"`)}`));
      expectScimError(await send('GET', `/Groups/${guid()}?excludedAttributes=members`), 404);
    });

    it('E-U4 matching query for a user not yet provisioned → 200 empty ListResponse (never 404)', async () => {
      life.body = createBody();
      expectEmptyList(await send('GET', `/Users?filter=${plusEncoded(`userName eq "${life.body.userName}"`)}`));
      expectEmptyList(await send('GET', `/Users?filter=${plusEncoded('userName eq "non-existent user"')}`));
    });

    it('E-U1 POST /Users with meta and roles: [] → 201 with the user; reads back', async () => {
      const body = life.body as Json;
      const response = await send('POST', '/Users', body);
      const created = expectStatus(response, 201);
      life.id = created.id;
      expect(created.schemas).toContain(USER_SCHEMA);
      expect(created).toMatchObject({
        externalId: body.externalId,
        userName: body.userName,
        active: true,
        name: { familyName: 'familyName', givenName: 'givenName' },
      });
      expect(created.emails).toEqual([{ value: body.emails[0].value, type: 'work', primary: true }]);
      expect(created.meta).toMatchObject({ resourceType: 'User' });
      expect(typeof created.meta.created).toBe('string');
      expect(typeof created.meta.lastModified).toBe('string');
      expect(created.roles).toBeUndefined();
      expectNoNulls(created);
      const stored = await readUser(id());
      expect(stored).toMatchObject({ externalId: body.externalId, userName: body.userName, active: true });
      expect(workEmail(stored)).toBe(body.emails[0].value);
    });

    it('a POST retried after a timeout → 409 SCIM error; the next matching query finds the user (no duplicate)', async () => {
      expectScimError(await send('POST', '/Users', life.body), 409, 'uniqueness');
      const list = expectList(await send('GET', `/Users?filter=${plusEncoded(`userName eq "${life.body?.userName}"`)}`));
      expect(list.Resources.map((u: Json) => u.id)).toEqual([id()]);
    });

    it('a matching query combining eq with and: userName eq "…" and externalId eq "…"', async () => {
      const filter = `userName eq "${life.body?.userName}" and externalId eq "${life.body?.externalId}"`;
      const list = expectList(await send('GET', `/Users?filter=${plusEncoded(filter)}`));
      expect(list.Resources.map((u: Json) => u.id)).toEqual([id()]);
    });

    it('E-U2 GET /Users/{id} → 200 with the full user', async () => {
      const user = expectStatus(await send('GET', `/Users/${id()}`), 200);
      expect(user.id).toBe(id());
      expect(user.userName).toBe(life.body?.userName);
      expect(user.schemas).toContain(USER_SCHEMA);
      expectNoNulls(user);
    });

    it('E-U3 userName eq "…" with +-encoded spaces and %22 quotes finds exactly the user', async () => {
      const list = expectList(await send('GET', `/Users?filter=userName+eq+%22${life.body?.userName}%22`));
      expect(list.totalResults).toBe(1);
      expect(list.Resources[0].id).toBe(id());
      expect(list.Resources[0].externalId).toBe(life.body?.externalId);
    });

    it('E-U3 externalId eq "…" finds exactly the user', async () => {
      const list = expectList(await send('GET', `/Users?filter=${plusEncoded(`externalId eq "${life.body?.externalId}"`)}`));
      expect(list.Resources.map((u: Json) => u.id)).toEqual([id()]);
    });

    it('E-U3 emails[type eq "work"].value eq "…" finds exactly the user (raw brackets and %5B…%5D)', async () => {
      const email = life.body?.emails[0].value as string;
      const raw = expectList(await send('GET', `/Users?filter=emails[type+eq+%22work%22].value+eq+%22${email}%22`));
      expect(raw.Resources.map((u: Json) => u.id)).toEqual([id()]);
      const encoded = expectList(await send('GET', `/Users?filter=${plusEncoded(`emails[type eq "work"].value eq "${email}"`)}`));
      expect(encoded.Resources.map((u: Json) => u.id)).toEqual([id()]);
    });

    it('E-U5 multi-op PATCH: Replace emails[type eq "work"].value and name.familyName → 200; reads back', async () => {
      const updated = await patchUser(
        id(),
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      );
      expect(workEmail(updated)).toBe('updatedEmail@microsoft.com');
      expect(updated.name.familyName).toBe('updatedFamilyName');
      const stored = await readUser(id());
      expect(workEmail(stored)).toBe('updatedEmail@microsoft.com');
      expect(stored.emails).toHaveLength(1);
      expect(stored.name).toMatchObject({ givenName: 'givenName', familyName: 'updatedFamilyName' });
    });

    it('one Replace per attribute: displayName, name.givenName, externalId and the enterprise employeeNumber', async () => {
      const externalId = guid();
      await patchUser(
        id(),
        { op: 'Replace', path: 'displayName', value: 'Bjfe' },
        { op: 'Replace', path: 'name.givenName', value: 'Kkom' },
        { op: 'Replace', path: 'externalId', value: externalId },
        { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Aklq' },
      );
      const stored = await readUser(id());
      expect(stored.displayName).toBe('Bjfe');
      expect(stored.name.givenName).toBe('Kkom');
      expect(stored.externalId).toBe(externalId);
      expect(enterprise(stored).employeeNumber).toBe('Aklq');
      expect((await findUsers(`externalId eq "${externalId}"`)).map((u) => u.id)).toEqual([id()]);
      if (life.body) life.body.externalId = externalId;
    });

    it('E-U6 Replace userName → 200; the new userName matches, the old one does not', async () => {
      const old = life.body?.userName as string;
      const next = `${guid()}@testuser.com`;
      const updated = await patchUser(id(), { op: 'Replace', path: 'userName', value: next });
      expect(updated.userName).toBe(next);
      expect((await readUser(id())).userName).toBe(next);
      expect(await idsByUserName(next)).toEqual([id()]);
      expect(await idsByUserName(old)).toEqual([]);
      if (life.body) life.body.userName = next;
    });

    it('E-U7 disable with the default mapping\'s string "False" → active false; the user stays readable and findable', async () => {
      const updated = await patchUser(id(), { op: 'Replace', path: 'active', value: 'False' });
      expect(updated.active).toBe(false);
      expect((await readUser(id())).active).toBe(false);
      const found = await findUsers(`userName eq "${life.body?.userName}"`);
      expect(found.map((u) => [u.id, u.active])).toEqual([[id(), false]]);
    });

    it('re-enable with the string "True" → active true', async () => {
      expect((await patchUser(id(), { op: 'Replace', path: 'active', value: 'True' })).active).toBe(true);
      expect((await readUser(id())).active).toBe(true);
    });

    it('edited Switch expression: lowercase "false" then "true"', async () => {
      await patchUser(id(), { op: 'Replace', path: 'active', value: 'false' });
      expect((await readUser(id())).active).toBe(false);
      await patchUser(id(), { op: 'Replace', path: 'active', value: 'true' });
      expect((await readUser(id())).active).toBe(true);
    });

    it("E-U7 the doc's current example: Replace active with boolean false, then true", async () => {
      const body = {
        Operations: [{ op: 'Replace', path: 'active', value: false }],
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      };
      expect(expectStatus(await send('PATCH', `/Users/${id()}`, body), 200).active).toBe(false);
      expect((await readUser(id())).active).toBe(false);
      await patchUser(id(), { op: 'Replace', path: 'active', value: true });
      expect((await readUser(id())).active).toBe(true);
    });

    it('deprovisioning with op "Add" on active (rancher#54025) → active false', async () => {
      await patchUser(id(), { op: 'Add', path: 'active', value: 'False' });
      expect((await readUser(id())).active).toBe(false);
    });

    it('E-U8 hard delete: DELETE /Users/{id} → 204; GET → 404; the filter finds nobody; a second DELETE → 404', async () => {
      const response = await send('DELETE', `/Users/${id()}`);
      expect(response.status, response.describe).toBe(204);
      expect(response.text).toBe('');
      await expectUserGone(id());
      expect(await idsByUserName(life.body?.userName as string)).toEqual([]);
      expectScimError(await send('DELETE', `/Users/${id()}`), 404);
      expectScimError(await send('PATCH', `/Users/${id()}`, patchOp({ op: 'Replace', path: 'active', value: 'True' })), 404);
    });

    it('re-assignment after the delete: the match query is empty, POST brings back the same id, active', async () => {
      const body: Json = { ...(life.body as Json), active: true };
      expectEmptyList(await send('GET', `/Users?filter=${plusEncoded(`userName eq "${body.userName}"`)}`));
      const created = expectStatus(await send('POST', '/Users', body), 201);
      expect(created.id).toBe(id());
      const stored = await readUser(id());
      expect(stored.active).toBe(true);
      expect(stored.userName).toBe(body.userName);
      expect(await idsByUserName(body.userName)).toEqual([id()]);
    });
  });

  describe('request shapes beyond the main lifecycle', () => {
    it('legacy sample body: explicit nulls and the misspelt URN …enterprise:2.0User → 201; extension stored', async () => {
      const misspelt = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User';
      const body = createBody({
        schemas: [USER_SCHEMA, misspelt],
        addresses: null,
        phoneNumbers: null,
        preferredLanguage: null,
        title: null,
        department: null,
        manager: null,
        [misspelt]: { department: 'Finance', employeeNumber: '42' },
      });
      const created = expectStatus(await send('POST', '/Users', body), 201);
      expectNoNulls(created);
      const stored = await readUser(created.id);
      expect(stored.title).toBeUndefined();
      expect(stored.addresses).toBeUndefined();
      expect(stored.phoneNumbers).toBeUndefined();
      expect(enterprise(stored)).toMatchObject({ department: 'Finance', employeeNumber: '42' });
      expect(stored[misspelt]).toBeUndefined();
      expect(stored.schemas).toContain(ENTERPRISE);
    });

    it('legacy unquoted filter externalId eq jyoung finds the user', async () => {
      const created = await provision({ externalId: 'jyoung' });
      const list = expectList(await send('GET', '/Users?filter=externalId+eq+jyoung'));
      expect(list.Resources.map((u: Json) => u.id)).toEqual([created.id]);
      const spaced = expectList(await send('GET', '/Users?filter=externalId%20eq%20jyoung'));
      expect(spaced.Resources.map((u: Json) => u.id)).toEqual([created.id]);
    });

    it('the create body with the manager as a bare string id under the enterprise URN', async () => {
      const manager = await provision();
      const created = await provision({ [ENTERPRISE]: { manager: manager.id, department: 'Ops' } });
      const stored = await readUser(created.id);
      expect(enterprise(stored).manager).toMatchObject({ value: manager.id });
      expect(enterprise(stored).department).toBe('Ops');
    });

    it('§1.5 Add emails[type eq "work"].value on a user without a work email creates the work email', async () => {
      const n = guid();
      const created = await provision({
        userName: `nowork-${n}@testuser.com`,
        emails: [{ type: 'home', value: `home-${n}@example.org`, primary: true }],
      });
      await patchUser(created.id, { op: 'Add', path: 'emails[type eq "work"].value', value: `work-${n}@testuser.com` });
      const stored = await readUser(created.id);
      expect(workEmail(stored)).toBe(`work-${n}@testuser.com`);
      expect(stored.emails.find((e: Json) => e.type === 'home')?.value).toBe(`home-${n}@example.org`);
    });

    it('Replace emails[type eq "work"].value on a user with work and other emails changes only the work one', async () => {
      const n = guid();
      const created = await provision({
        emails: [
          { primary: true, type: 'work', value: `work-${n}@testuser.com` },
          { type: 'other', value: `other-${n}@example.org` },
        ],
      });
      await patchUser(created.id, { op: 'Replace', path: 'emails[type eq "work"].value', value: `new-${n}@testuser.com` });
      const stored = await readUser(created.id);
      expect(stored.emails).toEqual(
        expect.arrayContaining([
          { primary: true, type: 'work', value: `new-${n}@testuser.com` },
          { type: 'other', value: `other-${n}@example.org` },
        ]),
      );
      expect(stored.emails).toHaveLength(2);
    });

    it('Add emails[type eq "work"].value on a user who has a work email replaces it (a type appears once)', async () => {
      const n = guid();
      const created = await provision({ emails: [{ primary: true, type: 'work', value: `first-${n}@testuser.com` }] });
      await patchUser(created.id, { op: 'Add', path: 'emails[type eq "work"].value', value: `second-${n}@testuser.com` });
      const stored = await readUser(created.id);
      expect(stored.emails.filter((e: Json) => e.type === 'work')).toHaveLength(1);
      expect(workEmail(stored)).toBe(`second-${n}@testuser.com`);
    });

    it('a userName with a literal + (sent as %2B) matches exactly; + in the query string is a space', async () => {
      const userName = `first+tag-${guid().slice(0, 8)}@contoso.com`;
      const created = await provision({ userName, emails: [{ primary: true, type: 'work', value: userName }] });
      const exact = expectList(await send('GET', `/Users?filter=${plusEncoded(`userName eq "${userName}"`)}`));
      expect(exact.Resources.map((u: Json) => u.id)).toEqual([created.id]);
      expect(exact.Resources[0].userName).toBe(userName);
      const spaced = userName.replace('+', ' ');
      expectEmptyList(await send('GET', `/Users?filter=userName+eq+%22${spaced.replace(' ', '+')}%22`));
    });

    it('§1.5 Replace emails[type eq "work"].value on a user without any email creates the work email', async () => {
      const n = guid();
      const { emails: _none, ...body } = createBody({ userName: `noemail-${n}@testuser.com` });
      const created = expectStatus(await send('POST', '/Users', body), 201);
      expect(created.emails).toBeUndefined();
      await patchUser(created.id, { op: 'Replace', path: 'emails[type eq "work"].value', value: `replaced-${n}@testuser.com` });
      expect(workEmail(await readUser(created.id))).toBe(`replaced-${n}@testuser.com`);
    });

    it('E-U9 manager as a bare string via the URN path → stored; returned in the RFC complex form', async () => {
      const manager = await provision();
      const user = await provision();
      await patchUser(user.id, { op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.id });
      const stored = enterprise(await readUser(user.id)).manager as Json;
      expect(stored.value).toBe(manager.id);
      expect(typeof stored.$ref).toBe('string');
      expect(stored.$ref).toMatch(new RegExp(`/Users/${manager.id}$`));
      expect(typeof stored.displayName).toBe('string');
    });

    it('E-U9 remove urn:…:enterprise:2.0:User:manager[value eq "…"] → manager cleared; a non-matching value is a no-op', async () => {
      const manager = await provision();
      const user = await provision({ [ENTERPRISE]: { manager: manager.id } });
      await patchUser(user.id, { op: 'Remove', path: `${ENTERPRISE}:manager[value eq "${guid()}"]` });
      expect(enterprise(await readUser(user.id)).manager?.value).toBe(manager.id);
      await patchUser(user.id, { op: 'remove', path: `${ENTERPRISE}:manager[value eq "${manager.id}"]` });
      expect(enterprise(await readUser(user.id)).manager).toBeUndefined();
    });

    it('E-U9 legacy: Add path "manager" with [{"$ref", "value"}], then remove manager[value eq "…"]', async () => {
      const manager = await provision();
      const user = await provision();
      await patchUser(user.id, {
        op: 'Add',
        path: 'manager',
        value: [{ $ref: `http://example.com/scim/Users/${manager.id}`, value: manager.id }],
      });
      expect(enterprise(await readUser(user.id)).manager?.value).toBe(manager.id);
      await patchUser(user.id, { op: 'remove', path: `manager[value eq "${manager.id}"]` });
      expect(enterprise(await readUser(user.id)).manager).toBeUndefined();
    });

    it('one PATCH mixing Replace and Add: addresses[type eq "work"].formatted and the enterprise department', async () => {
      const user = await provision();
      await patchUser(
        user.id,
        { op: 'Replace', path: 'addresses[type eq "work"].formatted', value: '1 Main St, Springfield' },
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Marketing' },
      );
      const stored = await readUser(user.id);
      expect(stored.addresses).toEqual([expect.objectContaining({ type: 'work', formatted: '1 Main St, Springfield' })]);
      expect(enterprise(stored).department).toBe('Marketing');
    });

    it('old SDK shape: a scalar Replace whose value is [{"$ref": null, "value": "…"}]', async () => {
      const user = await provision();
      await patchUser(user.id, { op: 'Replace', path: 'displayName', value: [{ $ref: null, value: 'Wrapped Name' }] });
      expect((await readUser(user.id)).displayName).toBe('Wrapped Name');
    });

    it('Add nickName (single-valued string) with capital op', async () => {
      const user = await provision();
      await patchUser(user.id, { op: 'Add', path: 'nickName', value: 'Babs' });
      expect((await readUser(user.id)).nickName).toBe('Babs');
    });

    it('a bad PATCH (unknown op) → 400 SCIM error with status as a string, and the user is unchanged', async () => {
      const user = await provision();
      const before = await readUser(user.id);
      expectScimError(await send('PATCH', `/Users/${user.id}`, patchOp({ op: 'Merge', path: 'title', value: 'x' })), 400);
      expect(await readUser(user.id)).toStrictEqual(before);
    });
  });

  describe('roles as Groups (Entra group provisioning)', () => {
    const { admin, member } = suite.roles();

    it('E-G3 GET /Groups?excludedAttributes=members&filter=displayName+eq+%22Admin%22 → exactly one group without members', async () => {
      const list = expectList(await send('GET', '/Groups?excludedAttributes=members&filter=displayName+eq+%22Admin%22'));
      expect(list.totalResults).toBe(1);
      expect(list.Resources[0]).toMatchObject({ id: admin.id, displayName: 'Admin' });
      expect(list.Resources[0].members).toBeUndefined();
      expectNoNulls(list);
    });

    it('E-G3 matching is exact: "Admi" and the hidden "Guest" role find nothing', async () => {
      expectEmptyList(await send('GET', '/Groups?excludedAttributes=members&filter=displayName+eq+%22Admi%22'));
      expectEmptyList(await send('GET', '/Groups?excludedAttributes=members&filter=displayName+eq+%22Guest%22'));
    });

    it('groups matched by externalId (the other Entra matching option) → 200 empty ListResponse, never 400', async () => {
      expectEmptyList(await send('GET', `/Groups?excludedAttributes=members&filter=${plusEncoded(`externalId eq "${guid()}"`)}`));
    });

    it('E-G2 GET /Groups/{id}?excludedAttributes=members → 200 without members', async () => {
      const user = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: user.id }] }));
      expect(await memberIds(admin.id)).toContain(user.id);
      const group = expectStatus(await send('GET', `/Groups/${admin.id}?excludedAttributes=members`), 200);
      expect(group).toMatchObject({ id: admin.id, displayName: 'Admin' });
      expect(group.members).toBeUndefined();
      expect(group.meta).toMatchObject({ resourceType: 'Group' });
    });

    it('E-G1 POST /Groups → 403 SCIM error (roles are created in Roster); nothing is created', async () => {
      const body = {
        schemas: [
          'urn:ietf:params:scim:schemas:core:2.0:Group',
          'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
        ],
        externalId: guid(),
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      };
      expectScimError(await send('POST', '/Groups', body), 403);
      expectEmptyList(await send('GET', '/Groups?filter=displayName+eq+%22displayName%22'));
      expect(expectList(await send('GET', '/Groups')).totalResults).toBe(2);
    });

    it('E-G4 Replace displayName with the current name → 204 no-op; a new name → 400 and the role keeps its name', async () => {
      const before = await memberIds(admin.id);
      const same = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'Replace', path: 'displayName', value: 'Admin' }));
      expect(same.status, same.describe).toBe(204);
      expect((await readGroup(admin.id)).displayName).toBe('Admin');
      expect(await memberIds(admin.id)).toEqual(before);
      const renamed = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'Replace', path: 'displayName', value: `${guid()}updatedDisplayName` }),
      );
      expectScimError(renamed, 400, 'mutability');
      expect((await readGroup(admin.id)).displayName).toBe('Admin');
    });

    it('E-G5 Add members with "$ref": null → 204; the user holds the role', async () => {
      const user = await provision();
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: user.id }] }),
      );
      expect(response.status, response.describe).toBe(204);
      expect(await memberIds(admin.id)).toContain(user.id);
      expect(await groupNamesOf(user.id)).toEqual(['Admin']);
    });

    it('E-G5 several members in one Add → all added', async () => {
      const users = [await provision(), await provision(), await provision()];
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'Add', path: 'members', value: users.map((u) => ({ $ref: null, value: u.id })) }),
      );
      expect(response.status, response.describe).toBe(204);
      const members = await memberIds(admin.id);
      for (const u of users) expect(members).toContain(u.id);
    });

    it('E-G5 adding an existing member again is idempotent (204, listed once)', async () => {
      const user = await provision();
      const add = patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: user.id }] });
      expect((await send('PATCH', `/Groups/${admin.id}`, add)).status).toBe(204);
      const once = await memberIds(admin.id);
      const again = await send('PATCH', `/Groups/${admin.id}`, add);
      expect(again.status, again.describe).toBe(204);
      expect(await memberIds(admin.id)).toEqual(once);
      expect(once.filter((m) => m === user.id)).toHaveLength(1);
    });

    it('E-G6 default-dialect Remove with a value list removes ONLY the listed member, never the whole group', async () => {
      const [a, b, c] = [await provision(), await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'Add', path: 'members', value: [a, b, c].map((u) => ({ value: u.id })) }));
      expect(await memberIds(admin.id)).toEqual(expect.arrayContaining([a.id, b.id, c.id]));
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: a.id }] }),
      );
      expect(response.status, response.describe).toBe(204);
      const members = await memberIds(admin.id);
      expect(members).not.toContain(a.id);
      expect(members).toEqual(expect.arrayContaining([b.id, c.id]));
      // A user holds exactly one role: leaving Admin returns a to the default role.
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
      expect(await memberIds(member.id)).toContain(a.id);
    });

    it('E-G6 Remove listing a member and a non-member → the member leaves, the others stay, 204', async () => {
      const [a, b, outsider] = [await provision(), await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'Add', path: 'members', value: [a, b].map((u) => ({ value: u.id })) }));
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({
          op: 'Remove',
          path: 'members',
          value: [
            { $ref: null, value: a.id },
            { $ref: null, value: outsider.id },
          ],
        }),
      );
      expect(response.status, response.describe).toBe(204);
      const members = await memberIds(admin.id);
      expect(members).not.toContain(a.id);
      expect(members).toContain(b.id);
      expect(await groupNamesOf(outsider.id)).toEqual(['Member']);
    });

    it('several membership changes in one PATCH (gallery checklist): Add one, Remove another', async () => {
      const [a, b] = [await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'Add', path: 'members', value: [{ value: a.id }] }));
      expect(await memberIds(admin.id)).toContain(a.id);
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp(
          { op: 'Add', path: 'members', value: [{ $ref: null, value: b.id }] },
          { op: 'Remove', path: 'members', value: [{ $ref: null, value: a.id }] },
        ),
      );
      expect(response.status, response.describe).toBe(204);
      const members = await memberIds(admin.id);
      expect(members).toContain(b.id);
      expect(members).not.toContain(a.id);
    });

    it('a user holds exactly one role: joining Member leaves Admin', async () => {
      const user = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'Add', path: 'members', value: [{ value: user.id }] }));
      expect(await groupNamesOf(user.id)).toEqual(['Admin']);
      const response = await send(
        'PATCH',
        `/Groups/${member.id}`,
        patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: user.id }] }),
      );
      expect(response.status, response.describe).toBe(204);
      expect(await groupNamesOf(user.id)).toEqual(['Member']);
      expect(await memberIds(admin.id)).not.toContain(user.id);
      expect(await memberIds(member.id)).toContain(user.id);
    });

    it('an unresolvable member id in an Add is skipped (no 4xx/5xx loop); the known id is applied', async () => {
      const user = await provision();
      const response = await send(
        'PATCH',
        `/Groups/${admin.id}`,
        patchOp({
          op: 'Add',
          path: 'members',
          value: [
            { $ref: null, value: guid() },
            { $ref: null, value: user.id },
          ],
        }),
      );
      expect(response.status, response.describe).toBe(204);
      expect(await memberIds(admin.id)).toContain(user.id);
    });

    it('a deleted user disappears from the group and can no longer be added', async () => {
      const user = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'Add', path: 'members', value: [{ value: user.id }] }));
      expect(await memberIds(admin.id)).toContain(user.id);
      expect((await send('DELETE', `/Users/${user.id}`)).status).toBe(204);
      expect(await memberIds(admin.id)).not.toContain(user.id);
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'Add', path: 'members', value: [{ value: user.id }] }));
      expect(await memberIds(admin.id)).not.toContain(user.id);
    });

    it('E-G7 DELETE /Groups/{id} → 403 SCIM error; the role and its members stay', async () => {
      const before = await memberIds(admin.id);
      expectScimError(await send('DELETE', `/Groups/${admin.id}`), 403);
      expect(await memberIds(admin.id)).toEqual(before);
    });

    it('PATCH and GET of an unknown group → 404 SCIM error', async () => {
      expectScimError(await send('GET', `/Groups/${guid()}`), 404);
      expectScimError(await send('PATCH', `/Groups/${guid()}`, patchOp({ op: 'Add', path: 'members', value: [{ value: guid() }] })), 404);
    });
  });

  it('E-S1 GET /Schemas → ListResponse with User, Group and EnterpriseUser, camelCase values, no nulls', async () => {
    const list = expectList(await send('GET', '/Schemas'));
    const ids = sorted(list.Resources.map((s: Json) => s.id as string));
    expect(ids).toEqual(expect.arrayContaining([USER_SCHEMA, 'urn:ietf:params:scim:schemas:core:2.0:Group', ENTERPRISE]));
    expectNoNulls(list);
    const user = list.Resources.find((s: Json) => s.id === USER_SCHEMA) as Json;
    const userName = (user.attributes as Json[]).find((a) => a.name === 'userName') as Json;
    expect(userName.mutability).toBe('readWrite');
  });
});
