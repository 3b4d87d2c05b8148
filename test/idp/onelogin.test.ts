import { describe, expect, it } from 'vitest';
import { idpSuite, lifecycle } from './idp-harness.js';
import { ENTERPRISE, enterprise, guid, type Json, ONELOGIN, patchOp, plusEncoded, workEmail } from './replay.js';
import { expectEmptyList, expectList, expectNoNulls, expectScimError, expectStatus } from './replay-assertions.js';

/**
 * OneLogin's SCIM provisioner (idp-behaviour.md §3): the customer's JSON template rendered per
 * user and sent as the POST and PUT body, an empty User-Agent, `application/scim+json` bodies,
 * `GET /Users?filter=userName+eq+%22…%22&` (trailing `&`) and `PUT /Users/{id}?` (trailing `?`).
 */
describe('OneLogin (SCIM v2 Enterprise template)', () => {
  const suite = idpSuite('onelogin', ONELOGIN);
  const { send, readUser, expectUserGone, findUsers, idsByUserName, memberIds, groupByName, groupNamesOf } = suite;
  let counter = 0;

  interface Params {
    scimusername: string;
    firstname: string;
    lastname: string;
    email: string;
    title: string;
    department: string;
    managerId: string;
    managerName: string;
    active: string;
  }

  const params = (extra: Partial<Params> = {}): Params => {
    const n = `${++counter}-${guid().slice(0, 8)}`;
    return {
      scimusername: `ol.user${n}@example.com`,
      firstname: 'One',
      lastname: 'Login',
      email: `ol.user${n}@example.com`,
      title: '',
      department: '',
      managerId: '',
      managerName: '',
      active: 'true',
      ...extra,
    };
  };

  /** The customer-written v2 template as OneLogin renders it (string booleans, empty strings, id: null). */
  const template = (p: Params): Json => ({
    schemas: ['urn:scim:schemas:core:2.0', 'urn:scim:schemas:extension:enterprise:2.0'],
    id: null,
    userName: p.scimusername,
    name: { familyName: p.lastname, givenName: p.firstname, formatted: `${p.firstname} ${p.lastname}` },
    emails: { value: p.email, type: 'work', primary: true },
    title: p.title,
    active: p.active,
    meta: { resourceType: 'User' },
    addresses: [{ type: 'work', streetAddress: '', locality: '', postalCode: '', country: '' }],
    'urn:scim:schemas:extension:enterprise:2.0': {
      department: p.department,
      manager: { value: p.managerId, displayName: p.managerName.trim() === '' ? '' : p.managerName },
    },
  });

  const matchQuery = (userName: string) => `/Users?filter=${plusEncoded(`userName eq "${userName}"`)}&`;

  /** Provision: filter with trailing `&` (no match), then POST the rendered template. */
  const provision = suite.provisioner((p: Params = params()) => template(p), matchQuery);

  describe('user lifecycle, in order', () => {
    const { life, id } = lifecycle<{ p?: Params; managerId?: string }>();

    it('enable / connection test: GET /Users?filter=userName+eq+%22onelogin-test-user01%22& with an empty User-Agent → 200 empty', async () => {
      expectEmptyList(await send('GET', '/Users?filter=userName+eq+%22onelogin-test-user01%22&'));
    });

    it('provision: the match query with a trailing & finds nobody', async () => {
      const manager = await provision();
      life.managerId = manager.id;
      life.p = params({ title: 'Sales Rep', department: 'Sales', managerId: manager.id, managerName: 'One Login' });
      expectEmptyList(await send('GET', matchQuery(life.p.scimusername)));
    });

    it('POST the template: emails as one object, "active": "true", "id": null, empty strings, odd URNs → 201; reads back', async () => {
      const p = life.p as Params;
      const created = expectStatus(await send('POST', '/Users', template(p)), 201);
      life.id = created.id;
      expect(typeof created.id).toBe('string');
      expect(created.active).toBe(true);
      expectNoNulls(created);
      const stored = await readUser(id());
      expect(stored.userName).toBe(p.scimusername);
      expect(stored.active).toBe(true);
      expect(stored.emails).toEqual([{ value: p.email, type: 'work', primary: true }]);
      expect(stored.name).toMatchObject({ givenName: 'One', familyName: 'Login' });
      expect(stored.title).toBe('Sales Rep');
      expect(enterprise(stored).department).toBe('Sales');
      expect(enterprise(stored).manager).toMatchObject({ value: life.managerId });
      expect(stored.schemas).toContain(ENTERPRISE);
    });

    it('get user by id → 200', async () => {
      const user = expectStatus(await send('GET', `/Users/${id()}`), 200);
      expect(user.userName).toBe(life.p?.scimusername);
    });

    it('the match query with a trailing & now finds exactly the user', async () => {
      const list = expectList(await send('GET', matchQuery(life.p?.scimusername as string)));
      expect(list.Resources.map((u: Json) => u.id)).toEqual([id()]);
    });

    it('update: PUT /Users/{id}? (trailing ?) with the re-rendered template → 200; reads back', async () => {
      const p = { ...(life.p as Params), firstname: 'Uno', title: 'Account Executive', department: 'Enterprise Sales' };
      const updated = expectStatus(await send('PUT', `/Users/${id()}?`, template(p)), 200);
      expect(updated.id).toBe(id());
      const stored = await readUser(id());
      expect(stored.name.givenName).toBe('Uno');
      expect(stored.title).toBe('Account Executive');
      expect(enterprise(stored).department).toBe('Enterprise Sales');
      expect(stored.active).toBe(true);
      life.p = p;
    });

    it('update: a parameter emptied in OneLogin renders "" and clears the attribute', async () => {
      const p = { ...(life.p as Params), title: '' };
      expectStatus(await send('PUT', `/Users/${id()}?`, template(p)), 200);
      const stored = await readUser(id());
      expect(stored.title).toBeUndefined();
      expect(stored.name.givenName).toBe('Uno');
      life.p = p;
    });

    it('update: a new email address in the template replaces the work email', async () => {
      const email = `ol.changed.${guid().slice(0, 8)}@example.com`;
      const p = { ...(life.p as Params), email };
      expectStatus(await send('PUT', `/Users/${id()}?`, template(p)), 200);
      const stored = await readUser(id());
      expect(workEmail(stored)).toBe(email);
      expect(stored.emails).toHaveLength(1);
      life.p = p;
    });

    it('Suspend: PUT with "active": "false" (string) → active false, still readable and findable', async () => {
      const p = { ...(life.p as Params), active: 'false' };
      expect(expectStatus(await send('PUT', `/Users/${id()}?`, template(p)), 200).active).toBe(false);
      expect((await readUser(id())).active).toBe(false);
      expect((await findUsers(`userName eq "${p.scimusername}"`)).map((u) => [u.id, u.active])).toEqual([[id(), false]]);
    });

    it('reactivate: PUT with "active": "true" → active true', async () => {
      const p = { ...(life.p as Params), active: 'true' };
      expectStatus(await send('PUT', `/Users/${id()}?`, template(p)), 200);
      expect((await readUser(id())).active).toBe(true);
    });

    it('Suspend with a boolean false in the template → active false; then true again', async () => {
      const body = { ...template(life.p as Params), active: false };
      expectStatus(await send('PUT', `/Users/${id()}?`, body), 200);
      expect((await readUser(id())).active).toBe(false);
      expectStatus(await send('PUT', `/Users/${id()}?`, { ...body, active: true }), 200);
      expect((await readUser(id())).active).toBe(true);
    });

    it('Delete: DELETE /Users/{id} → 204; GET → 404; the match query finds nobody', async () => {
      const response = await send('DELETE', `/Users/${id()}`);
      expect(response.status, response.describe).toBe(204);
      await expectUserGone(id());
      expectEmptyList(await send('GET', matchQuery(life.p?.scimusername as string)));
      expectScimError(await send('PUT', `/Users/${id()}?`, template(life.p as Params)), 404);
    });

    it('access granted again: match query empty, POST the template → 201 with the same id, active', async () => {
      const p = life.p as Params;
      expectEmptyList(await send('GET', matchQuery(p.scimusername)));
      const created = expectStatus(await send('POST', '/Users', template(p)), 201);
      expect(created.id).toBe(id());
      expect((await readUser(id())).active).toBe(true);
      expect(await idsByUserName(p.scimusername)).toEqual([id()]);
    });

    it('Get Users: GET /Users → ListResponse containing the user', async () => {
      const list = expectList(await send('GET', '/Users?startIndex=1&count=100'));
      expect(list.Resources.map((u: Json) => u.id)).toContain(id());
    });
  });

  describe('other template shapes', () => {
    it("OneLogin's documented SCIM 1.x Enterprise template (core:1.0 schemas, manager.managerId) → 201; reads back", async () => {
      const manager = await provision();
      const n = guid().slice(0, 8);
      const body = {
        schemas: ['urn:scim:schemas:core:1.0', 'urn:scim:schemas:extension:enterprise:1.0'],
        userName: `ol.v1.${n}@example.com`,
        name: { familyName: 'Legacy', givenName: 'Vee', formatted: 'Vee Legacy' },
        emails: { value: `ol.v1.${n}@example.com`, type: 'work', primary: true },
        title: 'Analyst',
        'urn:scim:schemas:extension:enterprise:1.0': {
          department: 'Finance',
          manager: { managerId: manager.id, displayName: 'One Login' },
        },
      };
      const created = expectStatus(await send('POST', '/Users', body), 201);
      const stored = await readUser(created.id);
      expect(stored.emails).toEqual([{ value: body.emails.value, type: 'work', primary: true }]);
      expect(stored.title).toBe('Analyst');
      expect(enterprise(stored).department).toBe('Finance');
      expect(enterprise(stored).manager).toMatchObject({ value: manager.id });
    });

    it('an email without primary or type, and a userName that is not an email → the first email is used', async () => {
      const n = guid().slice(0, 8);
      const body = {
        schemas: ['urn:scim:schemas:core:2.0'],
        id: null,
        userName: `olplain${n}`,
        name: { familyName: 'Plain', givenName: 'Pat' },
        emails: { value: `olplain${n}@example.com` },
        active: 'true',
      };
      const created = expectStatus(await send('POST', '/Users', body), 201);
      const stored = await readUser(created.id);
      expect(stored.emails).toEqual([{ value: `olplain${n}@example.com` }]);
      expect(stored.active).toBe(true);
    });

    it('an address rendered from empty parameters (every part "") is not stored as an element', async () => {
      const created = await provision();
      expect(created.addresses).toBeUndefined();
      expect((await readUser(created.id)).addresses).toBeUndefined();
    });

    it('a manager left empty in the template ("value": "") sets no manager', async () => {
      const created = await provision();
      const stored = await readUser(created.id);
      expect(enterprise(stored).manager).toBeUndefined();
      expect(enterprise(stored).department).toBeUndefined();
      expect(stored.title).toBeUndefined();
    });

    it('a template with an unparseable active string → 400 SCIM error; nothing created', async () => {
      const p = params({ active: 'yes please' });
      expectScimError(await send('POST', '/Users', template(p)), 400);
      expect(await idsByUserName(p.scimusername)).toEqual([]);
    });
  });

  describe('entitlements (roles as Groups)', () => {
    const { admin, member } = suite.roles();

    it('Refresh entitlements: GET /Groups → Admin and Member; the Guest role is not listed', async () => {
      const list = expectList(await send('GET', '/Groups'));
      expect(list.Resources.map((g: Json) => g.displayName).sort()).toEqual(['Admin', 'Member']);
      expectNoNulls(list);
    });

    it('Create Group: POST /Groups → 403 SCIM error (roles are managed in Roster); nothing created', async () => {
      expectScimError(
        await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales' }),
        403,
      );
      expect(expectList(await send('GET', '/Groups')).totalResults).toBe(2);
    });

    it('rule assigns Admin: PATCH /Groups/{id} add members (application/scim+json, empty User-Agent) → 204; reads back', async () => {
      const user = await provision();
      const response = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }));
      expect(response.status, response.describe).toBe(204);
      expect(await memberIds(admin.id)).toContain(user.id);
      expect(await groupNamesOf(user.id)).toEqual(['Admin']);
    });

    it('rule removed: PATCH remove members with a value list → only that user leaves', async () => {
      const [a, b] = [await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }));
      expect(await memberIds(admin.id)).toEqual(expect.arrayContaining([a.id, b.id]));
      const response = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'remove', path: 'members', value: [{ value: a.id }] }));
      expect(response.status, response.describe).toBe(204);
      const members = await memberIds(admin.id);
      expect(members).not.toContain(a.id);
      expect(members).toContain(b.id);
      expect(await groupNamesOf(a.id)).toEqual(['Member']);
    });

    it('rule removed: PATCH remove members[value eq "…"] → that user leaves', async () => {
      const [a, b] = [await provision(), await provision()];
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: a.id }, { value: b.id }] }));
      const response = await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'remove', path: `members[value eq "${b.id}"]` }));
      expect(response.status, response.describe).toBe(204);
      const members = await memberIds(admin.id);
      expect(members).not.toContain(b.id);
      expect(members).toContain(a.id);
    });

    it('two rules set two roles: the last one wins (a user holds one role)', async () => {
      const user = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }));
      const response = await send('PATCH', `/Groups/${member.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }));
      expect(response.status, response.describe).toBe(204);
      expect(await groupNamesOf(user.id)).toEqual(['Member']);
      expect(await memberIds(admin.id)).not.toContain(user.id);
    });

    it('a group removed in OneLogin sends nothing: the role and its members stay', async () => {
      const user = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }));
      expect(await memberIds(admin.id)).toContain(user.id);
      expect((await groupByName('Admin')).id).toBe(admin.id);
    });

    it('a user deleted via DELETE /Users leaves the role', async () => {
      const user = await provision();
      await send('PATCH', `/Groups/${admin.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }));
      expect((await send('DELETE', `/Users/${user.id}`)).status).toBe(204);
      expect(await memberIds(admin.id)).not.toContain(user.id);
    });
  });
});
