import { DirectoryError, type DirectoryErrorCode } from '../directory/directory-error.js';
import { StoreConflict } from '../directory/ports.js';
import { SignInRefused } from '../directory/sign-in.js';
import { ScimError } from '../scim/errors.js';
import { SsoProviderError } from '../sso/oidc-relying-party.js';

/** A console input Roster refuses before it reaches the directory (a NUL character, for one). */
export class ConsoleInputRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsoleInputRefused';
  }
}

/** What the console's error page shows for a failure it can explain. */
export interface ConsoleFailure {
  readonly status: number;
  readonly title: string;
  readonly message: string;
}

const DIRECTORY_STATUS: Record<DirectoryErrorCode, 400 | 404 | 409> = {
  workspaceNotFound: 404,
  roleNotFound: 404,
  teamNotFound: 404,
  userNotFound: 404,
  workspaceExists: 409,
  roleExists: 409,
  teamExists: 409,
  userExists: 409,
  roleInUse: 409,
  teamInUse: 409,
  scimAlreadyEnabled: 409,
  invalidArgument: 400,
  notEnterprise: 400,
  ssoNotConfigured: 400,
  scimNotEnabled: 400,
};

/**
 * The one mapping from every error type a console route can meet to the page it answers with.
 * Each type carries its status differently (ScimError `status`, DirectoryError a code, Fastify
 * and its plugins `statusCode`), so reading one property missed the others and gave a 500.
 * `undefined` means an unexpected failure: the caller logs it and answers 500.
 */
export function consoleFailure(error: unknown): ConsoleFailure | undefined {
  const refused = (status: number, message: string): ConsoleFailure => ({ status, title: 'Request refused', message });
  if (error instanceof ConsoleInputRefused) return refused(400, error.message);
  if (error instanceof ScimError) return error.status < 500 ? refused(error.status, error.detail) : undefined;
  if (error instanceof DirectoryError) return refused(DIRECTORY_STATUS[error.code], error.message);
  if (error instanceof SignInRefused) return { status: 403, title: 'Sign-in refused', message: error.message };
  if (error instanceof StoreConflict) {
    return refused(409, 'Someone else changed the same data at the same moment. Reload the page and try again.');
  }
  if (error instanceof SsoProviderError) {
    return { status: 502, title: 'Identity provider unavailable', message: `Single sign-on failed: ${error.message}.` };
  }
  // Fastify's own errors and its plugins' (body too large, bad content type, rate limit) carry statusCode.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
    return refused(status, error instanceof Error ? error.message : 'The request could not be understood.');
  }
  return undefined;
}

/** Whether a parsed input (query, params, form body) holds a NUL anywhere: PostgreSQL cannot store it in text. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000') || containsNul(item, depth + 1)) return true;
  }
  return false;
}
