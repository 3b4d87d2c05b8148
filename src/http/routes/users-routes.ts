import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { scimBaseUrl } from '../../config/config.js';
import type { RequestContext } from '../../directory/scim-users.js';
import { parseSearchBody, parseSearchQuery } from '../../scim/messages/search-request.js';
import { parseProjection } from '../../scim/schema/projection.js';
import type { ScimResource } from '../../scim/schema/resource-checker.js';
import { USER_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { SCIM_CONTENT_TYPE } from '../error-handler.js';
import type { ScimRouteDependencies } from './scim-routes.js';

type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>;

/** The /Users endpoint (RFC 7644 §3). */
export function registerUsersRoutes(scope: FastifyInstance, { config, users }: ScimRouteDependencies): void {
  const baseUrl = scimBaseUrl(config);
  const searchLimits = { defaultCount: config.scim.defaultCount, maxResults: config.scim.maxResults };
  const context = (request: FastifyRequest): RequestContext => {
    const ifMatch = request.headers['if-match'];
    return { workspace: request.workspace, baseUrl, ...(typeof ifMatch === 'string' ? { ifMatch } : {}) };
  };
  const sendResource = (reply: FastifyReply, resource: ScimResource, status = 200) => {
    const meta = resource.meta as { version?: string; location?: string } | undefined;
    if (meta?.version) reply.header('etag', meta.version);
    if (status === 201 && meta?.location) reply.header('location', meta.location);
    return reply.code(status).type(SCIM_CONTENT_TYPE).send(resource);
  };

  scope.get('/Users', async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const search = parseSearchQuery(request.query, searchLimits);
    return reply.type(SCIM_CONTENT_TYPE).send(await users.list(context(request), search));
  });
  scope.post('/Users/.search', async (request, reply) => {
    const search = parseSearchBody(request.body, searchLimits);
    return reply.type(SCIM_CONTENT_TYPE).send(await users.list(context(request), search));
  });
  scope.post('/Users', async (request, reply) => {
    const result = await users.create(context(request), request.body);
    return sendResource(reply, result.resource, 201);
  });
  scope.get('/Users/:id', async (request: IdRequest, reply) => {
    const query = request.query;
    const projection = parseProjection(
      USER_RESOURCE_TYPE,
      query.attributes as string | undefined,
      query.excludedAttributes as string | undefined,
    );
    return sendResource(reply, await users.get(context(request), request.params.id, projection));
  });
  scope.put('/Users/:id', async (request: IdRequest, reply) => {
    const result = await users.replace(context(request), request.params.id, request.body);
    return sendResource(reply, result.resource);
  });
  scope.patch('/Users/:id', async (request: IdRequest, reply) => {
    const result = await users.patch(context(request), request.params.id, request.body);
    return sendResource(reply, result.resource);
  });
  scope.delete('/Users/:id', async (request: IdRequest, reply) => {
    await users.delete(context(request), request.params.id);
    return reply.code(204).send();
  });
}
