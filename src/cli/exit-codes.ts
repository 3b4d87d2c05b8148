import type { DirectoryErrorCode } from '../directory/errors.js';

/**
 * The CLI's exit status for each directory error code (docs/cli.md): 1 is any other failure, so
 * scripts that test for non-zero keep working, and scripts that care can tell a missing thing
 * from a conflict or a refusal.
 */
export const EXIT = { failure: 1, notFound: 3, conflict: 4, refused: 5, invalid: 6 } as const;

const EXIT_CODES: Readonly<Record<DirectoryErrorCode, number>> = {
  workspaceNotFound: EXIT.notFound,
  roleNotFound: EXIT.notFound,
  teamNotFound: EXIT.notFound,
  userNotFound: EXIT.notFound,
  workspaceExists: EXIT.conflict,
  roleExists: EXIT.conflict,
  teamExists: EXIT.conflict,
  userExists: EXIT.conflict,
  userNameTaken: EXIT.conflict,
  versionMismatch: EXIT.conflict,
  roleInUse: EXIT.conflict,
  teamInUse: EXIT.conflict,
  scimAlreadyEnabled: EXIT.conflict,
  seatLimit: EXIT.refused,
  notEnterprise: EXIT.refused,
  ssoNotConfigured: EXIT.refused,
  scimNotEnabled: EXIT.refused,
  roleRenameRefused: EXIT.refused,
  signInRefused: EXIT.refused,
  identityProviderFailed: EXIT.refused,
  invalidArgument: EXIT.invalid,
  invalidValue: EXIT.invalid,
  cursorExpired: EXIT.invalid,
};

export const exitCodeOf = (code: DirectoryErrorCode): number => EXIT_CODES[code];
