import { ScimError } from '../../scim/errors.js';
import { parseFilter } from '../../scim/filter/filter-parser.js';
import { resolveFilter } from '../../scim/filter/filter-resolver.js';
import { type ListResponse, listResponse } from '../../scim/messages/list-response.js';
import { parsePatchRequest } from '../../scim/messages/patch-request.js';
import type { SearchRequest } from '../../scim/messages/search-request.js';
import { type Projection, parseProjection, projectResource } from '../../scim/schema/projection.js';
import type { ScimResource } from '../../scim/schema/resource-checker.js';
import { GROUP_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { describe, isJsonObject } from '../../scim/schema/value-normalizer.js';
import { DirectoryError } from '../errors.js';
import { appUsersOf } from '../events/app-user.js';
import { BY_SYSTEM, type EventContext } from '../events/event-model.js';
import { recordEvents } from '../events/event-recording.js';
import { recordRefusal } from '../events/refusals.js';
import { isPlausibleId, nowIso } from '../ids.js';
import type { Role, User, Workspace } from '../model.js';
import type { DirectoryStore, Repositories, RoleMember } from '../ports.js';
import { defaultRole } from '../roles/roles.js';
import { claimSeats, seatsTaken } from '../seats/seats.js';
import { displayNameOf } from '../users/user-resource.js';
import { type MembershipChange, planMembership, replaceMembers } from './group-membership.js';
import type { RequestContext, ScimLimits, WriteResult } from './scim-users.js';

/**
 * The Groups endpoint: the workspace's non-guest roles, served as SCIM Groups (docs/rules/roles.md).
 * Roles are created, renamed and deleted only in the app; over SCIM they are read and assigned.
 * A user holds exactly one role: joining a role leaves the previous one, and leaving one's role
 * returns the user to the default role (the non-guest role with the lowest level).
 */
export class ScimGroupService {
  constructor(
    private readonly store: DirectoryStore,
    private readonly limits: ScimLimits,
  ) {}

  async list(context: RequestContext, request: SearchRequest): Promise<ListResponse<ScimResource>> {
    const filter = request.filter
      ? resolveFilter(parseFilter(request.filter, { maxLength: this.limits.maxFilterLength }), GROUP_RESOURCE_TYPE)
      : undefined;
    const projection = parseProjection(GROUP_RESOURCE_TYPE, request.attributes, request.excludedAttributes);
    const sortBy = request.sortBy ? GROUP_RESOURCE_TYPE.resolve(request.sortBy) : undefined;
    if (request.sortBy && !sortBy) throw ScimError.invalidParameter(`'sortBy' names an unknown attribute '${request.sortBy}'`);
    const { roles, total } = await this.store.read.roles.searchGroups(context.workspace.id, {
      ...(filter ? { filter } : {}),
      ...(sortBy ? { sortBy } : {}),
      descending: request.sortOrder === 'descending',
      offset: request.startIndex - 1,
      limit: request.count,
    });
    const members = wantsMembers(projection)
      ? await this.store.read.users.membersOf(
          context.workspace.id,
          roles.map((r) => r.id),
        )
      : undefined;
    const resources = roles.map((role) =>
      projectResource(GROUP_RESOURCE_TYPE, toGroupResource(role, members, context.baseUrl), projection),
    );
    return listResponse(resources, total, request.startIndex);
  }

  async get(context: RequestContext, id: string, projection: Projection): Promise<ScimResource> {
    const role = await visibleRole(this.store.read, context.workspace, id);
    const members = wantsMembers(projection) ? await this.store.read.users.membersOf(context.workspace.id, [role.id]) : undefined;
    return projectResource(GROUP_RESOURCE_TYPE, toGroupResource(role, members, context.baseUrl), projection);
  }

  /** PATCH /Groups/{id}: membership deltas (group-membership.ts), applied without rewriting the member list. */
  async patch(context: RequestContext, id: string, body: unknown): Promise<WriteResult> {
    const plan = planMembership(parsePatchRequest(body, { maxOperations: this.limits.maxOperations }));
    return this.write(context, async (repos) => {
      const { role, roles } = await lockedRole(repos, context.workspace, id);
      checkDisplayName(role, plan.displayName);
      if (plan.changes.length > 1) {
        // Every user the changes name is locked now, in one sorted pass, so no change locks a user
        // after an earlier one took the workspace row's lock for a seat (lock order: seats.ts).
        const named = plan.changes.flatMap((change) => (change.kind === 'removeAll' ? [] : change.ids));
        await repos.users.byIds(context.workspace.id, [...new Set(named)].filter(isPlausibleId), { forUpdate: true });
      }
      const warnings = [...plan.warnings];
      const changed = new Set<string>();
      const moves = new RoleMoves(roles);
      const fallback = fallbackOnce(repos, context.workspace);
      for (const change of plan.changes) {
        await this.applyChange(repos, context.workspace, role, change, { warnings, changed, moves }, fallback);
      }
      await this.touch(repos, context.workspace, changed);
      await moves.record(repos, context.workspace, context.events ?? BY_SYSTEM);
      return { resource: {}, warnings };
    });
  }

  /** PUT /Groups/{id}: the body's `members` becomes the member list; displayName may not change. */
  async replace(context: RequestContext, id: string, body: unknown): Promise<WriteResult> {
    if (!isJsonObject(body)) throw ScimError.invalidSyntax(`the request body must be a JSON object, got ${describe(body)}`);
    const entries = new Map(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]));
    const result = await this.write(context, async (repos) => {
      const { role, roles } = await lockedRole(repos, context.workspace, id);
      const displayName = entries.get('displayname');
      if (displayName !== undefined) checkDisplayName(role, typeof displayName === 'string' ? displayName : null);
      const warnings: string[] = [];
      const members = replaceMembers(entries.get('members'), warnings);
      const changed = new Set<string>();
      const moves = new RoleMoves(roles);
      const fallback = fallbackOnce(repos, context.workspace);
      await this.applyChange(repos, context.workspace, role, members, { warnings, changed, moves }, fallback);
      await this.touch(repos, context.workspace, changed);
      await moves.record(repos, context.workspace, context.events ?? BY_SYSTEM);
      return { warnings };
    });
    const resource = await this.get(context, id, { attributes: [], excludedAttributes: [] });
    return { resource, warnings: result.warnings };
  }

  /** Runs a write in one transaction; a refusal the app should hear of is recorded after it rolled back. */
  private async write<T>(context: RequestContext, work: (repos: Repositories) => Promise<T>): Promise<T> {
    try {
      return await this.store.transaction(work);
    } catch (error) {
      if (error instanceof DirectoryError)
        await recordRefusal(this.store, context.workspace, context.events ?? BY_SYSTEM, context.request, error);
      throw error;
    }
  }

  /**
   * Applies one membership change; adds to `changed` every role whose member list it changed
   * (the role users joined, the roles they left, the default role they fell back to).
   * `defaultRoleOf` is read only by changes that remove members.
   */
  private async applyChange(
    repos: Repositories,
    workspace: Workspace,
    role: Role,
    change: MembershipChange,
    { warnings, changed, moves }: ChangeNotes,
    defaultRoleOf: () => Promise<Role>,
  ): Promise<void> {
    const moveToFallback = async (userIds: readonly string[]) => {
      if (userIds.length === 0) return;
      const fallback = await defaultRoleOf();
      if (role.id === fallback.id) {
        warnings.push(`'${role.name}' is the default role: removed members stay in it`);
        return;
      }
      if ((await repos.users.assignRole(workspace.id, userIds, fallback.id, nowIso())) > 0) changed.add(role.id).add(fallback.id);
      moves.add(userIds, role.id, fallback.id);
    };
    switch (change.kind) {
      case 'add':
        await this.addMembers(repos, workspace, role, await this.knownUsers(repos, workspace, change.ids, warnings), changed, moves);
        return;
      case 'remove': {
        const users = await this.knownUsers(repos, workspace, change.ids, warnings);
        await moveToFallback(users.filter((u) => u.roleId === role.id).map((u) => u.id));
        return;
      }
      case 'removeAll': {
        const fallback = await defaultRoleOf();
        if (role.id === fallback.id) return;
        // The members are read first: each move is an event (user.role_changed).
        const members = await repos.users.membersOf(workspace.id, [role.id]);
        if ((await repos.users.reassignRole(workspace.id, role.id, fallback.id, nowIso())) > 0) changed.add(role.id).add(fallback.id);
        moves.add(
          members.map((m) => m.userId),
          role.id,
          fallback.id,
        );
        return;
      }
      case 'replace': {
        const wanted = new Set(change.ids);
        const current = await repos.users.membersOf(workspace.id, [role.id]);
        // Members who leave move between non-guest roles (no seat), so they are not read, only
        // moved; their rows are locked by that UPDATE, before the joining users' rows (seats.ts).
        await moveToFallback(current.filter((m: RoleMember) => !wanted.has(m.userId)).map((m) => m.userId));
        await this.addMembers(repos, workspace, role, await this.knownUsers(repos, workspace, change.ids, warnings), changed, moves);
        return;
      }
      default: {
        const impossible: never = change;
        throw new TypeError(`unknown membership change ${JSON.stringify(impossible)}`);
      }
    }
  }

  /** Moves `users` (read under their row locks: knownUsers) into `role`. */
  private async addMembers(
    repos: Repositories,
    workspace: Workspace,
    role: Role,
    users: readonly User[],
    changed: Set<string>,
    moves: RoleMoves,
  ) {
    const joining = users.filter((u) => u.roleId !== role.id);
    if (joining.length === 0) return;
    // Guests take no seat; an active guest who joins a role starts taking one.
    const roles = moves.roles;
    const changes = joining.map((u) => ({
      before: { active: u.active, guest: roles.get(u.roleId)?.isGuest === true },
      after: { active: u.active, guest: role.isGuest },
    }));
    await claimSeats(repos, workspace, changes, `${seatsTaken(changes)} guest(s) joining '${role.name}'`);
    const at = nowIso();
    await repos.users.assignRole(
      workspace.id,
      joining.map((u) => u.id),
      role.id,
      at,
    );
    changed.add(role.id);
    for (const user of joining) {
      if (!roles.get(user.roleId)?.isGuest) changed.add(user.roleId);
      moves.add([user.id], user.roleId, role.id);
      moves.holds({ ...user, roleId: role.id, updatedAt: at, lastSyncedAt: at, version: user.version + 1 });
    }
  }

  /**
   * The SCIM-visible users among `ids`, read under their row locks (taken in id order), so the
   * seat rule and the moves decide from their current state (seats.ts). Unknown ids are skipped
   * and noted for the provisioning log.
   */
  private async knownUsers(repos: Repositories, workspace: Workspace, ids: readonly string[], warnings: string[]): Promise<User[]> {
    const unique = [...new Set(ids)];
    const users = (await repos.users.byIds(workspace.id, unique.filter(isPlausibleId), { forUpdate: true })).filter((u) => !u.scimDeleted);
    const found = new Set(users.map((u) => u.id));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0)
      warnings.push(`skipped unknown member id(s): ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}`);
    return users;
  }

  /**
   * Marks roles modified so their meta.lastModified and meta.version show membership changes:
   * one update per role, without reading it first.
   */
  private async touch(repos: Repositories, workspace: Workspace, roleIds: ReadonlySet<string>): Promise<void> {
    const now = nowIso();
    // Sorted, so concurrent requests lock role rows in the same order.
    for (const id of [...roleIds].sort()) await repos.roles.touch(workspace.id, id, now);
  }
}

/**
 * The workspace's default role, read at most once per request (on the first call) and only by
 * requests that need it. Membership changes do not change which role is the default.
 */
function fallbackOnce(repos: Repositories, workspace: Workspace): () => Promise<Role> {
  let fallback: Promise<Role> | undefined;
  return () => {
    fallback ??= defaultRole(repos, workspace);
    return fallback;
  };
}

async function visibleRole(repos: Repositories, workspace: Workspace, id: string): Promise<Role> {
  const role = isPlausibleId(id) ? await repos.roles.byId(workspace.id, id) : undefined;
  return groupOrNotFound(role, id);
}

/**
 * The role a Groups write changes, after locking every role row of the workspace in id order:
 * the write later marks modified the roles its members left (`touch`), so two writes moving
 * users between the same roles in opposite directions would otherwise each hold the role the
 * other waits for (a deadlock, seen as 500s on PostgreSQL). Roles are few; Groups writes of one
 * workspace queue on them, as writes to one Group always did.
 */
async function lockedRole(repos: Repositories, workspace: Workspace, id: string): Promise<{ role: Role; roles: readonly Role[] }> {
  const roles = isPlausibleId(id) ? await repos.roles.lockAll(workspace.id) : [];
  return {
    role: groupOrNotFound(
      roles.find((r) => r.id === id),
      id,
    ),
    roles,
  };
}

function groupOrNotFound(role: Role | undefined, id: string): Role {
  if (!role || role.isGuest) throw new DirectoryError('roleNotFound', `group ${JSON.stringify(id)} not found`);
  return role;
}

/** Roles are renamed only in the app; repeating the current name is a no-op (Okta sends it on every push). */
function checkDisplayName(role: Role, displayName: string | null | undefined): void {
  // Names compare as the filter does (case-insensitively): `displayName eq "admin"` found this role.
  if (displayName === undefined || displayName?.toLowerCase() === role.name.toLowerCase()) return;
  throw new DirectoryError(
    'roleRenameRefused',
    `the displayName of a role cannot be changed over SCIM ('${role.name}' → ${JSON.stringify(displayName)}); rename roles in Roster`,
  );
}

function wantsMembers(projection: Projection): boolean {
  const named = (list: Projection['attributes']) => list.some((a) => a.attribute.name === 'members' && !a.subAttribute);
  if (named(projection.excludedAttributes)) return false;
  return projection.attributes.length === 0 || projection.attributes.some((a) => a.attribute.name === 'members');
}

export function toGroupResource(role: Role, members: readonly RoleMember[] | undefined, baseUrl: string): ScimResource {
  const resource: ScimResource = { id: role.id, displayName: role.name };
  if (members) {
    const own = members.filter((m) => m.roleId === role.id);
    if (own.length > 0) {
      resource.members = own.map((m) => ({
        value: m.userId,
        $ref: `${baseUrl}/Users/${m.userId}`,
        display: displayNameOf(m.name),
        type: 'User',
      }));
    }
  }
  resource.meta = {
    resourceType: 'Group',
    created: role.createdAt,
    lastModified: role.updatedAt,
    location: `${baseUrl}/Groups/${role.id}`,
    version: `W/"${role.version}"`,
  };
  return resource;
}

/** What a membership change notes on its way: warnings, roles modified, users moved. */
interface ChangeNotes {
  readonly warnings: string[];
  readonly changed: Set<string>;
  readonly moves: RoleMoves;
}

/**
 * The role moves of one Group request, per user from the first role left to the last one joined,
 * recorded as `user.role_changed` events at the end of its transaction (docs/events.md).
 * It knows the workspace's roles (read under lock when the request began; roles are not created,
 * renamed or deleted by a Groups write) and the users the request read and moved itself, so it
 * reads again only the users moved without reading them (removals) and their teams.
 */
class RoleMoves {
  private readonly moves = new Map<string, { from: string; to: string }>();
  /** Users as this request left them, where it read them and moved them once (`holds`). */
  private readonly held = new Map<string, User>();
  readonly roles: ReadonlyMap<string, Role>;

  constructor(roles: readonly Role[]) {
    this.roles = new Map(roles.map((r) => [r.id, r]));
  }

  add(userIds: readonly string[], from: string, to: string): void {
    for (const id of userIds) {
      // A user moved again without being read is read again at the end.
      this.held.delete(id);
      this.moves.set(id, { from: this.moves.get(id)?.from ?? from, to });
    }
  }

  /** The state of a user this request just moved, read under its row lock: no need to read it again. */
  holds(user: User): void {
    this.held.set(user.id, user);
  }

  async record(repos: Repositories, workspace: Workspace, events: EventContext): Promise<void> {
    const moved = [...this.moves].filter(([, move]) => move.from !== move.to);
    if (moved.length === 0) return;
    const unread = moved.flatMap(([id]) => (this.held.has(id) ? [] : [id]));
    const users = [...moved.flatMap(([id]) => this.held.get(id) ?? []), ...(await repos.users.byIds(workspace.id, unread))];
    const apps = await appUsersOf(repos, workspace, users, this.roles);
    const named = (id: string) => {
      const role = this.roles.get(id);
      return role ? { id: role.id, name: role.name } : null;
    };
    const drafts = moved.flatMap(([id, move]) => {
      const user = apps.get(id);
      return user ? [{ type: 'user.role_changed' as const, data: { user, from: named(move.from), to: named(move.to) } }] : [];
    });
    await recordEvents(repos, workspace.id, events, drafts);
  }
}
