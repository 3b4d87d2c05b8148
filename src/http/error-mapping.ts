import type { DirectoryError, DirectoryErrorCode } from '../directory/errors.js';
import { ScimError, type ScimErrorCode } from '../scim/errors.js';

/**
 * The SCIM endpoint's answer for each directory error code (RFC 7644 §3.12): the one table that
 * turns a domain refusal into a status and `scimType`. The detail is the error's message.
 * Codes a SCIM request cannot meet (console sign-in, for one) still map, so the table is total.
 */
const SCIM_CODES: Readonly<Record<DirectoryErrorCode, ScimErrorCode>> = {
  workspaceNotFound: 'notFound',
  roleNotFound: 'notFound',
  teamNotFound: 'notFound',
  userNotFound: 'notFound',
  workspaceExists: 'uniqueness',
  roleExists: 'uniqueness',
  teamExists: 'uniqueness',
  userExists: 'uniqueness',
  userNameTaken: 'uniqueness',
  versionMismatch: 'preconditionFailed',
  roleInUse: 'operationRefused',
  teamInUse: 'operationRefused',
  scimAlreadyEnabled: 'operationRefused',
  seatLimit: 'seatLimit',
  notEnterprise: 'operationRefused',
  ssoNotConfigured: 'operationRefused',
  scimNotEnabled: 'unauthorized',
  roleRenameRefused: 'mutability',
  invalidArgument: 'invalidValue',
  invalidValue: 'invalidValue',
  cursorExpired: 'invalidValue',
  signInRefused: 'operationRefused',
  identityProviderFailed: 'internal',
};

export const scimCodeOf = (code: DirectoryErrorCode): ScimErrorCode => SCIM_CODES[code];

/** The SCIM error a directory error answers with; the domain error is its cause. */
export function toScimError(error: DirectoryError): ScimError {
  return new ScimError(SCIM_CODES[error.code], error.message, { cause: error });
}
