import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { DirectoryStore } from '../directory/ports.js';
import { ProvisioningLog } from '../directory/provisioning-log.js';
import { ScimGroupService } from '../directory/scim-groups.js';
import { ScimUserService } from '../directory/scim-users.js';
import { ScimError } from '../scim/errors.js';
import { registerErrorHandling, sendScimError } from './error-handler.js';
import { registerJsonParsers } from './json-body.js';
import { registerScimRoutes } from './routes/scim-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The request log; `flush()` makes buffered entries durable (tests, shutdown). */
    provisioningLog: ProvisioningLog;
  }
}

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
    // One provisioning-log entry per request replaces Fastify's two request log lines.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'traceId' }),
    // Long ids must reach the handler (and get a SCIM 404), not the router's 414.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 2048 },
    frameworkErrors: (error, request, reply) => {
      // The router's own failures (over-long ids, malformed URLs) get SCIM bodies too.
      const notFound = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const scimError = notFound
        ? ScimError.notFound('no resource with such an id')
        : ScimError.invalidSyntax('the request URL is malformed');
      reply.header('x-trace-id', request.id);
      sendScimError(reply, scimError, request.id);
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-trace-id', request.id);
  });
  // Security headers on every response (no-sniff, frame denial, HSTS, a strict CSP for an API).
  await app.register(helmet, { global: true });
  registerJsonParsers(app);
  registerErrorHandling(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  const users = new ScimUserService(store, config.scim);
  const groups = new ScimGroupService(store, config.scim);
  const log = new ProvisioningLog(store, config.log);
  app.addHook('onClose', async () => log.flush());
  app.decorate('provisioningLog', log);
  await app.register(async (scope) => registerScimRoutes(scope, { store, config, users, groups, log }), {
    prefix: '/scim/v2',
  });
  return app;
}
