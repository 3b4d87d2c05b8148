import { DirectoryError } from './directory-error.js';
import { newId, nowIso } from './ids.js';
import type { Role, Workspace } from './model.js';
import { type DirectoryStore, type Repositories, StoreConflict } from './ports.js';
import { requireWorkspace } from './workspaces.js';

/** Roles are managed in the app only; over SCIM they are read and assigned (as Groups). */
export async function listRoles(store: DirectoryStore, slug: string): Promise<Role[]> {
  const workspace = await requireWorkspace(store, slug);
  return store.read.roles.list(workspace.id);
}

export async function createRole(store: DirectoryStore, slug: string, name: string, level = 10): Promise<Role> {
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
    store.transaction((repos) => repos.roles.insert(role)),
    trimmed,
  );
  return role;
}

/** Renaming keeps the role's id, so IdP group links survive (the article's FAQ). */
export async function renameRole(store: DirectoryStore, slug: string, oldName: string, newName: string): Promise<Role> {
  const workspace = await requireWorkspace(store, slug);
  const trimmed = checkName(newName);
  return conflictsAsExists(
    store.transaction(async (repos) => {
      const role = await repos.roles.byName(workspace.id, oldName);
      if (!role) throw new DirectoryError('roleNotFound', `no role '${oldName}' in workspace '${slug}'`);
      const renamed: Role = { ...role, name: trimmed, updatedAt: nowIso(), version: role.version + 1 };
      await repos.roles.update(renamed);
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
  const roles = await repos.roles.list(workspace.id);
  const role = roles.filter((r) => !r.isGuest).sort((a, b) => a.level - b.level || a.id.localeCompare(b.id))[0];
  if (!role) throw new TypeError(`workspace ${workspace.slug} has no non-guest role`);
  return role;
}
