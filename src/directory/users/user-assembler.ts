import type { ScimResource } from '../../scim/schema/resource-checker.js';
import type { Role, Team, User } from '../model.js';
import type { Repositories, UserNameParts } from '../ports.js';
import { displayNameOf, toUserResource } from './user-resource.js';

/** Roles and teams users reference, as read from the store. */
export interface UserReferences {
  readonly roles: readonly Role[];
  readonly teams: readonly Team[];
}

export interface AssembleOptions {
  /** False for the stored form a write starts from: no derived name.formatted or displayName. Default true. */
  readonly derive?: boolean;
  /** Roles and teams the caller read already in this transaction; only the others are read. */
  readonly known?: UserReferences;
}

/**
 * The roles and teams `users` reference: those in `known`, and the others read by id, one
 * query each for the whole batch and none when nothing is missing. Never the workspace's whole
 * role or team list.
 */
export async function loadReferences(
  repos: Repositories,
  workspaceId: string,
  users: readonly User[],
  known: UserReferences = { roles: [], teams: [] },
): Promise<UserReferences> {
  const knownRoles = new Set(known.roles.map((r) => r.id));
  const knownTeams = new Set(known.teams.map((t) => t.id));
  const missingRoles = [...new Set(users.map((u) => u.roleId))].filter((id) => !knownRoles.has(id));
  const missingTeams = [...new Set(users.flatMap((u) => u.teamIds))].filter((id) => !knownTeams.has(id));
  const [roles, teams] = await Promise.all([repos.roles.byIds(workspaceId, missingRoles), repos.teams.byIds(workspaceId, missingTeams)]);
  return { roles: [...known.roles, ...roles], teams: [...known.teams, ...teams] };
}

/**
 * Turns users into SCIM resources, loading what they reference (their roles, team names,
 * manager names) in one query each for the whole batch rather than one per user, and skipping
 * a query when there is nothing to load.
 */
export async function assembleUsers(
  repos: Repositories,
  workspaceId: string,
  users: readonly User[],
  baseUrl: string,
  options: AssembleOptions = {},
): Promise<ScimResource[]> {
  if (users.length === 0) return [];
  const [references, managerNames] = await Promise.all([
    loadReferences(repos, workspaceId, users, options.known),
    repos.users.nameParts(workspaceId, [...new Set(users.flatMap((u) => (u.managerId !== undefined ? [u.managerId] : [])))]),
  ]);
  const roleById = new Map(references.roles.map((r) => [r.id, r]));
  const teamName = new Map(references.teams.map((t) => [t.id, t.name]));
  const derive = { derive: options.derive ?? true };
  return users.map((user) => {
    const role = roleById.get(user.roleId);
    return toUserResource(
      user,
      {
        baseUrl,
        ...(role && !role.isGuest ? { group: role } : {}),
        teamNames: user.teamIds.flatMap((id) => {
          const name = teamName.get(id);
          return name === undefined ? [] : [name];
        }),
        ...(user.managerId !== undefined && managerNames.has(user.managerId)
          ? { managerName: displayNameOf(managerNames.get(user.managerId) as UserNameParts) }
          : {}),
      },
      derive,
    );
  });
}

export async function assembleUser(
  repos: Repositories,
  workspaceId: string,
  user: User,
  baseUrl: string,
  options: AssembleOptions = {},
): Promise<ScimResource> {
  const [resource] = await assembleUsers(repos, workspaceId, [user], baseUrl, options);
  return resource as ScimResource;
}
