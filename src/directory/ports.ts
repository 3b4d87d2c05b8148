import type { ResolvedFilter } from '../scim/filter/ast.js';
import type { ResolvedAttribute } from '../scim/schema/resource-type.js';
import type { ApiKeyRepository } from './api-keys/api-key-ports.js';
import type { EventRepository } from './events/event-ports.js';
import type {
  AuditEntry,
  ConsoleSession,
  LoginFlow,
  LoginLink,
  OutboxMessage,
  Provider,
  ProvisioningLogEntry,
  Role,
  ScimIntegration,
  ScimToken,
  SsoConfig,
  Team,
  User,
  Workspace,
} from './model.js';
import type { WebhookRepository } from './webhooks/webhook-ports.js';

/**
 * The storage interface the directory owns. Adapters (storage/) implement it for SQLite and
 * PostgreSQL and translate driver errors into `StoreConflict`.
 */
export interface DirectoryStore {
  /** Runs `work` in one transaction: it commits when `work` resolves and rolls back when it throws. */
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  /** Reads outside a transaction. */
  readonly read: Repositories;
  close(): Promise<void>;
}

export interface Repositories {
  readonly workspaces: WorkspaceRepository;
  readonly integrations: IntegrationRepository;
  readonly roles: RoleRepository;
  readonly teams: TeamRepository;
  readonly users: UserRepository;
  readonly userPages: UserPageRepository;
  readonly provisioningLog: ProvisioningLogRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly signIn: SignInRepository;
  readonly events: EventRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly webhooks: WebhookRepository;
}

/** Console sign-in state: sessions, OpenID Connect flows, one-time links, password hashes. */
export interface SignInRepository {
  insertSession(session: ConsoleSession): Promise<void>;
  session(idHash: string): Promise<ConsoleSession | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Removes sessions, flows and links that expired before `now`. */
  deleteExpired(now: string, flowsCreatedBefore: string): Promise<void>;
  insertFlow(flow: LoginFlow): Promise<void>;
  /** Returns the flow and deletes it, so a state is accepted once. */
  takeFlow(state: string): Promise<LoginFlow | undefined>;
  insertLink(link: LoginLink): Promise<void>;
  /** Marks an unused, unexpired link used and returns it; undefined when it is not (any more) valid. */
  useLink(tokenHash: string, at: string): Promise<LoginLink | undefined>;
  setPassword(workspaceId: string, userId: string, hash: string, at: string): Promise<void>;
  passwordHash(workspaceId: string, userId: string): Promise<string | undefined>;
}

export interface AuditRepository {
  insert(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(workspaceId: string, limit: number): Promise<AuditEntry[]>;
}

export interface LogQuery {
  readonly limit: number;
  readonly status?: number;
  /** true: only failures (status ≥ 400); false: only successes. */
  readonly failed?: boolean;
  readonly traceId?: string;
  readonly resourceId?: string;
  /** Only entries that failed with this error catalogue code. */
  readonly errorCode?: string;
}

export interface ProvisioningLogRepository {
  insert(entries: readonly ProvisioningLogEntry[]): Promise<void>;
  /** Newest first. */
  list(workspaceId: string, query: LogQuery): Promise<ProvisioningLogEntry[]>;
  /** Deletes a workspace's entries with an id below `beforeId`, and all but its newest `keep`. */
  prune(workspaceId: string, beforeId: string, keep: number): Promise<number>;
}

export interface OutboxRepository {
  insert(message: OutboxMessage): Promise<void>;
  list(workspaceId: string, limit: number): Promise<OutboxMessage[]>;
  /** Claims up to `limit` due messages until `claimUntil`, so only one sender delivers each. */
  claimDue(now: string, claimUntil: string, limit: number): Promise<OutboxMessage[]>;
  markSent(workspaceId: string, id: string, at: string): Promise<void>;
  markFailed(workspaceId: string, id: string, error: string, nextAttemptAt: string): Promise<void>;
}

export interface SeatUsage {
  readonly seats: number;
  readonly used: number;
}

export interface WorkspaceRepository {
  insert(workspace: Workspace): Promise<void>;
  update(workspace: Workspace): Promise<void>;
  bySlug(slug: string): Promise<Workspace | undefined>;
  byId(id: string): Promise<Workspace | undefined>;
  list(): Promise<Workspace[]>;
  /** Locks the workspace row for the transaction (seat accounting); a no-op on SQLite. */
  lock(id: string): Promise<void>;
  /**
   * Locks the workspace row as `lock` does, then reads its seat count and the seats in use
   * (active non-guest users, from the counters kept by triggers): the seat check's reads.
   * Undefined when the workspace or its counter row does not exist.
   */
  seatUsage(id: string): Promise<SeatUsage | undefined>;
  saveSso(config: SsoConfig): Promise<void>;
  sso(workspaceId: string): Promise<SsoConfig | undefined>;
}

export interface IntegrationRepository {
  insert(integration: ScimIntegration): Promise<void>;
  active(workspaceId: string): Promise<ScimIntegration | undefined>;
  disable(workspaceId: string, id: string, at: string): Promise<void>;
  insertToken(token: ScimToken): Promise<void>;
  /**
   * Finds a workspace's token by the hash of its secret, revoked or not, together with its
   * workspace (as `WorkspaceRepository.byId` returns it), in one read. Nothing is cached: a
   * revocation shows at the next call. The caller checks the hash and `revokedAt`.
   */
  authenticate(workspaceId: string, tokenHash: string): Promise<{ token: ScimToken; workspace: Workspace; provider: Provider } | undefined>;
  revokeTokens(workspaceId: string, integrationId: string | undefined, at: string): Promise<number>;
}

export interface RoleRepository {
  insert(role: Role): Promise<void>;
  update(role: Role): Promise<void>;
  byId(workspaceId: string, id: string, options?: { forUpdate?: boolean }): Promise<Role | undefined>;
  byName(workspaceId: string, name: string): Promise<Role | undefined>;
  /** Roles by id in one read, in no particular order; unknown ids are left out. */
  byIds(workspaceId: string, ids: readonly string[]): Promise<Role[]>;
  list(workspaceId: string): Promise<Role[]>;
  /**
   * Every role of the workspace, its rows locked in id order (PostgreSQL): Groups writes take
   * them first, so two of them that move users between the same roles queue (seats.ts).
   */
  lockAll(workspaceId: string): Promise<Role[]>;
  /** The non-guest role with the lowest level (ties: the smallest id), if any. */
  lowestNonGuest(workspaceId: string): Promise<Role | undefined>;
  /**
   * Marks a role modified (membership changed): `updatedAt` becomes `at` and `version` grows by
   * one, in one write that also locks the row for the transaction. False when there is no such role.
   */
  touch(workspaceId: string, id: string, at: string): Promise<boolean>;
  /** Deletes a role; the caller checks it is unused. */
  delete(workspaceId: string, id: string): Promise<void>;
  /** How many users (SCIM-visible or not) hold each role of the workspace, or only `roleId`. */
  holderCounts(workspaceId: string, roleId?: string): Promise<Map<string, number>>;
  /** Non-guest roles matching a filter (the SCIM Groups view), in creation order. */
  searchGroups(workspaceId: string, query: GroupQuery): Promise<{ roles: Role[]; total: number }>;
}

export interface GroupQuery {
  readonly filter?: ResolvedFilter;
  readonly sortBy?: ResolvedAttribute;
  readonly descending?: boolean;
  readonly offset: number;
  readonly limit: number;
}

/** The parts a user's display name is derived from (see displayNameOf). */
export interface UserNameParts {
  readonly userName: string;
  readonly displayName?: string;
  readonly formattedName?: string;
  readonly givenName?: string;
  readonly middleName?: string;
  readonly familyName?: string;
}

/** A user holding a role, as a Group member. */
export interface RoleMember {
  readonly roleId: string;
  readonly userId: string;
  readonly name: UserNameParts;
}

export interface TeamRepository {
  insert(team: Team): Promise<void>;
  list(workspaceId: string): Promise<Team[]>;
  byNames(workspaceId: string, names: readonly string[]): Promise<Team[]>;
  byIds(workspaceId: string, ids: readonly string[]): Promise<Team[]>;
  rename(workspaceId: string, id: string, name: string): Promise<void>;
  /** Deletes a team; the caller checks it has no members. */
  delete(workspaceId: string, id: string): Promise<void>;
  /** How many users belong to each team of the workspace, or only to `teamId`. */
  memberCounts(workspaceId: string, teamId?: string): Promise<Map<string, number>>;
}

/** A user search compiled to SQL by the adapter (RFC 7644 §3.4.2). */
export interface UserQuery {
  readonly filter?: ResolvedFilter;
  readonly sortBy?: ResolvedAttribute;
  readonly descending?: boolean;
  /** Zero-based offset. */
  readonly offset: number;
  readonly limit: number;
  /** Only users visible over SCIM (not removed by DELETE). */
  readonly scimVisibleOnly: boolean;
}

export interface UserMatches {
  readonly byUserName: User | undefined;
  readonly byEmail: User | undefined;
}

export interface UserRepository {
  insert(user: User): Promise<void>;
  /** Inserts many new users (with their contacts and team links) in multi-row statements: bulk seeding. */
  insertMany(users: readonly User[]): Promise<void>;
  /** Writes the user if its stored version is `expectedVersion`; false when it changed meanwhile. */
  update(user: User, expectedVersion: number): Promise<boolean>;
  byId(workspaceId: string, id: string, options?: { forUpdate?: boolean }): Promise<User | undefined>;
  byUserName(workspaceId: string, userName: string): Promise<User | undefined>;
  byEmail(workspaceId: string, email: string): Promise<User | undefined>;
  /**
   * `byUserName` and `byEmail` (when an email is given) in one read. With `forUpdate`, the users
   * found are locked for the transaction (in id order) and returned as they are once locked;
   * one that no longer matches then is left out.
   */
  byUserNameOrEmail(
    workspaceId: string,
    userName: string,
    email: string | undefined,
    options?: { forUpdate?: boolean },
  ): Promise<UserMatches>;
  search(workspaceId: string, query: UserQuery): Promise<{ users: User[]; total: number }>;
  /** Active non-guest users: the seats in use. */
  countSeatsUsed(workspaceId: string): Promise<number>;
  /**
   * Users by id, in no particular order; unknown ids are left out. With `forUpdate`, their rows
   * are locked for the transaction in id order (the lock order of seats.ts).
   */
  byIds(workspaceId: string, ids: readonly string[], options?: { forUpdate?: boolean }): Promise<User[]>;
  /** SCIM-visible users holding one of the roles. */
  membersOf(workspaceId: string, roleIds: readonly string[]): Promise<RoleMember[]>;
  /** Moves users to a role in one statement, bumping their version. Returns how many changed. */
  assignRole(workspaceId: string, userIds: readonly string[], roleId: string, at: string): Promise<number>;
  /** Moves every SCIM-visible holder of `fromRoleId` to `toRoleId`. Returns how many moved. */
  reassignRole(workspaceId: string, fromRoleId: string, toRoleId: string, at: string): Promise<number>;
  /** Name parts of users by id (managers), for their display names. */
  nameParts(workspaceId: string, ids: readonly string[]): Promise<Map<string, UserNameParts>>;
}

/** A page of a workspace's users for the application API, in id order. */
export interface UserPageQuery {
  /** Only users with a greater id (the cursor). */
  readonly afterId?: string;
  readonly limit: number;
  readonly roleId?: string;
  readonly teamId?: string;
  /** Conditions on User attributes (status, name prefixes), as SCIM filters are compiled. */
  readonly filter?: ResolvedFilter;
}

export interface UserPageRepository {
  page(workspaceId: string, query: UserPageQuery): Promise<User[]>;
}

/** A unique constraint refused a write (SQLite SQLITE_CONSTRAINT_UNIQUE, PostgreSQL 23505). */
export class StoreConflict extends Error {
  constructor(readonly constraint: string) {
    super(`unique constraint ${constraint} violated`);
    this.name = 'StoreConflict';
  }
}
