import type { ScimResource } from '../scim/schema/resource-checker.js';
import type { User } from './model.js';
import type { Repositories, UserNameParts } from './ports.js';
import { displayNameOf, toUserResource } from './user-resource.js';

/**
 * Turns users into SCIM resources, loading what they reference (roles, team names, manager
 * names) in one query each for the whole batch rather than one per user.
 */
export async function assembleUsers(
  repos: Repositories,
  workspaceId: string,
  users: readonly User[],
  baseUrl: string,
  options: { derive: boolean } = { derive: true },
): Promise<ScimResource[]> {
  if (users.length === 0) return [];
  const [roles, teams, managerNames] = await Promise.all([
    repos.roles.list(workspaceId),
    repos.teams.byIds(workspaceId, [...new Set(users.flatMap((u) => u.teamIds))]),
    repos.users.nameParts(workspaceId, [...new Set(users.flatMap((u) => (u.managerId !== undefined ? [u.managerId] : [])))]),
  ]);
  const roleById = new Map(roles.map((r) => [r.id, r]));
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
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
      options,
    );
  });
}

export async function assembleUser(
  repos: Repositories,
  workspaceId: string,
  user: User,
  baseUrl: string,
  options: { derive: boolean } = { derive: true },
): Promise<ScimResource> {
  const [resource] = await assembleUsers(repos, workspaceId, [user], baseUrl, options);
  return resource as ScimResource;
}
