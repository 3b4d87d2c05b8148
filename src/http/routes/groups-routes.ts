import type { FastifyInstance } from 'fastify';
import { scimBaseUrl } from '../../config/config.js';
import { ScimError } from '../../scim/errors.js';
import { parseSearchBody, parseSearchQuery } from '../../scim/messages/search-request.js';
import { parseProjection } from '../../scim/schema/projection.js';
import { GROUP_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { type IdRequest, type QueryRequest, queryText, requestContext, sendResource, sendScim } from '../scim-reply.js';
import { noteResult } from '../provisioning-log-hook.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import type { ScimRouteDependencies } from './scim-routes.js';

/** The /Groups endpoint: roles, readable and assignable, never created or deleted over SCIM. */
export function registerGroupsRoutes(scope: FastifyInstance, { config, groups }: ScimRouteDependencies): void {
  const baseUrl = scimBaseUrl(config);
  const searchLimits = { defaultCount: config.scim.defaultCount, maxResults: config.scim.maxResults };
  const context = (request: Parameters<typeof requestContext>[0]) => requestContext(request, baseUrl);

  scope.get('/Groups', async (request: QueryRequest, reply) =>
    sendScim(reply, await groups.list(context(request), parseSearchQuery(request.query, searchLimits))),
  );
  scope.post('/Groups/.search', async (request, reply) =>
    sendScim(reply, await groups.list(context(request), parseSearchBody(request.body, searchLimits))),
  );
  scope.get('/Groups/:id', async (request: IdRequest, reply) => {
    const { attributes, excludedAttributes } = request.query;
    const projection = parseProjection(GROUP_RESOURCE_TYPE, queryText(attributes), queryText(excludedAttributes));
    return sendResource(reply, await groups.get(context(request), request.params.id, projection));
  });
  scope.patch('/Groups/:id', async (request: IdRequest, reply) => {
    noteResult(request, await groups.patch(context(request), request.params.id, request.body));
    return reply.code(204).send();
  });
  scope.put('/Groups/:id', async (request: IdRequest, reply) => {
    const result = await groups.replace(context(request), request.params.id, request.body);
    noteResult(request, result);
    return sendResource(reply, result.resource);
  });
  scope.post('/Groups', async () => {
    throw new ScimError(
      'operationRefused',
      'roles are created in Roster, not over SCIM: link your IdP group to an existing role with the same name',
    );
  });
  refuseOtherMethods(scope, '/Groups', ['GET', 'POST']);
  refuseOtherMethods(scope, '/Groups/.search', ['POST']);
  refuseOtherMethods(scope, '/Groups/:id', ['GET', 'PUT', 'PATCH', 'DELETE']);
  scope.delete('/Groups/:id', async () => {
    throw new ScimError('operationRefused', 'roles are deleted in Roster, not over SCIM: unlink the group in your IdP instead');
  });
}
