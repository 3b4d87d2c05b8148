import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../directory/scim/scim-users.js';
import type { ScimResource } from '../scim/schema/resource-checker.js';
import { SCIM_CONTENT_TYPE } from './error-handler.js';

/** Sends a resource with its ETag (RFC 7644 §3.14) and, for 201, its Location. */
export function sendResource(reply: FastifyReply, resource: ScimResource, status = 200): FastifyReply {
  const meta = resource.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) reply.header('etag', meta.version);
  if (status === 201 && meta?.location) reply.header('location', meta.location);
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(resource);
}

export function sendScim(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type(SCIM_CONTENT_TYPE).send(body);
}

/**
 * The request's workspace, SCIM base URL and If-Match precondition, and what its events carry:
 * the identity provider as the actor, the trace id, and the request line (for refusals).
 */
export function requestContext(request: FastifyRequest, baseUrl: string): RequestContext {
  const ifMatch = request.headers['if-match'];
  return {
    workspace: request.workspace,
    baseUrl,
    ...(typeof ifMatch === 'string' ? { ifMatch } : {}),
    events: { actor: { type: 'scim', provider: request.scimProvider }, traceId: request.id },
    request: { method: request.method, path: request.url },
  };
}

export type IdRequest = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown> }>;
export type QueryRequest = FastifyRequest<{ Querystring: Record<string, unknown> }>;

export const queryText = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
