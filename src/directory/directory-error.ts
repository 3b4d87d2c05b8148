/** Failures of app-side administration (CLI, console); SCIM requests fail with ScimError instead. */
export type DirectoryErrorCode =
  | 'workspaceNotFound'
  | 'workspaceExists'
  | 'invalidArgument'
  | 'notEnterprise'
  | 'ssoNotConfigured'
  | 'scimNotEnabled'
  | 'scimAlreadyEnabled'
  | 'roleNotFound'
  | 'roleExists'
  | 'teamExists'
  | 'userExists'
  | 'userNotFound'
  | 'roleInUse'
  | 'teamInUse'
  | 'teamNotFound';

export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}
