import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { ApiCaller } from '../directory/api-keys/api-keys.js';
import type { Directory } from '../directory/directory.js';
import { isStorableInput } from '../scim/unicode.js';
import { ApiError, apiFailure, sendApiError } from './api-errors.js';
import { registerEventRoutes } from './event-routes.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { registerWorkspaceRoutes } from './workspace-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the API key lets in; set on every authenticated /api/v1 route. */
    apiCaller: ApiCaller;
  }
}

export interface ApiContext {
  readonly directory: Directory;
  readonly config: Config;
}

/**
 * The application API under /api/v1 (docs/api.md): JSON (not SCIM) for the app Roster serves,
 * authenticated by API keys, which are not SCIM tokens. Its routes' JSON schemas validate the
 * input, serialise the output and make /api/v1/openapi.json.
 */
export async function registerApi(app: FastifyInstance, context: ApiContext): Promise<void> {
  await app.register(
    async (scope) => {
      for (const schema of SHARED_SCHEMAS) scope.addSchema(schema);
      await scope.register(swagger, {
        openapi: {
          openapi: '3.1.0',
          info: { title: 'Roster application API', version: '1', description: 'The directory, for the app it serves. See docs/api.md.' },
          servers: [{ url: context.config.publicUrl }],
          components: {
            securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'roster_key_… (roster api-key create)' } },
          },
          security: [{ apiKey: [] }],
        },
        refResolver: { buildLocalReference: (json) => String(json.$id) },
      });
      scope.setErrorHandler((error, request, reply) => {
        const failure = apiFailure(error);
        if (failure) return sendApiError(reply, failure.code, failure.message);
        request.log.error({ err: error, traceId: request.id }, 'unexpected error');
        return sendApiError(reply, 'internal', `an unexpected error occurred (trace id ${request.id})`);
      });
      scope.setNotFoundHandler((request, reply) =>
        sendApiError(reply, 'not_found', `no endpoint ${request.method} ${request.url.split('?')[0]}`),
      );
      // Issue 15 fuzz test: a NUL in a query or path value reached PostgreSQL (which cannot hold it in
      // text) and answered 500. NULs and lone surrogates are refused here, before any route (as the
      // SCIM body parser and the console do): 400, never stored, never compared.
      scope.addHook('preValidation', async (request) => {
        if (!isStorableInput(request.query) || !isStorableInput(request.params)) {
          throw new ApiError('invalid_request', 'a parameter holds a NUL character or a lone surrogate, which Roster does not accept');
        }
      });
      scope.get('/openapi.json', { schema: { hide: true } }, async () => scope.swagger());
      await scope.register(async (authenticated) => {
        authenticated.decorateRequest('apiCaller', null as unknown as ApiCaller);
        authenticated.addHook('onRequest', async (request) => {
          request.apiCaller = await authenticate(context.directory, request);
        });
        if (context.config.apiRateLimit > 0) {
          await authenticated.register(rateLimit, {
            hook: 'preHandler',
            max: context.config.apiRateLimit,
            timeWindow: 60_000,
            // One budget per key, whatever the spelling of the header (the key's id, after authentication).
            keyGenerator: (request) => `api-key:${request.apiCaller.keyId}`,
            errorResponseBuilder: (_request, limit) =>
              new ApiError('rate_limited', `more than ${limit.max} requests in ${limit.after}; retry after the Retry-After delay`),
          });
        }
        registerEventRoutes(authenticated, context);
        registerWorkspaceRoutes(authenticated, context);
      });
    },
    { prefix: '/api/v1' },
  );
}

async function authenticate(directory: Directory, request: FastifyRequest): Promise<ApiCaller> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new ApiError('unauthorized', 'send an API key as "Authorization: Bearer roster_key_…" (roster api-key create)');
  const caller = await directory.apiKeys.authenticate(match[1] as string);
  if (!caller) throw new ApiError('unauthorized', 'the API key is unknown or has been revoked');
  return caller;
}
