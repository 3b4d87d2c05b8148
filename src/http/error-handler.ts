import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDirectoryError } from '../directory/errors.js';
import { errorBody, isScimError, ScimError } from '../scim/errors.js';
import { toScimError } from './error-mapping.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Fastify's own error codes mapped to SCIM errors: the one place HTTP failures get their shape. */
function fromFastifyError(error: { code?: string; statusCode?: number; message: string }): ScimError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError('payloadTooLarge', 'the request body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError('unsupportedMediaType', 'send the body as application/scim+json or application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ScimError.invalidSyntax('the request body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ScimError.invalidSyntax('the Content-Length header does not match the body');
    default:
      if (error.statusCode === 400) return ScimError.invalidSyntax(error.message);
      return undefined;
  }
}

export function sendScimError(reply: FastifyReply, error: ScimError, traceId: string): FastifyReply {
  return reply.code(error.status).type(SCIM_CONTENT_TYPE).send(errorBody(error, traceId));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request: FastifyRequest, reply) => {
    const scimError = isScimError(error) ? error : isDirectoryError(error) ? toScimError(error) : fromFastifyError(error);
    if (scimError) {
      if (request.audit) {
        request.audit.detail = scimError.detail;
        request.audit.errorCode = scimError.code;
      }
      if (scimError.status === 401) reply.header('www-authenticate', 'Bearer realm="roster-scim"');
      return sendScimError(reply, scimError, request.id);
    }
    request.log.error({ err: error, traceId: request.id }, 'unexpected error');
    if (request.audit) {
      request.audit.detail = 'unexpected error';
      request.audit.errorCode = 'internal';
    }
    return sendScimError(reply, new ScimError('internal', 'an unexpected error occurred'), request.id);
  });
  app.setNotFoundHandler((request, reply) =>
    sendScimError(reply, new ScimError('routeNotFound', `no endpoint ${request.method} ${request.url.split('?')[0]}`), request.id),
  );
}
