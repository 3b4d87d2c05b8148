import type { FastifyInstance } from 'fastify';
import { type Config, scimBaseUrl } from '../../config/config.js';
import type { RequestContext } from '../../directory/scim/scim-users.js';
import type { ListResponse } from '../../scim/messages/list-response.js';
import { parseSearchBody, parseSearchQuery, type SearchRequest } from '../../scim/messages/search-request.js';
import { type Projection, parseProjection } from '../../scim/schema/projection.js';
import type { ScimResource } from '../../scim/schema/resource-checker.js';
import type { ResourceType } from '../../scim/schema/resource-type.js';
import { type IdRequest, type QueryRequest, queryText, requestContext, sendResource, sendScim } from '../scim-reply.js';

/** What a resource endpoint offers for reading: search and fetch by id. */
export interface ReadableResources {
  list(context: RequestContext, request: SearchRequest): Promise<ListResponse<ScimResource>>;
  get(context: RequestContext, id: string, projection: Projection): Promise<ScimResource>;
}

/**
 * `GET {endpoint}`, `POST {endpoint}/.search` and `GET {endpoint}/{id}` (RFC 7644 §3.4), the same
 * for every resource type.
 */
export function registerReadRoutes(
  scope: FastifyInstance,
  config: Config,
  type: ResourceType,
  service: ReadableResources,
): (request: Parameters<typeof requestContext>[0]) => RequestContext {
  const baseUrl = scimBaseUrl(config);
  const searchLimits = { defaultCount: config.scim.defaultCount, maxResults: config.scim.maxResults };
  const context = (request: Parameters<typeof requestContext>[0]) => requestContext(request, baseUrl);
  scope.get(type.endpoint, async (request: QueryRequest, reply) =>
    sendScim(reply, await service.list(context(request), parseSearchQuery(request.query, searchLimits))),
  );
  scope.post(`${type.endpoint}/.search`, async (request, reply) =>
    sendScim(reply, await service.list(context(request), parseSearchBody(request.body, searchLimits))),
  );
  scope.get(`${type.endpoint}/:id`, async (request: IdRequest, reply) => {
    const { attributes, excludedAttributes } = request.query;
    const projection = parseProjection(type, queryText(attributes), queryText(excludedAttributes));
    return sendResource(reply, await service.get(context(request), request.params.id, projection));
  });
  return context;
}
