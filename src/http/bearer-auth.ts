import type { FastifyInstance } from 'fastify';
import type { Directory } from '../directory/directory.js';
import type { Workspace } from '../directory/model.js';
import { ScimError } from '../scim/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The workspace the bearer token belongs to; set for every authenticated SCIM route. */
    workspace: Workspace;
    /** The id of the token that authenticated the request: the key of per-token limits. */
    scimTokenId: string;
    /** The identity provider of the token's integration: the actor of the request's events. */
    scimProvider: string;
  }
}

/**
 * RFC 6750 bearer authentication. The token is looked up on every request (by its hash, with
 * its workspace, in one indexed read), so a revocation through any instance or the CLI applies at once.
 */
export function registerBearerAuth(scope: FastifyInstance, directory: Directory): void {
  scope.decorateRequest('workspace', null as unknown as Workspace);
  scope.decorateRequest('scimTokenId', '');
  scope.decorateRequest('scimProvider', '');
  scope.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new ScimError('unauthorized', 'send the SCIM token as "Authorization: Bearer <token>"');
    const authenticated = await directory.integrations.authenticate(match[1] as string);
    if (!authenticated) throw new ScimError('unauthorized', 'the bearer token is unknown or has been revoked');
    request.workspace = authenticated.workspace;
    request.scimTokenId = authenticated.tokenId;
    request.scimProvider = authenticated.provider;
  });
}
