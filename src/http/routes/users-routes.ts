import type { FastifyInstance } from 'fastify';
import { scimBaseUrl } from '../../config/config.js';
import { parseSearchBody, parseSearchQuery } from '../../scim/messages/search-request.js';
import { parseProjection } from '../../scim/schema/projection.js';
import { USER_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { type IdRequest, type QueryRequest, queryText, requestContext, sendResource, sendScim } from '../scim-reply.js';
import { noteResult } from '../provisioning-log-hook.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import type { ScimRouteDependencies } from './scim-routes.js';

/** The /Users endpoint (RFC 7644 §3). */
export function registerUsersRoutes(scope: FastifyInstance, { config, users }: ScimRouteDependencies): void {
  const baseUrl = scimBaseUrl(config);
  const searchLimits = { defaultCount: config.scim.defaultCount, maxResults: config.scim.maxResults };
  const context = (request: Parameters<typeof requestContext>[0]) => requestContext(request, baseUrl);

  scope.get('/Users', async (request: QueryRequest, reply) =>
    sendScim(reply, await users.list(context(request), parseSearchQuery(request.query, searchLimits))),
  );
  scope.post('/Users/.search', async (request, reply) =>
    sendScim(reply, await users.list(context(request), parseSearchBody(request.body, searchLimits))),
  );
  scope.post('/Users', async (request, reply) => {
    const result = await users.create(context(request), request.body);
    noteResult(request, result);
    return sendResource(reply, result.resource, 201);
  });
  scope.get('/Users/:id', async (request: IdRequest, reply) => {
    const { attributes, excludedAttributes } = request.query;
    const projection = parseProjection(USER_RESOURCE_TYPE, queryText(attributes), queryText(excludedAttributes));
    return sendResource(reply, await users.get(context(request), request.params.id, projection));
  });
  scope.put('/Users/:id', async (request: IdRequest, reply) => {
    const result = await users.replace(context(request), request.params.id, request.body);
    noteResult(request, result);
    return sendResource(reply, result.resource);
  });
  scope.patch('/Users/:id', async (request: IdRequest, reply) => {
    const result = await users.patch(context(request), request.params.id, request.body);
    noteResult(request, result);
    return sendResource(reply, result.resource);
  });
  scope.delete('/Users/:id', async (request: IdRequest, reply) => {
    await users.delete(context(request), request.params.id);
    return reply.code(204).send();
  });
  refuseOtherMethods(scope, '/Users', ['GET', 'POST']);
  refuseOtherMethods(scope, '/Users/.search', ['POST']);
  refuseOtherMethods(scope, '/Users/:id', ['GET', 'PUT', 'PATCH', 'DELETE']);
}
