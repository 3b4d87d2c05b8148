import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { DirectoryStore } from '../directory/ports.js';
import { ScimUserService } from '../directory/scim-users.js';
import { registerErrorHandling } from './error-handler.js';
import { registerJsonParsers } from './json-body.js';
import { registerScimRoutes } from './routes/scim-routes.js';

export interface AppDependencies {
  readonly store: DirectoryStore;
  readonly config: Config;
  readonly logger?: Logger;
}

/** Builds the HTTP adapter: a thin layer that parses requests, calls the directory and shapes responses. */
export async function buildApp({ store, config, logger }: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    disableRequestLogging: true,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true },
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-trace-id', request.id);
  });
  registerJsonParsers(app);
  registerErrorHandling(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  const users = new ScimUserService(store, config.scim);
  await app.register(async (scope) => registerScimRoutes(scope, { store, config, users }), { prefix: '/scim/v2' });
  return app;
}
