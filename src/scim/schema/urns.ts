/** Schema and message URNs (RFC 7643 §8.7, RFC 7644 §3). */
export const URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  teamsUser: 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

/**
 * Spellings that real clients send for schemas we support: OneLogin's SCIM 1.x-style templates
 * and Entra's legacy sample without the colon before `User`. Keys are lower case.
 */
export const URN_ALIASES: Readonly<Record<string, string>> = {
  'urn:scim:schemas:extension:enterprise:1.0': URN.enterpriseUser,
  'urn:scim:schemas:extension:enterprise:2.0': URN.enterpriseUser,
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0user': URN.enterpriseUser,
  'urn:scim:schemas:core:1.0': URN.user,
  'urn:scim:schemas:core:2.0': URN.user,
};
