/**
 * The directory's one error type (the model is panva/jose's `JOSEError`: one class, a stable
 * `code` from a closed union, and `cause` when it wraps another failure).
 *
 * Domain rules throw it whichever adapter called them; each edge maps the code in one table:
 * the SCIM endpoint to a SCIM error (`http/error-mapping.ts`), the console to a page
 * (`console/console-errors.ts`), the CLI to an exit status (`cli/exit-codes.ts`). The message is
 * written for a person and names what was refused; adapters never parse it: they read `code`.
 * The SCIM protocol engine (`scim/`) keeps its own `ScimError` for protocol failures (a bad
 * filter, a malformed PATCH), which the directory lets through unchanged.
 */
export type DirectoryErrorCode =
  // Something named does not exist (in this workspace).
  | 'workspaceNotFound'
  | 'roleNotFound'
  | 'teamNotFound'
  | 'userNotFound'
  // A uniqueness rule or a concurrent change.
  | 'workspaceExists'
  | 'roleExists'
  | 'teamExists'
  | 'userExists'
  | 'userNameTaken'
  | 'versionMismatch'
  | 'roleInUse'
  | 'teamInUse'
  | 'scimAlreadyEnabled'
  // A workspace rule refuses the change.
  | 'seatLimit'
  | 'notEnterprise'
  | 'ssoNotConfigured'
  | 'scimNotEnabled'
  | 'roleRenameRefused'
  // The input is not acceptable.
  | 'invalidArgument'
  | 'invalidValue'
  // The events API: a cursor older than the retained events.
  | 'cursorExpired'
  // Console sign-in and the identity provider.
  | 'signInRefused'
  | 'identityProviderFailed';

/** Every code, for the edges' exhaustive tables and their tests. */
export const DIRECTORY_ERROR_CODES = [
  'workspaceNotFound',
  'roleNotFound',
  'teamNotFound',
  'userNotFound',
  'workspaceExists',
  'roleExists',
  'teamExists',
  'userExists',
  'userNameTaken',
  'versionMismatch',
  'roleInUse',
  'teamInUse',
  'scimAlreadyEnabled',
  'seatLimit',
  'notEnterprise',
  'ssoNotConfigured',
  'scimNotEnabled',
  'roleRenameRefused',
  'invalidArgument',
  'invalidValue',
  'cursorExpired',
  'signInRefused',
  'identityProviderFailed',
] as const satisfies readonly DirectoryErrorCode[];

export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DirectoryError';
  }
}

export const isDirectoryError = (value: unknown): value is DirectoryError => value instanceof DirectoryError;

/** Why a console sign-in was turned down; the page shows the message, tests and logs read the reason. */
export type SignInRefusalReason =
  | 'unknownAccount'
  | 'deactivated'
  | 'removed'
  | 'emailNotVerified'
  | 'noEmail'
  | 'passwordNotAllowed'
  | 'wrongCredentials'
  | 'linkInvalid'
  | 'flowInvalid';

/** A sign-in the directory turned down (code `signInRefused`). */
export class SignInRefused extends DirectoryError {
  constructor(
    readonly reason: SignInRefusalReason,
    message: string,
  ) {
    super('signInRefused', message);
    this.name = 'SignInRefused';
  }
}

/**
 * The identity provider could not be reached or its answer not verified (code
 * `identityProviderFailed`). `message` is the same for every failure of one step, so a console
 * admin cannot use "test connection" to tell a closed port from a database or a web server;
 * `reason` says what went wrong, for the service log only.
 */
export class IdentityProviderFailed extends DirectoryError {
  constructor(
    message: string,
    readonly reason: string,
    options?: { readonly cause?: unknown },
  ) {
    super('identityProviderFailed', message, options);
    this.name = 'IdentityProviderFailed';
  }
}
