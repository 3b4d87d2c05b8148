import { DirectoryError } from '../errors.js';
import { BY_SYSTEM, type EventContext, type NamedRef } from '../events/event-model.js';
import { recordEvents } from '../events/event-recording.js';
import { newId, nowIso } from '../ids.js';
import type { Role, Workspace } from '../model.js';
import { type DirectoryStore, type Repositories, StoreConflict } from '../ports.js';
import { requireWorkspace } from '../workspaces/workspaces.js';

/** Roles are managed in the app only; over SCIM they are read and assigned (as Groups). */
export async function listRoles(store: DirectoryStore, slug: string): Promise<Role[]> {
  const workspace = await requireWorkspace(store, slug);
  return store.read.roles.list(workspace.id);
}

export async function createRole(
  store: DirectoryStore,
  slug: string,
  name: string,
  level = 10,
  by: EventContext = BY_SYSTEM,
): Promise<Role> {
  const workspace = await requireWorkspace(store, slug);
  const trimmed = checkName(name);
  if (!Number.isInteger(level) || level < 1) throw new DirectoryError('invalidArgument', 'level must be a whole number ≥ 1');
  const now = nowIso();
  const role: Role = {
    workspaceId: workspace.id,
    id: newId(),
    name: trimmed,
    level,
    isGuest: false,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await conflictsAsExists(
    store.transaction(async (repos) => {
      await repos.roles.insert(role);
      await recordEvents(repos, workspace.id, by, [{ type: 'role.created', data: { role: roleRef(role) } }]);
    }),
    trimmed,
  );
  return role;
}

/** Renaming keeps the role's id, so IdP group links survive (docs/rules/roles.md). */
export async function renameRole(
  store: DirectoryStore,
  slug: string,
  oldName: string,
  newName: string,
  by: EventContext = BY_SYSTEM,
): Promise<Role> {
  const workspace = await requireWorkspace(store, slug);
  const trimmed = checkName(newName);
  return conflictsAsExists(
    store.transaction(async (repos) => {
      const role = await repos.roles.byName(workspace.id, oldName);
      if (!role) throw new DirectoryError('roleNotFound', `no role '${oldName}' in workspace '${slug}'`);
      const renamed: Role = { ...role, name: trimmed, updatedAt: nowIso(), version: role.version + 1 };
      await repos.roles.update(renamed);
      if (renamed.name !== role.name) {
        await recordEvents(repos, workspace.id, by, [{ type: 'role.renamed', data: { role: roleRef(renamed), previousName: role.name } }]);
      }
      return renamed;
    }),
    trimmed,
  );
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw new DirectoryError('invalidArgument', 'a role name needs 1 to 100 characters');
  return trimmed;
}

async function conflictsAsExists<T>(work: Promise<T>, name: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof StoreConflict) throw new DirectoryError('roleExists', `a role named '${name}' already exists`);
    throw error;
  }
}

/** The role new SCIM users receive and removed members return to: the non-guest role with the lowest level. */
export async function defaultRole(repos: Repositories, workspace: Workspace): Promise<Role> {
  const role = await repos.roles.lowestNonGuest(workspace.id);
  if (!role) throw new TypeError(`workspace ${workspace.slug} has no non-guest role`);
  return role;
}

/** A role with how many users hold it, for the console's overview. */
export interface RoleUsage {
  readonly role: Role;
  readonly holders: number;
  /** New SCIM users receive this role. */
  readonly isDefault: boolean;
}

export async function roleOverview(store: DirectoryStore, workspace: Workspace): Promise<RoleUsage[]> {
  const [roles, counts, fallback] = await Promise.all([
    store.read.roles.list(workspace.id),
    store.read.roles.holderCounts(workspace.id),
    defaultRole(store.read, workspace),
  ]);
  return roles.map((role) => ({ role, holders: counts.get(role.id) ?? 0, isDefault: role.id === fallback.id }));
}

/**
 * Changes a role's permission level. It may change which role new SCIM users receive; the guest
 * role stays at level 0 so it never becomes the default.
 */
export async function setRoleLevel(store: DirectoryStore, workspace: Workspace, roleId: string, level: number): Promise<Role> {
  if (!Number.isInteger(level) || level < 1 || level > 1000)
    throw new DirectoryError('invalidArgument', 'level must be a whole number from 1 to 1000');
  return store.transaction(async (repos) => {
    const role = await repos.roles.byId(workspace.id, roleId, { forUpdate: true });
    if (!role) throw new DirectoryError('roleNotFound', 'no such role');
    if (role.isGuest) throw new DirectoryError('invalidArgument', 'the guest role keeps the lowest level');
    const changed: Role = { ...role, level, updatedAt: nowIso(), version: role.version + 1 };
    await repos.roles.update(changed);
    return changed;
  });
}

/** Renames by id (the console); the CLI's renameRole finds the role by name. */
export async function renameRoleById(
  store: DirectoryStore,
  workspace: Workspace,
  roleId: string,
  newName: string,
  by: EventContext = BY_SYSTEM,
): Promise<Role> {
  const role = await store.read.roles.byId(workspace.id, roleId);
  if (!role) throw new DirectoryError('roleNotFound', 'no such role');
  return renameRole(store, workspace.slug, role.name, newName, by);
}

/** Deleting is refused while anyone holds the role, and for the guest role and the last non-guest role. */
export async function deleteRole(store: DirectoryStore, workspace: Workspace, roleId: string, by: EventContext = BY_SYSTEM): Promise<Role> {
  return store.transaction(async (repos) => {
    await repos.workspaces.lock(workspace.id);
    const role = await repos.roles.byId(workspace.id, roleId, { forUpdate: true });
    if (!role) throw new DirectoryError('roleNotFound', 'no such role');
    if (role.isGuest) throw new DirectoryError('roleInUse', 'the guest role is built in and cannot be deleted');
    const holders = (await repos.roles.holderCounts(workspace.id, role.id)).get(role.id) ?? 0;
    if (holders > 0) {
      throw new DirectoryError(
        'roleInUse',
        `the role '${role.name}' is held by ${holders} user${holders === 1 ? '' : 's'}; move them to another role first`,
      );
    }
    const others = (await repos.roles.list(workspace.id)).filter((r) => !r.isGuest && r.id !== role.id);
    if (others.length === 0) throw new DirectoryError('roleInUse', 'a workspace needs at least one non-guest role');
    await repos.roles.delete(workspace.id, role.id);
    await recordEvents(repos, workspace.id, by, [{ type: 'role.deleted', data: { role: roleRef(role) } }]);
    return role;
  });
}

/** A role or team as events show it. */
export const roleRef = (item: { readonly id: string; readonly name: string }): NamedRef => ({ id: item.id, name: item.name });
