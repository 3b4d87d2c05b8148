import type { FastifyReply } from 'fastify';
import { type DirectoryErrorCode, isDirectoryError } from '../directory/errors.js';

/** The application API's error codes (docs/api.md) and their statuses. */
export type ApiErrorCode = 'invalid_request' | 'unauthorized' | 'not_found' | 'cursor_expired' | 'rate_limited' | 'internal';

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  cursor_expired: 410,
  rate_limited: 429,
  internal: 500,
};

/** The API's answer for each directory error code: the one table of this edge. */
const API_CODES: Readonly<Record<DirectoryErrorCode, ApiErrorCode>> = {
  workspaceNotFound: 'not_found',
  roleNotFound: 'not_found',
  teamNotFound: 'not_found',
  userNotFound: 'not_found',
  workspaceExists: 'invalid_request',
  roleExists: 'invalid_request',
  teamExists: 'invalid_request',
  userExists: 'invalid_request',
  userNameTaken: 'invalid_request',
  versionMismatch: 'invalid_request',
  roleInUse: 'invalid_request',
  teamInUse: 'invalid_request',
  scimAlreadyEnabled: 'invalid_request',
  seatLimit: 'invalid_request',
  notEnterprise: 'invalid_request',
  ssoNotConfigured: 'invalid_request',
  scimNotEnabled: 'invalid_request',
  roleRenameRefused: 'invalid_request',
  invalidArgument: 'invalid_request',
  invalidValue: 'invalid_request',
  cursorExpired: 'cursor_expired',
  signInRefused: 'unauthorized',
  identityProviderFailed: 'internal',
};

export const apiCodeOf = (code: DirectoryErrorCode): ApiErrorCode => API_CODES[code];

/** A failure the API answers with its own code (authentication, validation, routing). */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Whether a raw request URL is the application API's. The router's own failures (an over-long id,
 * a malformed percent-encoding) happen before any scope is chosen; app.ts asks this so that they
 * get the API's error shape on /api/v1, not a SCIM error body.
 */
export const isApiUrl = (url: string): boolean => /^\/api\/v1(?:[/?#]|$)/.test(url);

export function sendApiError(reply: FastifyReply, code: ApiErrorCode, message: string): FastifyReply {
  return reply.code(STATUS[code]).type('application/json; charset=utf-8').send({ error: code, message });
}

/** What an error is on the API: undefined for an unexpected failure (logged, answered 500). */
export function apiFailure(error: unknown): { code: ApiErrorCode; message: string } | undefined {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  if (isDirectoryError(error)) return { code: apiCodeOf(error.code), message: error.message };
  const failure = error as { validation?: unknown; statusCode?: unknown; message?: unknown } | null;
  const message = typeof failure?.message === 'string' ? failure.message : 'the request is not valid';
  if (failure?.validation) return { code: 'invalid_request', message };
  if (failure?.statusCode === 429) return { code: 'rate_limited', message };
  if (typeof failure?.statusCode === 'number' && failure.statusCode >= 400 && failure.statusCode < 500) {
    return { code: failure.statusCode === 404 ? 'not_found' : 'invalid_request', message };
  }
  return undefined;
}
