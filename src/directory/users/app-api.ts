import type { ResolvedFilter } from '../../scim/filter/ast.js';
import type { ApiCaller } from '../api-keys/api-keys.js';
import { DirectoryError } from '../errors.js';
import { appUsersOf } from '../events/app-user.js';
import type { AppUser, NamedRef } from '../events/event-model.js';
import { isPlausibleId } from '../ids.js';
import type { Plan, Workspace } from '../model.js';
import type { DirectoryStore, UserPageQuery } from '../ports.js';
import { directoryFilter, type StatusFilter } from './user-directory.js';

/**
 * The application API's reads (docs/api.md): workspaces, users as app users, roles and teams,
 * for an API key of one workspace or of the instance. A workspace key sees only its workspace;
 * any other is answered as if it did not exist.
 */

export interface AppWorkspace {
  readonly slug: string;
  readonly name: string;
  readonly plan: Plan;
  readonly seats: number;
  readonly seatsUsed: number;
  readonly scim: { readonly provider: string | null; readonly enabled: boolean };
}

/** The workspace `slug` as the caller may see it, or `workspaceNotFound`. */
export async function callerWorkspace(store: DirectoryStore, caller: ApiCaller, slug: string): Promise<Workspace> {
  const workspace = slug.length <= 63 ? await store.read.workspaces.bySlug(slug) : undefined;
  if (!workspace || (caller.workspace && caller.workspace.id !== workspace.id)) {
    throw new DirectoryError('workspaceNotFound', `no workspace '${slug.slice(0, 63)}'`);
  }
  return workspace;
}

export async function appWorkspaces(store: DirectoryStore, caller: ApiCaller): Promise<AppWorkspace[]> {
  const workspaces = caller.workspace ? [caller.workspace] : await store.read.workspaces.list();
  return Promise.all(
    workspaces.map(async (w) => {
      const [seatsUsed, integration] = await Promise.all([store.read.users.countSeatsUsed(w.id), store.read.integrations.active(w.id)]);
      return {
        slug: w.slug,
        name: w.name,
        plan: w.plan,
        seats: w.seats,
        seatsUsed,
        scim: { provider: integration?.provider ?? null, enabled: integration !== undefined },
      };
    }),
  );
}

export interface AppUsersQuery {
  readonly limit: number;
  /** The `next` of an earlier page. */
  readonly cursor?: string;
  readonly active?: boolean;
  /** A role's id or name. */
  readonly role?: string;
  /** A team's id or exact name. */
  readonly team?: string;
  /** A prefix of the user name, email, given or family name. */
  readonly q?: string;
}

/** A page of app users in id order, and the cursor of the next one (null: the last page). */
export async function appUsersPage(
  store: DirectoryStore,
  workspace: Workspace,
  query: AppUsersQuery,
): Promise<{ data: AppUser[]; next: string | null }> {
  const afterId = query.cursor === undefined ? undefined : decodeUserCursor(query.cursor);
  const role = query.role === undefined ? undefined : await roleNamed(store, workspace, query.role);
  const team = query.team === undefined ? undefined : await teamNamed(store, workspace, query.team);
  const status: StatusFilter = query.active === undefined ? 'all' : query.active ? 'active' : 'inactive';
  const filter: ResolvedFilter | undefined = directoryFilter(query.q ?? '', status);
  const pageQuery: UserPageQuery = {
    limit: query.limit + 1,
    ...(afterId !== undefined ? { afterId } : {}),
    ...(role ? { roleId: role.id } : {}),
    ...(team ? { teamId: team.id } : {}),
    ...(filter ? { filter } : {}),
  };
  const users = await store.read.userPages.page(workspace.id, pageQuery);
  const page = users.slice(0, query.limit);
  const apps = await appUsersOf(store.read, workspace, page);
  const data = page.flatMap((u) => apps.get(u.id) ?? []);
  const last = page[page.length - 1];
  return { data, next: users.length > query.limit && last ? encodeUserCursor(last.id) : null };
}

export async function appUser(store: DirectoryStore, workspace: Workspace, id: string): Promise<AppUser> {
  const user = isPlausibleId(id) ? await store.read.users.byId(workspace.id, id) : undefined;
  const app = user && (await appUsersOf(store.read, workspace, [user])).get(user.id);
  if (!app) throw new DirectoryError('userNotFound', `no user '${id.slice(0, 100)}' in workspace '${workspace.slug}'`);
  return app;
}

export async function appRoles(store: DirectoryStore, workspace: Workspace): Promise<(NamedRef & { level: number; guest: boolean })[]> {
  const roles = await store.read.roles.list(workspace.id);
  return roles.map((r) => ({ id: r.id, name: r.name, level: r.level, guest: r.isGuest }));
}

export async function appTeams(store: DirectoryStore, workspace: Workspace): Promise<NamedRef[]> {
  const teams = await store.read.teams.list(workspace.id);
  return teams.map((t) => ({ id: t.id, name: t.name }));
}

async function roleNamed(store: DirectoryStore, workspace: Workspace, text: string): Promise<NamedRef> {
  const role =
    (isPlausibleId(text) ? await store.read.roles.byId(workspace.id, text) : undefined) ??
    (await store.read.roles.byName(workspace.id, text));
  if (!role) throw new DirectoryError('roleNotFound', `no role '${text.slice(0, 100)}' in workspace '${workspace.slug}'`);
  return role;
}

async function teamNamed(store: DirectoryStore, workspace: Workspace, text: string): Promise<NamedRef> {
  const [byId] = isPlausibleId(text) ? await store.read.teams.byIds(workspace.id, [text]) : [];
  const team = byId ?? (await store.read.teams.byNames(workspace.id, [text]))[0];
  if (!team) throw new DirectoryError('teamNotFound', `no team '${text.slice(0, 100)}' in workspace '${workspace.slug}'`);
  return team;
}

const encodeUserCursor = (id: string): string => Buffer.from(`u1.${id}`, 'utf8').toString('base64url');

function decodeUserCursor(cursor: string): string {
  const match = /^u1\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new DirectoryError('invalidArgument', `'${cursor.slice(0, 100)}' is not a cursor of the users list`);
  return match[1] as string;
}
