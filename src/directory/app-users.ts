import { DirectoryError } from './directory-error.js';
import { newId, nowIso } from './ids.js';
import type { User } from './model.js';
import { type DirectoryStore, StoreConflict } from './ports.js';
import { looksLikeEmail } from './user-resource.js';
import { requireWorkspace } from './workspaces.js';

export interface NewAppUser {
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly role?: string;
}

/**
 * Adds a user the way an admin does in the app. Such users are visible over SCIM with their
 * email as userName, so an IdP matches them instead of creating a duplicate.
 */
export async function addAppUser(store: DirectoryStore, slug: string, input: NewAppUser): Promise<User> {
  const workspace = await requireWorkspace(store, slug);
  if (!looksLikeEmail(input.email)) throw new DirectoryError('invalidArgument', `'${input.email}' is not an email address`);
  try {
    return await store.transaction(async (repos) => {
      const roles = await repos.roles.list(workspace.id);
      const role = input.role
        ? roles.find((r) => r.name.toLowerCase() === input.role?.toLowerCase())
        : roles.filter((r) => !r.isGuest).sort((a, b) => a.level - b.level)[0];
      if (!role) throw new DirectoryError('roleNotFound', `no role '${input.role}' in workspace '${slug}'`);
      if (!role.isGuest) {
        const used = await repos.users.countSeatsUsed(workspace.id);
        if (used >= workspace.seats) {
          throw new DirectoryError('seatLimit', `all ${workspace.seats} seats of workspace '${slug}' are in use`);
        }
      }
      const now = nowIso();
      const user: User = {
        workspaceId: workspace.id,
        id: newId(),
        userName: input.email,
        email: input.email,
        givenName: input.givenName,
        familyName: input.familyName,
        active: true,
        scimDeleted: false,
        roleId: role.id,
        teamIds: [],
        scimManaged: false,
        lastSyncedAt: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
        contacts: { emails: [{ value: input.email, type: 'work', primary: true }], phoneNumbers: [], addresses: [] },
      };
      await repos.users.insert(user);
      return user;
    });
  } catch (error) {
    if (error instanceof StoreConflict) throw new DirectoryError('userExists', `a user '${input.email}' already exists`);
    throw error;
  }
}

export async function listAppUsers(store: DirectoryStore, slug: string, limit = 1000): Promise<User[]> {
  const workspace = await requireWorkspace(store, slug);
  const { users } = await store.read.users.search(workspace.id, { offset: 0, limit, scimVisibleOnly: false });
  return users;
}
