import { isDeepStrictEqual } from 'node:util';
import { ScimError } from '../../scim/errors.js';
import { parseFilter } from '../../scim/filter/filter-parser.js';
import { resolveFilter } from '../../scim/filter/filter-resolver.js';
import { type ListResponse, listResponse } from '../../scim/messages/list-response.js';
import { parsePatchRequest } from '../../scim/messages/patch-request.js';
import type { SearchRequest } from '../../scim/messages/search-request.js';
import { applyPatch } from '../../scim/patch/index.js';
import { type Projection, parseProjection, projectResource } from '../../scim/schema/projection.js';
import { checkResource, type ScimResource } from '../../scim/schema/resource-checker.js';
import { mergeAsserted, withoutNulls } from '../../scim/schema/resource-merge.js';
import { USER_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { DirectoryError } from '../errors.js';
import { appUsersOf, toAppUser } from '../events/app-user.js';
import { BY_SYSTEM, type EventContext } from '../events/event-model.js';
import { recordEvents } from '../events/event-recording.js';
import { recordRefusal } from '../events/refusals.js';
import { userChangeEvents } from '../events/user-events.js';
import { isPlausibleId, newId, nowIso } from '../ids.js';
import type { Team, User, Workspace } from '../model.js';
import { queueReactivationNotice } from '../outbox/outbox.js';
import { type DirectoryStore, type Repositories, StoreConflict } from '../ports.js';
import { defaultRole } from '../roles/roles.js';
import { claimSeats } from '../seats/seats.js';
import { assembleUser, assembleUsers, loadReferences, type UserReferences } from '../users/user-assembler.js';
import { accountEmail, profileFromResource, toUserResource, type UserContext, userVersion } from '../users/user-resource.js';
import { settleProfile } from '../users/user-rules.js';

/** Limits of the SCIM Users endpoint, from configuration. */
export interface ScimLimits {
  readonly maxResults: number;
  readonly defaultCount: number;
  readonly maxOperations: number;
  readonly maxFilterLength: number;
}

/** The outcome of a SCIM write: the resource to return and notes for the provisioning log. */
export interface WriteResult {
  readonly resource: ScimResource;
  readonly warnings: readonly string[];
  readonly created?: boolean;
}

export interface RequestContext {
  readonly workspace: Workspace;
  readonly baseUrl: string;
  /** The client's If-Match header (RFC 7644 §3.14), if any. */
  readonly ifMatch?: string;
  /** Who sends the request (the identity provider) and its trace id, for the events it records; Roster itself when absent. */
  readonly events?: EventContext;
  /** The request line, for a `provisioning.refused` event; undefined outside HTTP. */
  readonly request?: { readonly method: string; readonly path: string };
}

/**
 * The Users endpoint's behaviour over the directory (RFC 7644 §3.2–§3.6). Each write runs in
 * one transaction and either applies fully or changes nothing.
 */
export class ScimUserService {
  constructor(
    private readonly store: DirectoryStore,
    private readonly limits: ScimLimits,
  ) {}

  async list(context: RequestContext, request: SearchRequest): Promise<ListResponse<ScimResource>> {
    const type = USER_RESOURCE_TYPE;
    const filter = request.filter
      ? resolveFilter(parseFilter(request.filter, { maxLength: this.limits.maxFilterLength }), type)
      : undefined;
    const sortBy = request.sortBy ? type.resolve(request.sortBy) : undefined;
    if (request.sortBy && !sortBy) throw ScimError.invalidParameter(`'sortBy' names an unknown attribute '${request.sortBy}'`);
    const projection = parseProjection(type, request.attributes, request.excludedAttributes);
    const workspaceId = context.workspace.id;
    const { users, total } = await this.store.read.users.search(workspaceId, {
      ...(filter ? { filter } : {}),
      ...(sortBy ? { sortBy } : {}),
      descending: request.sortOrder === 'descending',
      offset: request.startIndex - 1,
      limit: request.count,
      scimVisibleOnly: true,
    });
    const resources = await assembleUsers(this.store.read, workspaceId, users, context.baseUrl);
    return listResponse(
      resources.map((r) => projectResource(type, r, projection)),
      total,
      request.startIndex,
    );
  }

  async get(context: RequestContext, id: string, projection: Projection): Promise<ScimResource> {
    const user = isPlausibleId(id) ? await this.store.read.users.byId(context.workspace.id, id) : undefined;
    if (!user || user.scimDeleted) throw notFound(id);
    const resource = await assembleUser(this.store.read, context.workspace.id, user, context.baseUrl);
    return projectResource(USER_RESOURCE_TYPE, resource, projection);
  }

  /** POST /Users (RFC 7644 §3.3). A userName removed by DELETE brings the same person back. */
  async create(context: RequestContext, body: unknown): Promise<WriteResult> {
    const checked = checkResource(USER_RESOURCE_TYPE, body);
    const asserted = withoutNulls(checked.resource);
    return this.write(context, async (repos) => {
      const workspace = context.workspace;
      const userName = String(asserted.userName);
      const existing = await this.matchExisting(repos, workspace, asserted);
      if (existing) {
        // A user brought back after DELETE starts from what this POST sends; an app user being
        // matched keeps what the POST does not mention (one-way sync of asserted attributes).
        if (existing.user.scimDeleted) {
          const merged = mergeAsserted(USER_RESOURCE_TYPE, { active: true }, checked.resource);
          return this.save(repos, context, existing.user, merged, [...checked.warnings, existing.note], { revive: true });
        }
        const { base, known } = await storedForm(repos, context, existing.user);
        const merged = mergeAsserted(USER_RESOURCE_TYPE, base, checked.resource);
        return this.save(repos, context, existing.user, merged, [...checked.warnings, existing.note], { revive: true, known });
      }
      const initialRole = await defaultRole(repos, workspace);
      const now = nowIso();
      const draft: User = {
        workspaceId: workspace.id,
        id: newId(),
        userName,
        email: '',
        active: true,
        scimDeleted: false,
        roleId: initialRole.id,
        teamIds: [],
        scimManaged: true,
        lastSyncedAt: now,
        createdAt: now,
        updatedAt: now,
        version: 0,
        contacts: { emails: [], phoneNumbers: [], addresses: [] },
      };
      const resource = { ...asserted, active: asserted.active ?? true };
      return this.save(repos, context, draft, resource, checked.warnings, { insert: true, known: { roles: [initialRole], teams: [] } });
    });
  }

  /**
   * Finds the person a POST means when they exist already: the same userName removed earlier
   * by DELETE (brought back), or an app user not yet managed by SCIM with the same userName or
   * account email (matched, never duplicated: docs/rules/matching.md). The users
   * found are locked, so the seat decision and the write start from their current state.
   */
  private async matchExisting(
    repos: Repositories,
    workspace: Workspace,
    asserted: ScimResource,
  ): Promise<{ user: User; note: string } | undefined> {
    const userName = String(asserted.userName);
    const email = accountEmail(profileFromResource(asserted).profile);
    const { byUserName: sameName, byEmail: sameEmail } = await repos.users.byUserNameOrEmail(workspace.id, userName, email || undefined, {
      forUpdate: true,
    });
    if (sameName) {
      if (sameName.scimManaged && !sameName.scimDeleted) {
        throw new DirectoryError('userNameTaken', `userName '${userName}' is already taken in this workspace`);
      }
      const how = sameName.scimDeleted ? 'brought back user removed earlier by DELETE' : 'matched existing app user by userName';
      return { user: sameName, note: `${how}: ${sameName.id}` };
    }
    if (!sameEmail) return undefined;
    if (sameEmail.scimManaged && !sameEmail.scimDeleted) {
      throw new DirectoryError('userExists', `the account email '${email}' already belongs to user '${sameEmail.userName}'`);
    }
    return { user: sameEmail, note: `matched existing user ${sameEmail.id} by account email ${email}` };
  }

  /** PUT /Users/{id}: attributes the body leaves out stay as they are (RFC 7644 §3.5.1 allows it). */
  async replace(context: RequestContext, id: string, body: unknown): Promise<WriteResult> {
    const checked = checkResource(USER_RESOURCE_TYPE, body);
    return this.write(context, async (repos) => {
      const user = await this.lockVisible(repos, context, id);
      const { base, known } = await storedForm(repos, context, user);
      return this.save(repos, context, user, mergeAsserted(USER_RESOURCE_TYPE, base, checked.resource), checked.warnings, { known });
    });
  }

  /** PATCH /Users/{id} (RFC 7644 §3.5.2). */
  async patch(context: RequestContext, id: string, body: unknown): Promise<WriteResult> {
    const operations = parsePatchRequest(body, { maxOperations: this.limits.maxOperations });
    return this.write(context, async (repos) => {
      const user = await this.lockVisible(repos, context, id);
      const { base, known } = await storedForm(repos, context, user);
      const patched = applyPatch(USER_RESOURCE_TYPE, base, operations);
      return this.save(repos, context, user, patched.resource, patched.warnings, { known });
    });
  }

  /** DELETE /Users/{id}: deactivates the person in the app and removes them from the SCIM view. */
  async delete(context: RequestContext, id: string): Promise<void> {
    await this.write(context, async (repos) => {
      const user = await this.lockVisible(repos, context, id);
      const now = nowIso();
      const removed: User = { ...user, active: false, scimDeleted: true, updatedAt: now, lastSyncedAt: now, version: user.version + 1 };
      await this.update(repos, removed, user.version);
      const app = (await appUsersOf(repos, context.workspace, [removed])).get(removed.id);
      if (app)
        await recordEvents(repos, context.workspace.id, context.events ?? BY_SYSTEM, [{ type: 'user.removed', data: { user: app } }]);
      return { resource: {}, warnings: [] };
    });
  }

  private async write(context: RequestContext, work: (repos: Repositories) => Promise<WriteResult>): Promise<WriteResult> {
    try {
      return await this.store.transaction(work);
    } catch (thrown) {
      const error =
        thrown instanceof StoreConflict && thrown.constraint === 'users_user_name'
          ? new DirectoryError('userNameTaken', 'userName is already taken in this workspace', { cause: thrown })
          : thrown;
      if (error instanceof DirectoryError)
        await recordRefusal(this.store, context.workspace, context.events ?? BY_SYSTEM, context.request, error);
      throw error;
    }
  }

  private async lockVisible(repos: Repositories, context: RequestContext, id: string): Promise<User> {
    const user = isPlausibleId(id) ? await repos.users.byId(context.workspace.id, id, { forUpdate: true }) : undefined;
    if (!user || user.scimDeleted) throw notFound(id);
    if (context.ifMatch && context.ifMatch.trim() !== '*' && context.ifMatch.trim() !== userVersion(user)) {
      throw new DirectoryError('versionMismatch', `the user's version is ${userVersion(user)}, not ${context.ifMatch}`);
    }
    return user;
  }

  /**
   * Applies a complete stored-form resource to a user: the workspace rules, then one write.
   * `mode.known` holds the roles and teams this transaction read already (the user's role,
   * the teams of the resource the write started from), so they are not read again.
   */
  private async save(
    repos: Repositories,
    context: RequestContext,
    user: User,
    resource: ScimResource,
    inputWarnings: readonly string[],
    mode: { insert?: boolean; revive?: boolean; known?: UserReferences },
  ): Promise<WriteResult> {
    const workspace = context.workspace;
    const warnings = [...inputWarnings];
    const { profile, active, teamNames } = profileFromResource(resource);
    const { adjusted, email } = settleProfile(profile, workspace, warnings);
    const teams = await teamsNamed(repos, workspace.id, teamNames, mode.known?.teams ?? []);
    const nextActive = active ?? user.active;
    const now = mode.insert ? user.createdAt : nowIso();
    const draft: User = {
      ...adjusted,
      workspaceId: user.workspaceId,
      id: user.id,
      email,
      active: nextActive,
      scimDeleted: false,
      roleId: user.roleId,
      teamIds: teamNames.map((name) => teams.find((t) => t.name === name)?.id as string),
      scimManaged: true,
      lastSyncedAt: now,
      createdAt: user.createdAt,
      updatedAt: now,
      version: user.version + 1,
    };
    // A write that changes nothing Roster shows (a PUT or PATCH repeating the current values) keeps
    // updatedAt (meta.lastModified, the app user's updatedAt): it records no event (user-events.ts),
    // and an updatedAt no event carries would keep an app's copy from ever equalling the users list.
    const next = mode.insert || changesUser(user, draft) ? draft : { ...draft, updatedAt: user.updatedAt };
    // The user's role (unchanged by this write) and its teams before and after, for the seat rule,
    // the events and the response.
    const references = await loadReferences(repos, workspace.id, [user, next], {
      roles: mode.known?.roles ?? [],
      teams: [...(mode.known?.teams ?? []), ...teams],
    });
    // `user` was read under its row lock (lockVisible, matchExisting) or is new: seats.ts.
    const guest = references.roles.find((r) => r.id === next.roleId)?.isGuest === true;
    const before = mode.insert ? undefined : { active: user.active, guest };
    await claimSeats(repos, workspace, [{ before, after: { active: nextActive, guest } }], `'${next.userName}'`);
    if (mode.insert) await repos.users.insert(next);
    else await this.update(repos, next, user.version);
    if (!mode.insert && !user.active && nextActive) await queueReactivationNotice(repos, workspace, next);
    const role = references.roles.find((r) => r.id === next.roleId);
    const after = toAppUser(next, workspace.slug, role, references.teams);
    const previous = mode.insert ? undefined : toAppUser(user, workspace.slug, role, references.teams);
    await recordEvents(repos, workspace.id, context.events ?? BY_SYSTEM, userChangeEvents(previous, after));
    const stored = await assembleUser(repos, workspace.id, next, context.baseUrl, { known: references });
    return {
      resource: projectResource(USER_RESOURCE_TYPE, stored, { attributes: [], excludedAttributes: [] }),
      warnings,
      created: mode.insert === true || mode.revive === true,
    };
  }

  private async update(repos: Repositories, user: User, expectedVersion: number): Promise<void> {
    const updated = await repos.users.update(user, expectedVersion);
    // Rows are locked for the transaction, so a lost race here means a bug, not a client error.
    if (!updated) throw new Error(`user ${user.id} changed during the transaction`);
  }
}

/**
 * The stored form of a user that a write starts from (no derived attributes), and the role and
 * teams read for it, which the write passes on instead of reading them again.
 */
async function storedForm(
  repos: Repositories,
  context: RequestContext,
  user: User,
): Promise<{ base: ScimResource; known: UserReferences }> {
  const known = await loadReferences(repos, context.workspace.id, [user]);
  const base = await assembleUser(repos, context.workspace.id, user, context.baseUrl, { derive: false, known });
  return { base, known };
}

/**
 * The teams with these exact names: those among `known` (read earlier in the transaction; team
 * names are unique in a workspace) and the others in one read, none when all are known. A name
 * that is no team of the workspace is refused: teams are created in Roster, not over SCIM.
 */
async function teamsNamed(repos: Repositories, workspaceId: string, names: readonly string[], known: readonly Team[]): Promise<Team[]> {
  const wanted = new Set(names);
  const found = known.filter((t) => wanted.has(t.name));
  const foundNames = new Set(found.map((t) => t.name));
  const unread = [...wanted].filter((name) => !foundNames.has(name));
  const teams = [...found, ...(await repos.teams.byNames(workspaceId, unread))];
  const missing = names.filter((name) => !teams.some((t) => t.name === name));
  if (missing.length > 0) {
    throw new DirectoryError('invalidValue', `unknown team ${missing.map((n) => `'${n}'`).join(', ')}: teams are matched by exact name`);
  }
  return teams;
}

function notFound(id: string): DirectoryError {
  return new DirectoryError('userNotFound', `user ${JSON.stringify(id)} not found`);
}

/** Whether a write changes the user as shown: its GET resource (derived names included, so echoing them is no change), email, role, teams, state. */
function changesUser(before: User, after: User): boolean {
  const shown = (user: User) => toUserResource({ ...user, updatedAt: '', version: 0 }, AS_SHOWN, { derive: true });
  return (
    before.email !== after.email ||
    before.roleId !== after.roleId ||
    before.teamIds.join() !== after.teamIds.join() ||
    before.scimDeleted !== after.scimDeleted ||
    before.scimManaged !== after.scimManaged ||
    !isDeepStrictEqual(shown(before), shown(after))
  );
}

const AS_SHOWN: UserContext = { baseUrl: '', teamNames: [] };
