import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { isApiUrl, sendApiError } from '../api/api-errors.js';
import { registerApi } from '../api/api-plugin.js';
import type { Config } from '../config/config.js';
import { registerConsole } from '../console/console-plugin.js';
import type { Directory } from '../directory/directory.js';
import type { ProvisioningLog } from '../directory/log/provisioning-log.js';
import { errorBody, ScimError } from '../scim/errors.js';
import { registerErrorHandling, SCIM_CONTENT_TYPE, sendScimError } from './error-handler.js';
import { registerJsonParsers } from './json-body.js';
import { registerScimRoutes } from './routes/scim-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The request log; `flush()` makes buffered entries durable (tests, shutdown). */
    provisioningLog: ProvisioningLog;
  }
}

export interface AppDependencies {
  readonly directory: Directory;
  /** The provisioning log the SCIM routes record into (flushed by the composition root). */
  readonly log: ProvisioningLog;
  readonly config: Config;
  readonly logger?: Logger;
}

/**
 * Builds the HTTP adapter: a thin layer that parses requests, calls the directory's services and
 * shapes responses (SCIM under /scim/v2, the console beside it). It starts no timers: background
 * jobs belong to the composition root (`src/app/`).
 */
export async function buildApp({ directory, log, config, logger }: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: config.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // One provisioning-log entry per request replaces Fastify's two request log lines.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'traceId' }),
    // Long ids must reach the handler (and get a SCIM 404), not the router's 414.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 2048 },
    // Malformed requests that never reach the router (headers over Node's 16 KiB) get SCIM bodies too.
    clientErrorHandler: (error, socket) => {
      const tooLarge = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW';
      const scimError = tooLarge
        ? new ScimError('headersTooLarge', 'the request line and headers exceed 16 KiB; send long filters with POST /.search')
        : ScimError.invalidSyntax('the request is not valid HTTP');
      const body = JSON.stringify(errorBody(scimError));
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${scimError.status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            `Content-Type: ${SCIM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
    },
    frameworkErrors: (error, request, reply) => {
      // The router's own failures (over-long ids, malformed URLs) get SCIM bodies too.
      const notFound = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      // The application API answers in its own shape ({error, message}, docs/api.md), also here.
      if (isApiUrl(request.url)) {
        reply.header('x-trace-id', request.id);
        sendApiError(reply, notFound ? 'not_found' : 'invalid_request', notFound ? 'no such resource' : 'the request URL is malformed');
        return;
      }
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
  // Node answers an `Expect` other than 100-continue itself, with an empty 417: give it a SCIM body.
  app.server.on('checkExpectation', (request, response) => {
    const error = new ScimError('expectationFailed', `the Expect header '${String(request.headers.expect)}' is not supported`);
    response.writeHead(error.status, { 'content-type': SCIM_CONTENT_TYPE }).end(JSON.stringify(errorBody(error)));
  });
  // Closing lets in-flight requests finish. A connection that finishes its last request after
  // close() started would stay open as an idle keep-alive connection for the keep-alive timeout
  // (72 s), and close() waits for it: close connections as they go idle, until the server closed.
  app.addHook('preClose', async () => {
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100).unref();
    app.server.once('close', () => clearInterval(sweep));
  });
  app.decorate('provisioningLog', log);
  await app.register(async (scope) => registerScimRoutes(scope, { directory, config, log }), { prefix: '/scim/v2' });
  await registerApi(app, { directory, config });
  await registerConsole(app, { directory, config });
  return app;
}
