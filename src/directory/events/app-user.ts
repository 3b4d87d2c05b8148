import type { Role, Team, User, Workspace } from '../model.js';
import type { Repositories } from '../ports.js';
import { displayNameOf } from '../users/user-resource.js';
import type { AppUser, FieldChange, NamedRef } from './event-model.js';

/** The app user (docs/api.md) of a user, with its role and teams (in the user's order). */
export function toAppUser(user: User, workspaceSlug: string, role: Role | undefined, teams: readonly Team[]): AppUser {
  const byId = new Map(teams.map((team) => [team.id, team]));
  return {
    id: user.id,
    workspace: workspaceSlug,
    userName: user.userName,
    email: user.email,
    givenName: user.givenName ?? null,
    familyName: user.familyName ?? null,
    displayName: displayNameOf(user),
    active: user.active,
    role: role ? ref(role) : null,
    teams: user.teamIds.flatMap((id) => {
      const team = byId.get(id);
      return team ? [ref(team)] : [];
    }),
    language: user.preferredLanguage ?? null,
    timezone: user.timezone ?? null,
    title: user.title ?? null,
    department: user.department ?? null,
    externalId: user.externalId ?? null,
    managedBy: user.scimManaged ? 'scim' : 'app',
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

const ref = (item: { readonly id: string; readonly name: string }): NamedRef => ({ id: item.id, name: item.name });

/** The app-user fields `user.updated` reports; role, teams and active have events of their own. */
const PROFILE_FIELDS = [
  'userName',
  'email',
  'givenName',
  'familyName',
  'displayName',
  'language',
  'timezone',
  'title',
  'department',
  'externalId',
  'managedBy',
] as const satisfies readonly (keyof AppUser)[];

/** The profile fields that differ between two forms of one user, as `{field: {from, to}}`. */
export function profileChanges(before: AppUser, after: AppUser): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const field of PROFILE_FIELDS) {
    if (before[field] !== after[field]) changes[field] = { from: before[field], to: after[field] };
  }
  return changes;
}

/**
 * The app users of `users`, their roles and teams read in two statements (inside the caller's
 * transaction); roles the caller holds already (`known`) are not read, nor teams when none is named.
 */
export async function appUsersOf(
  repos: Repositories,
  workspace: Workspace,
  users: readonly User[],
  known?: ReadonlyMap<string, Role>,
): Promise<Map<string, AppUser>> {
  if (users.length === 0) return new Map();
  const roleIds = [...new Set(users.map((u) => u.roleId))];
  const roles = known && roleIds.every((id) => known.has(id)) ? [...known.values()] : await repos.roles.byIds(workspace.id, roleIds);
  const teamIds = [...new Set(users.flatMap((u) => u.teamIds))];
  const teams = teamIds.length > 0 ? await repos.teams.byIds(workspace.id, teamIds) : [];
  const roleById = new Map(roles.map((r) => [r.id, r]));
  return new Map(users.map((u) => [u.id, toAppUser(u, workspace.slug, roleById.get(u.roleId), teams)]));
}
