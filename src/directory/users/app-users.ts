import { DirectoryError } from '../errors.js';
import { appUsersOf, toAppUser } from '../events/app-user.js';
import { BY_SYSTEM, type EventContext } from '../events/event-model.js';
import { recordEvents } from '../events/event-recording.js';
import { newId, nowIso } from '../ids.js';
import type { User } from '../model.js';
import { queueReactivationNotice } from '../outbox/outbox.js';
import { type DirectoryStore, type Repositories, StoreConflict } from '../ports.js';
import { defaultRole } from '../roles/roles.js';
import { claimSeats } from '../seats/seats.js';
import { requireWorkspace } from '../workspaces/workspaces.js';
import { looksLikeEmail } from './user-resource.js';

export interface NewAppUser {
  readonly email: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly role?: string;
}

/** A new app user's record: userName and account email are the email, which is their work email. */
export function appUserRecord(workspaceId: string, roleId: string, input: Omit<NewAppUser, 'role'>, active: boolean): User {
  const now = nowIso();
  return {
    workspaceId,
    id: newId(),
    userName: input.email,
    email: input.email,
    givenName: input.givenName,
    familyName: input.familyName,
    active,
    scimDeleted: false,
    roleId,
    teamIds: [],
    scimManaged: false,
    lastSyncedAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    contacts: { emails: [{ value: input.email, type: 'work', primary: true }], phoneNumbers: [], addresses: [] },
  };
}

/**
 * Adds a user the way an admin does in the app. Such users are visible over SCIM with their
 * email as userName, so an IdP matches them instead of creating a duplicate.
 */
export async function addAppUser(store: DirectoryStore, slug: string, input: NewAppUser, by: EventContext = BY_SYSTEM): Promise<User> {
  const workspace = await requireWorkspace(store, slug);
  if (!looksLikeEmail(input.email)) throw new DirectoryError('invalidArgument', `'${input.email}' is not an email address`);
  try {
    return await store.transaction(async (repos) => {
      const role = input.role ? await repos.roles.byName(workspace.id, input.role) : await defaultRole(repos, workspace);
      if (!role) throw new DirectoryError('roleNotFound', `no role '${input.role}' in workspace '${slug}'`);
      await claimSeats(repos, workspace, [{ before: undefined, after: { active: true, guest: role.isGuest } }], `'${input.email}'`);
      const user = appUserRecord(workspace.id, role.id, input, true);
      await repos.users.insert(user);
      await recordEvents(repos, workspace.id, by, [{ type: 'user.created', data: { user: toAppUser(user, workspace.slug, role, []) } }]);
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

/** The user an admin means by `text`: a userName first, else an account email (both ignore case). */
export async function findUser(repos: Repositories, workspaceId: string, text: string): Promise<User | undefined> {
  return (await repos.users.byUserName(workspaceId, text)) ?? (await repos.users.byEmail(workspaceId, text));
}

/** Activates or deactivates a user as an admin does; reactivation needs a seat and sends a notice. */
export async function setUserActive(
  store: DirectoryStore,
  slug: string,
  email: string,
  active: boolean,
  by: EventContext = BY_SYSTEM,
): Promise<User> {
  const workspace = await requireWorkspace(store, slug);
  return store.transaction(async (repos) => {
    const found = await findUser(repos, workspace.id, email);
    // Locked, and read again as it is now: the seat decision needs its current role and state (seats.ts).
    const user = found && (await repos.users.byId(workspace.id, found.id, { forUpdate: true }));
    if (!user) throw new DirectoryError('invalidArgument', `no user '${email}' in workspace '${slug}'`);
    if (user.active === active) return user;
    if (active) {
      const guest = (await repos.roles.byId(workspace.id, user.roleId))?.isGuest === true;
      await claimSeats(repos, workspace, [{ before: { active: user.active, guest }, after: { active, guest } }], `'${user.userName}'`);
    }
    const changed: User = { ...user, active, updatedAt: nowIso(), version: user.version + 1 };
    if (!(await repos.users.update(changed, user.version))) throw new Error(`user ${user.id} changed during the transaction`);
    if (active) await queueReactivationNotice(repos, workspace, changed);
    const app = (await appUsersOf(repos, workspace, [changed])).get(changed.id);
    if (app) await recordEvents(repos, workspace.id, by, [{ type: active ? 'user.reactivated' : 'user.deactivated', data: { user: app } }]);
    return changed;
  });
}
