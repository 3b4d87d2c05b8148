import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { User } from '../../directory/model.js';
import type { RoleMember, UserMatches, UserNameParts, UserQuery, UserRepository } from '../../directory/ports.js';
import { chunks } from './chunks.js';
import type { Database, UsersTable } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { compileFilter, sortExpression } from './filter-sql.js';
import { guarded } from './guard.js';
import { insertRows, updateRow } from './row-statements.js';
import { USER_FILTER_MAPPING } from './user-filter-mapping.js';
import { fromUserRow, NAME_COLUMNS, namePartsFromRow, toContactRows, toUserRow } from './user-rows.js';
import { PageBoundaries, pinsOneUser } from './user-search-plan.js';

export class SqlUserRepository implements UserRepository {
  /**
   * Contact index rows and team links of users this repository read with `forUpdate`, as read.
   * Repositories live for one transaction and those rows are locked until it ends, so `update`
   * can skip rewriting links that did not change.
   */
  private readonly lockedLinks = new Map<string, string>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insert(user: User): Promise<void> {
    await guarded(this.dialect, this.db.executeQuery(insertRows(this.dialect, 'users', [toUserRow(user)])));
    await this.writeLinks(user);
  }

  async insertMany(users: readonly User[]): Promise<void> {
    // Rows per statement stay under both engines' bound-parameter limits (SQLite's 32,766 while
    // `users` has fewer than 80 columns).
    for (const chunk of chunks(users, 400)) {
      await guarded(this.dialect, this.db.insertInto('users').values(chunk.map(toUserRow)).execute());
    }
    for (const chunk of chunks(users.flatMap(toContactRows), 1000)) {
      await this.db.insertInto('user_contacts').values(chunk).execute();
    }
    const links = users.flatMap((user) =>
      user.teamIds.map((team_id, position) => ({ workspace_id: user.workspaceId, user_id: user.id, team_id, position })),
    );
    for (const chunk of chunks(links, 2000)) await this.db.insertInto('user_teams').values(chunk).execute();
  }

  async update(user: User, expectedVersion: number): Promise<boolean> {
    const { workspace_id, id, ...changes } = toUserRow(user);
    const result = await guarded(
      this.dialect,
      this.db.executeQuery(updateRow(this.dialect, 'users', changes, { workspace_id, id, version: expectedVersion })),
    );
    if (Number(result.numAffectedRows) !== 1) return false;
    const links = linksOf(user);
    if (this.lockedLinks.get(id) === links) return true;
    this.lockedLinks.set(id, links);
    await this.db.deleteFrom('user_contacts').where('workspace_id', '=', workspace_id).where('user_id', '=', id).execute();
    await this.db.deleteFrom('user_teams').where('workspace_id', '=', workspace_id).where('user_id', '=', id).execute();
    await this.writeLinks(user);
    return true;
  }

  private async writeLinks(user: User): Promise<void> {
    // Chunked like insertMany: the schema limits keep one user's rows far below the engines'
    // bound-parameter limits, and the chunks keep it so whatever a caller passes.
    for (const chunk of chunks(toContactRows(user), 1000)) {
      await this.db.executeQuery(insertRows(this.dialect, 'user_contacts', chunk));
    }
    const links = user.teamIds.map((team_id, position) => ({ workspace_id: user.workspaceId, user_id: user.id, team_id, position }));
    for (const chunk of chunks(links, 2000)) await this.db.executeQuery(insertRows(this.dialect, 'user_teams', chunk));
  }

  async byId(workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<User | undefined> {
    const lock = options.forUpdate ? sql.raw(this.dialect.forUpdateSql) : sql``;
    const { rows } = await sql<UserRowWithTeams>`
      select u.*, ${this.teamIds()} as roster_team_ids from users u where u.workspace_id = ${workspaceId} and u.id = ${id} ${lock}`.execute(
      this.db,
    );
    const user = this.hydrate(rows)[0];
    if (user && options.forUpdate) this.lockedLinks.set(user.id, linksOf(user));
    return user;
  }

  async byUserName(workspaceId: string, userName: string): Promise<User | undefined> {
    const { rows } = await this.byUserNameQuery(workspaceId, userName).execute(this.db);
    return this.hydrate(rows)[0];
  }

  async byEmail(workspaceId: string, email: string): Promise<User | undefined> {
    const { rows } = await this.byEmailQuery(workspaceId, email).execute(this.db);
    return this.hydrate(rows)[0];
  }

  async byUserNameOrEmail(
    workspaceId: string,
    userName: string,
    email: string | undefined,
    options: { forUpdate?: boolean } = {},
  ): Promise<UserMatches> {
    const found = await this.matchUserNameOrEmail(workspaceId, userName, email);
    if (!options.forUpdate) return found;
    // Locked in id order (seats.ts), then taken as they are now: a row changed before the lock
    // was granted counts only if it still matches.
    const ids = [found.byUserName?.id, found.byEmail?.id].filter((id): id is string => id !== undefined);
    if (ids.length === 0) return found;
    if (!this.dialect.forUpdateSql) {
      // One transaction at a time (SQLite): what was read cannot change before this one ends.
      for (const user of [found.byUserName, found.byEmail]) if (user) this.lockedLinks.set(user.id, linksOf(user));
      return found;
    }
    const locked = new Map((await this.byIds(workspaceId, ids, { forUpdate: true })).map((u) => [u.id, u]));
    const still = (user: User | undefined, matches: (u: User) => boolean) => {
      const current = user && locked.get(user.id);
      return current && matches(current) ? current : undefined;
    };
    return {
      byUserName: still(found.byUserName, (u) => u.userName.toLowerCase() === userName.toLowerCase()),
      byEmail: still(found.byEmail, (u) => email !== undefined && u.email.toLowerCase() === email.toLowerCase()),
    };
  }

  private async matchUserNameOrEmail(workspaceId: string, userName: string, email: string | undefined): Promise<UserMatches> {
    const byName = this.byUserNameQuery(workspaceId, userName);
    // roster_match says which lookup found a row; the email branch keeps its own LIMIT.
    const { rows } = await sql<UserRowWithTeams & { roster_match: string }>`
      select 'name' as roster_match, n.* from (${byName}) n
      ${email === undefined ? sql`` : sql`union all select 'email' as roster_match, e.* from (${this.byEmailQuery(workspaceId, email)}) e`}`.execute(
      this.db,
    );
    const users = this.hydrate(rows);
    const index = (match: string) => rows.findIndex((row) => row.roster_match === match);
    return { byUserName: users[index('name')], byEmail: users[index('email')] };
  }

  /** The user with this userName (unique per workspace, case-insensitive). */
  private byUserNameQuery(workspaceId: string, userName: string): RawBuilder<UserRowWithTeams> {
    return sql<UserRowWithTeams>`
      select u.*, ${this.teamIds()} as roster_team_ids from users u
      where u.workspace_id = ${workspaceId} and u.user_name_lower = ${userName.toLowerCase()}`;
  }

  /** A user with this account email (not unique: the first the index gives). */
  private byEmailQuery(workspaceId: string, email: string): RawBuilder<UserRowWithTeams> {
    return sql<UserRowWithTeams>`
      select u.*, ${this.teamIds()} as roster_team_ids from users u
      where u.workspace_id = ${workspaceId} and u.email_lower = ${email.toLowerCase()} limit 1`;
  }

  async search(workspaceId: string, query: UserQuery): Promise<{ users: User[]; total: number }> {
    const conditions = [sql`u.workspace_id = ${workspaceId}`];
    if (query.scimVisibleOnly) conditions.push(sql`u.scim_deleted = 0`);
    if (query.filter) conditions.push(compileFilter(query.filter, USER_FILTER_MAPPING, workspaceId));
    const where = sql.join(conditions, sql` and `);
    if (query.filter && pinsOneUser(query.filter)) {
      // userName and id are unique: read the match (if any) and count it, in one statement.
      const { rows } = await sql<UserRowWithTeams>`select u.*, ${this.teamIds()} as roster_team_ids from users u where ${where}`.execute(
        this.db,
      );
      const page = query.limit === 0 ? [] : rows.slice(query.offset, query.offset + query.limit);
      return { users: this.hydrate(page), total: rows.length };
    }
    // The SCIM view unfiltered: the trigger-kept count, and keyset paging in id order.
    const counted = !query.filter && query.scimVisibleOnly ? await this.counters(workspaceId) : undefined;
    const keyset = counted !== undefined && !query.sortBy;
    let total = counted?.scimUsers;
    if (total === undefined) {
      const countRow = await sql<{ total: number | string }>`select count(*) as total from users u where ${where}`.execute(this.db);
      total = Number(countRow.rows[0]?.total ?? 0);
    }
    if (query.limit === 0 || query.offset >= total) return { users: [], total };
    const direction = sql.raw(query.descending ? 'desc' : 'asc');
    if (keyset && counted) {
      const rows = await this.keysetPage(workspaceId, where, query, counted.scimChanges, Math.min(query.limit, total - query.offset));
      if (rows) return { users: this.hydrate(rows), total };
      // No remembered boundary, or the view changed since: skip rows, and remember where the page ended.
      // The skipped rows are walked in the inner query only: PostgreSQL computes a select list's
      // sub-queries for every row it then skips with OFFSET.
      const paged = await sql<UserRowWithTeams & { roster_changes: number | string | null }>`
        select u.*, ${this.teamIds()} as roster_team_ids, (select c.scim_changes from workspace_counters c where c.workspace_id = ${workspaceId}) as roster_changes
        from (select u.* from users u where ${where} order by u.id ${direction} limit ${query.limit} offset ${query.offset}) u
        order by u.id ${direction}`.execute(this.db);
      const page: UserRowWithTeams[] = paged.rows;
      const changes = paged.rows[0]?.roster_changes;
      if (changes !== undefined && changes !== null) PageBoundaries.of(this.dialect).remember(workspaceId, query, Number(changes), page);
      return { users: this.hydrate(page), total };
    }
    let order = sql`u.id ${direction}`;
    if (query.sortBy) {
      const expression = sortExpression(query.sortBy, USER_FILTER_MAPPING);
      // Unassigned values sort last in either direction, the same on both engines.
      order = sql`(${expression} is null), ${expression} ${direction}, u.id ${direction}`;
    }
    const { rows } = await sql<UserRowWithTeams>`
      select u.*, ${this.teamIds()} as roster_team_ids
      from (select u.* from users u where ${where} order by ${order} limit ${query.limit} offset ${query.offset}) u
      order by ${order}`.execute(this.db);
    return { users: this.hydrate(rows), total };
  }

  /**
   * A page of the unfiltered SCIM view read by seeking from a remembered boundary instead of
   * skipping `offset` rows (see PageBoundaries). Undefined when no valid boundary is known.
   */
  private async keysetPage(
    workspaceId: string,
    where: RawBuilder<unknown>,
    query: UserQuery,
    changes: number,
    expected: number,
  ): Promise<UserRowWithTeams[] | undefined> {
    const boundaries = PageBoundaries.of(this.dialect);
    const seek = boundaries.seek(workspaceId, query, changes);
    if (!seek) return undefined;
    const { rows } = await sql<UserRowWithTeams>`
      select u.*, ${this.teamIds()} as roster_team_ids from users u where ${where} and ${seek.condition}
        and exists (select 1 from workspace_counters c where c.workspace_id = ${workspaceId} and c.scim_changes = ${changes})
      order by u.id ${sql.raw(query.descending ? 'desc' : 'asc')} limit ${query.limit}`.execute(this.db);
    if (rows.length !== expected) {
      boundaries.forget(seek.key);
      return undefined;
    }
    boundaries.remember(workspaceId, query, changes, rows);
    return rows;
  }

  /** The trigger-kept counters of a workspace (migration 005). */
  private async counters(workspaceId: string): Promise<{ seatsUsed: number; scimUsers: number; scimChanges: number } | undefined> {
    const row = await this.db
      .selectFrom('workspace_counters')
      .select(['seats_used', 'scim_users', 'scim_changes'])
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (!row) return undefined;
    return { seatsUsed: Number(row.seats_used), scimUsers: Number(row.scim_users), scimChanges: Number(row.scim_changes) };
  }

  async countSeatsUsed(workspaceId: string): Promise<number> {
    const counted = await this.counters(workspaceId);
    if (counted) return counted.seatsUsed;
    const row = await sql<{ used: number | string }>`
      select count(*) as used from users u join roles r on r.workspace_id = u.workspace_id and r.id = u.role_id
      where u.workspace_id = ${workspaceId} and u.active = 1 and r.is_guest = 0`.execute(this.db);
    return Number(row.rows[0]?.used ?? 0);
  }

  async byIds(workspaceId: string, ids: readonly string[], options: { forUpdate?: boolean } = {}): Promise<User[]> {
    const rows: UserRowWithTeams[] = [];
    // Locks are taken in id order (chunks in order, rows in order within each), the lock order of
    // seats.ts, so two requests locking overlapping sets queue instead of deadlocking. UUIDs sort
    // the same in JavaScript and in either engine.
    const lock = options.forUpdate ? sql` order by u.id ${sql.raw(this.dialect.forUpdateSql)}` : sql``;
    const wanted = options.forUpdate ? [...new Set(ids)].sort() : ids;
    for (const chunk of chunks(wanted)) {
      const found = await sql<UserRowWithTeams>`
        select u.*, ${this.teamIds()} as roster_team_ids from users u
        where u.workspace_id = ${workspaceId} and u.id in (${sql.join(chunk)})${lock}`.execute(this.db);
      rows.push(...found.rows);
    }
    const users = this.hydrate(rows);
    if (options.forUpdate) for (const user of users) this.lockedLinks.set(user.id, linksOf(user));
    return users;
  }

  async membersOf(workspaceId: string, roleIds: readonly string[]): Promise<RoleMember[]> {
    if (roleIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('users')
      .select(['role_id', 'id', ...NAME_COLUMNS])
      .where('workspace_id', '=', workspaceId)
      .where('role_id', 'in', [...roleIds])
      .where('scim_deleted', '=', 0)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ roleId: r.role_id, userId: r.id, name: namePartsFromRow(r) }));
  }

  async assignRole(workspaceId: string, userIds: readonly string[], roleId: string, at: string): Promise<number> {
    let changed = 0;
    for (const chunk of chunks(userIds)) {
      const result = await this.db
        .updateTable('users')
        .set((eb) => ({ role_id: roleId, updated_at: at, last_synced_at: at, version: eb('version', '+', 1) }))
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', chunk)
        .where('role_id', '<>', roleId)
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
    return changed;
  }

  async reassignRole(workspaceId: string, fromRoleId: string, toRoleId: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable('users')
      .set((eb) => ({ role_id: toRoleId, updated_at: at, last_synced_at: at, version: eb('version', '+', 1) }))
      .where('workspace_id', '=', workspaceId)
      .where('role_id', '=', fromRoleId)
      .where('scim_deleted', '=', 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async nameParts(workspaceId: string, ids: readonly string[]): Promise<Map<string, UserNameParts>> {
    const names = new Map<string, UserNameParts>();
    for (const chunk of chunks(ids)) {
      const rows = await this.db
        .selectFrom('users')
        .select(['id', ...NAME_COLUMNS])
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', chunk)
        .execute();
      for (const row of rows) names.set(row.id, namePartsFromRow(row));
    }
    return names;
  }

  /** A user's team ids in link order, comma-separated, as a scalar sub-query on `users u`. */
  private teamIds(): RawBuilder<string | null> {
    return sql.raw(
      this.dialect.orderedListSql(
        'ut.team_id',
        'ut.position',
        'user_teams ut where ut.workspace_id = u.workspace_id and ut.user_id = u.id',
      ),
    );
  }

  /** Turns rows read with their team ids (see teamIds()) into users. */
  private hydrate(rows: readonly UserRowWithTeams[]): User[] {
    // Team ids are UUIDs: no commas inside.
    return rows.map((row) => fromUserRow(row, row.roster_team_ids?.split(',') ?? []));
  }
}

/** A users row with its team ids (see teamIds()). */
type UserRowWithTeams = UsersTable & { roster_team_ids: string | null };

/** Contact index rows and team links, as one comparable string. */
function linksOf(user: User): string {
  return JSON.stringify([toContactRows(user), user.teamIds]);
}
