/** Resources and helpers for the PATCH tests (src/scim/patch, src/directory/group-membership). */
import { ScimError } from '../../src/scim/errors.js';
import { type PatchOperation, parsePatchRequest } from '../../src/scim/messages/patch-request.js';
import { applyPatch, type PatchResult } from '../../src/scim/patch/index.js';
import type { ScimResource } from '../../src/scim/schema/resource-checker.js';
import type { ResourceType } from '../../src/scim/schema/resource-type.js';
import { URN } from '../../src/scim/schema/urns.js';

export const ENTERPRISE = URN.enterpriseUser;
export const TEAMS = URN.teamsUser;
export const PATCH_OP = URN.patchOp;

/** A stored user as the directory holds it: canonical names, read-only parts included. */
export function storedUser(): ScimResource {
  return {
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: 'e-701984',
    userName: 'bjensen@example.com',
    displayName: 'Babs Jensen',
    active: true,
    name: { givenName: 'Barbara', familyName: 'Jensen', middleName: 'Jane' },
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.example', type: 'home', display: 'Home mail' },
    ],
    groups: [{ value: 'g1', display: 'Admins' }],
    meta: {
      resourceType: 'User',
      created: '2024-01-01T00:00:00.000Z',
      lastModified: '2024-02-01T00:00:00.000Z',
      version: 'W/"1"',
    },
    [ENTERPRISE]: { employeeNumber: '701984', manager: { value: 'm1', displayName: 'Mona Manager' } },
    [TEAMS]: { teams: ['Red'] },
  };
}

/** A user with nothing but the required attribute (what Entra creates before its first PATCH). */
export function bareUser(): ScimResource {
  return { id: 'u-bare', userName: 'new.user@example.com', active: true };
}

export function storedGroup(): ScimResource {
  return {
    id: 'g1',
    displayName: 'Engineering',
    members: [
      { value: 'u1', display: 'Ann' },
      { value: 'u2', display: 'Bob', type: 'User' },
    ],
    meta: { resourceType: 'Group', created: '2024-01-01T00:00:00.000Z', lastModified: '2024-01-01T00:00:00.000Z' },
  };
}

/** Runs a wire body through the request parser and the engine, as the PATCH route does. */
export function patchBody(type: ResourceType, resource: ScimResource, ...operations: unknown[]): PatchResult {
  return applyPatch(type, resource, parsePatchRequest({ schemas: [PATCH_OP], Operations: operations }));
}

export function patch(type: ResourceType, resource: ScimResource, ...operations: PatchOperation[]): ScimResource {
  return applyPatch(type, resource, operations).resource;
}

/** The ScimError a call throws; fails the test when it returns or throws anything else. */
export function scimErrorOf(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError, but the call succeeded');
}
