import { DirectoryError, type DirectoryErrorCode, IdentityProviderFailed } from '../directory/errors.js';
import { ScimError } from '../scim/errors.js';

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

/** The console's page for each directory error code: its status and title (the message is the error's). */
const DIRECTORY_PAGES: Readonly<Record<DirectoryErrorCode, { readonly status: number; readonly title: string }>> = {
  workspaceNotFound: { status: 404, title: 'Not found' },
  roleNotFound: { status: 404, title: 'Not found' },
  teamNotFound: { status: 404, title: 'Not found' },
  userNotFound: { status: 404, title: 'Not found' },
  workspaceExists: { status: 409, title: 'Request refused' },
  roleExists: { status: 409, title: 'Request refused' },
  teamExists: { status: 409, title: 'Request refused' },
  userExists: { status: 409, title: 'Request refused' },
  userNameTaken: { status: 409, title: 'Request refused' },
  versionMismatch: { status: 409, title: 'Changed meanwhile' },
  roleInUse: { status: 409, title: 'Request refused' },
  teamInUse: { status: 409, title: 'Request refused' },
  scimAlreadyEnabled: { status: 409, title: 'Request refused' },
  seatLimit: { status: 409, title: 'No free seat' },
  notEnterprise: { status: 400, title: 'Request refused' },
  ssoNotConfigured: { status: 400, title: 'Request refused' },
  scimNotEnabled: { status: 400, title: 'Request refused' },
  roleRenameRefused: { status: 400, title: 'Request refused' },
  invalidArgument: { status: 400, title: 'Request refused' },
  invalidValue: { status: 400, title: 'Request refused' },
  cursorExpired: { status: 410, title: 'Request refused' },
  signInRefused: { status: 403, title: 'Sign-in refused' },
  identityProviderFailed: { status: 502, title: 'Identity provider unavailable' },
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
  if (error instanceof DirectoryError) {
    const { status, title } = DIRECTORY_PAGES[error.code];
    const message = error.code === 'identityProviderFailed' ? `Single sign-on failed: ${error.message}.` : error.message;
    return { status, title, message };
  }
  // Fastify's own errors and its plugins' (body too large, bad content type, rate limit) carry statusCode.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
    return refused(status, error instanceof Error ? error.message : 'The request could not be understood.');
  }
  return undefined;
}

/** What went wrong talking to the identity provider, for the service log only (never shown). */
export const reasonOf = (error: unknown): string | undefined => (error instanceof IdentityProviderFailed ? error.reason : undefined);
