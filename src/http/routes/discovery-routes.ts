import type { FastifyInstance } from 'fastify';
import { type Config, scimBaseUrl } from '../../config/config.js';
import { ScimError } from '../../scim/errors.js';
import { listResponse } from '../../scim/messages/list-response.js';
import { describeResourceType, describeSchema, describeServiceProvider } from '../../scim/schema/discovery.js';
import { ALL_SCHEMAS, RESOURCE_TYPES } from '../../scim/schema/resource-type.js';
import { SCIM_CONTENT_TYPE } from '../error-handler.js';
import { refuseOtherMethods } from './method-not-allowed.js';

/** /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4), generated from the schema definitions. */
export function registerDiscoveryRoutes(scope: FastifyInstance, config: Config): void {
  const base = scimBaseUrl(config);
  const limits = { maxOperations: config.scim.maxOperations, maxPayloadSize: config.bodyLimit, maxResults: config.scim.maxResults };
  const serviceProvider = describeServiceProvider(base, limits);
  const schemas = ALL_SCHEMAS.map((s) => describeSchema(s, base));
  const resourceTypes = RESOURCE_TYPES.map((t) => describeResourceType(t, base));

  scope.get('/ServiceProviderConfig', async (_request, reply) => reply.type(SCIM_CONTENT_TYPE).send(serviceProvider));
  scope.get('/Schemas', async (_request, reply) => reply.type(SCIM_CONTENT_TYPE).send(listResponse(schemas, schemas.length, 1)));
  scope.get<{ Params: { id: string } }>('/Schemas/:id', async (request, reply) => {
    const schema = schemas.find((s) => String(s.id).toLowerCase() === request.params.id.toLowerCase());
    if (!schema) throw ScimError.notFound(`no schema ${JSON.stringify(request.params.id)}`);
    return reply.type(SCIM_CONTENT_TYPE).send(schema);
  });
  scope.get('/ResourceTypes', async (_request, reply) =>
    reply.type(SCIM_CONTENT_TYPE).send(listResponse(resourceTypes, resourceTypes.length, 1)),
  );
  for (const url of ['/ServiceProviderConfig', '/Schemas', '/Schemas/:id', '/ResourceTypes', '/ResourceTypes/:name']) {
    refuseOtherMethods(scope, url, ['GET']);
  }
  scope.get<{ Params: { name: string } }>('/ResourceTypes/:name', async (request, reply) => {
    const type = resourceTypes.find((t) => String(t.id).toLowerCase() === request.params.name.toLowerCase());
    if (!type) throw ScimError.notFound(`no resource type ${JSON.stringify(request.params.name)}`);
    return reply.type(SCIM_CONTENT_TYPE).send(type);
  });
}
