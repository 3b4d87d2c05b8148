import { beforeAll, describe, expect, it } from 'vitest';
import { type ScimClient, scimClient, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { ENTERPRISE, expectScimError, type Json, LIST_SCHEMA, TEAMS } from './helpers.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'];

/** Checks one attribute definition carries the RFC 7643 §7 characteristics. */
function expectAttributeDefinition(attribute: Json, where: string): void {
  const at = `${where}.${attribute.name}`;
  expect(typeof attribute.name, at).toBe('string');
  expect(TYPES, at).toContain(attribute.type);
  expect(typeof attribute.multiValued, at).toBe('boolean');
  expect(typeof attribute.description, at).toBe('string');
  expect(typeof attribute.required, at).toBe('boolean');
  expect(typeof attribute.caseExact, at).toBe('boolean');
  expect(['readOnly', 'readWrite', 'immutable', 'writeOnly'], at).toContain(attribute.mutability);
  expect(['always', 'never', 'default', 'request'], at).toContain(attribute.returned);
  expect(['none', 'server', 'global'], at).toContain(attribute.uniqueness);
  if (attribute.type === 'complex') {
    expect(Array.isArray(attribute.subAttributes), at).toBe(true);
    expect(attribute.subAttributes.length, at).toBeGreaterThan(0);
    for (const sub of attribute.subAttributes) {
      expectAttributeDefinition(sub, at);
      expect(sub.type, `${at}.${sub.name}`).not.toBe('complex');
    }
  } else {
    expect(attribute.subAttributes, at).toBeUndefined();
  }
  if (attribute.type === 'reference') expect(Array.isArray(attribute.referenceTypes), at).toBe(true);
}

/** /ServiceProviderConfig, /ResourceTypes, /Schemas (RFC 7644 §4, RFC 7643 §5–§7). */
describe('discovery endpoints', () => {
  const { server, scim } = workspaceForSuite('discovery');
  let anonymous: ScimClient;

  beforeAll(async () => {
    anonymous = scimClient(server, undefined);
  });

  describe('/ServiceProviderConfig', () => {
    it('describes the supported features and limits', async () => {
      const response = await scim.get('/ServiceProviderConfig');
      expect(response.status).toBe(200);
      const body = response.body;
      expect(body.schemas).toEqual([SPC_SCHEMA]);
      expect(body.patch).toEqual({ supported: true });
      expect(body.filter.supported).toBe(true);
      expect(body.filter.maxResults).toBe(1000);
      expect(body.bulk.supported).toBe(false);
      expect(typeof body.bulk.maxOperations).toBe('number');
      expect(typeof body.bulk.maxPayloadSize).toBe('number');
      expect(body.changePassword).toEqual({ supported: false });
      expect(body.sort).toEqual({ supported: true });
      expect(body.etag).toEqual({ supported: true });
      expect(body.authenticationSchemes.length).toBeGreaterThan(0);
      const scheme = body.authenticationSchemes[0];
      expect(scheme.type).toBe('oauthbearertoken');
      expect(typeof scheme.name).toBe('string');
      expect(typeof scheme.description).toBe('string');
      expect(body.meta.resourceType).toBe('ServiceProviderConfig');
      expect(body.meta.location).toBe(`${server.scimUrl}/ServiceProviderConfig`);
    });

    it('is served without a token as well', async () => {
      const withToken = await scim.get('/ServiceProviderConfig');
      const without = await anonymous.get('/ServiceProviderConfig');
      expect(without.status).toBe(200);
      expect(without.body).toStrictEqual(withToken.body);
    });
  });

  describe('/ResourceTypes', () => {
    it('lists User (with the enterprise and Teams extensions) and Group', async () => {
      const response = await scim.get('/ResourceTypes');
      expect(response.status).toBe(200);
      const body = response.body;
      expect(body.schemas).toEqual([LIST_SCHEMA]);
      expect(body.totalResults).toBe(body.Resources.length);
      expect(body.itemsPerPage).toBe(body.Resources.length);
      expect(body.startIndex).toBe(1);
      const user = body.Resources.find((r: Json) => r.id === 'User');
      expect(user).toMatchObject({
        schemas: [RESOURCE_TYPE_SCHEMA],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        schema: USER_SCHEMA,
        meta: { resourceType: 'ResourceType', location: `${server.scimUrl}/ResourceTypes/User` },
      });
      expect(user.schemaExtensions).toEqual(
        expect.arrayContaining([
          { schema: ENTERPRISE, required: false },
          { schema: TEAMS, required: false },
        ]),
      );
      expect(user.schemaExtensions).toHaveLength(2);
      const group = body.Resources.find((r: Json) => r.id === 'Group');
      expect(group).toMatchObject({ name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA });
    });

    it('serves one resource type by name', async () => {
      const list = await scim.get('/ResourceTypes');
      const response = await scim.get('/ResourceTypes/User');
      expect(response.status).toBe(200);
      expect(response.body).toStrictEqual(list.body.Resources.find((r: Json) => r.id === 'User'));
    });

    it('404 for an unknown resource type', async () => {
      expectScimError(await scim.get('/ResourceTypes/Printer'), 404, null);
    });
  });

  describe('/Schemas', () => {
    it('lists User, Group, EnterpriseUser and Teams', async () => {
      const response = await scim.get('/Schemas');
      expect(response.status).toBe(200);
      const body = response.body;
      expect(body.schemas).toEqual([LIST_SCHEMA]);
      expect(body.totalResults).toBe(4);
      expect(body.itemsPerPage).toBe(4);
      expect(body.Resources.map((s: Json) => s.id).sort()).toEqual([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE, TEAMS].sort());
      const names = Object.fromEntries(body.Resources.map((s: Json) => [s.id, s.name]));
      expect(names).toEqual({ [USER_SCHEMA]: 'User', [GROUP_SCHEMA]: 'Group', [ENTERPRISE]: 'EnterpriseUser', [TEAMS]: 'Teams' });
    });

    it('every schema and attribute carries the RFC 7643 §7 fields', async () => {
      const response = await scim.get('/Schemas');
      for (const schema of response.body.Resources) {
        expect(schema.schemas).toEqual([SCHEMA_SCHEMA]);
        expect(typeof schema.description).toBe('string');
        expect(schema.meta).toEqual({ resourceType: 'Schema', location: `${server.scimUrl}/Schemas/${schema.id}` });
        expect(schema.attributes.length).toBeGreaterThan(0);
        for (const attribute of schema.attributes) expectAttributeDefinition(attribute, schema.name);
      }
    });

    it('describes the User attributes as Roster treats them', async () => {
      const response = await scim.get(`/Schemas/${USER_SCHEMA}`);
      expect(response.status).toBe(200);
      const attributes = Object.fromEntries(response.body.attributes.map((a: Json) => [a.name, a]));
      expect(attributes.userName).toMatchObject({
        type: 'string',
        required: true,
        uniqueness: 'server',
        caseExact: false,
        multiValued: false,
      });
      expect(attributes.active).toMatchObject({ type: 'boolean' });
      expect(attributes.emails).toMatchObject({ type: 'complex', multiValued: true });
      expect(attributes.groups).toMatchObject({ mutability: 'readOnly', multiValued: true });
      expect(attributes.name.subAttributes.map((s: Json) => s.name)).toEqual(
        expect.arrayContaining(['formatted', 'familyName', 'givenName']),
      );
      // Never returned, so not advertised as stored (RFC 7643 §4.1.1 password is writeOnly/never).
      if (attributes.password) expect(attributes.password).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    });

    it('describes the enterprise manager and the Teams list', async () => {
      const enterprise = await scim.get(`/Schemas/${ENTERPRISE}`);
      const manager = enterprise.body.attributes.find((a: Json) => a.name === 'manager');
      expect(manager.type).toBe('complex');
      expect(manager.subAttributes.map((s: Json) => s.name).sort()).toEqual(['$ref', 'displayName', 'value'].sort());
      const teams = await scim.get(`/Schemas/${TEAMS}`);
      expect(teams.status).toBe(200);
      expect(teams.body.attributes).toEqual([
        expect.objectContaining({ name: 'teams', type: 'string', multiValued: true, caseExact: true }),
      ]);
    });

    it('serves each schema by its URN, the same as in the list', async () => {
      const list = await scim.get('/Schemas');
      for (const schema of list.body.Resources) {
        const response = await scim.get(`/Schemas/${schema.id}`);
        expect(response.status).toBe(200);
        expect(response.body).toStrictEqual(schema);
      }
    });

    it('404 for an unknown schema URN', async () => {
      expectScimError(await scim.get('/Schemas/urn:example:unknown'), 404, null);
    });

    it('is served without a token as well', async () => {
      expect((await anonymous.get('/Schemas')).status).toBe(200);
      expect((await anonymous.get('/ResourceTypes')).status).toBe(200);
    });
  });
});
