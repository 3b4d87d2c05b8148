import { type Kysely, sql } from 'kysely';
import type { User } from '../../directory/model.js';
import type { RoleMember, UserNameParts, UserQuery, UserRepository } from '../../directory/ports.js';
import type { Database, UsersTable } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { compileFilter, sortExpression } from './filter-sql.js';
import { guarded } from './guard.js';
import { USER_FILTER_MAPPING } from './user-filter-mapping.js';
import { fromUserRow, toContactRows, toUserRow } from './user-rows.js';

export class SqlUserRepository implements UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insert(user: User): Promise<void> {
    await guarded(this.dialect, this.db.insertInto('users').values(toUserRow(user)).execute());
    await this.writeLinks(user);
  }

  async insertMany(users: readonly User[]): Promise<void> {
    // Rows per statement stay under both engines' bound-parameter limits (users have 35 columns).
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
      this.db
        .updateTable('users')
        .set(changes)
        .where('workspace_id', '=', workspace_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst(),
    );
    if (Number(result.numUpdatedRows) !== 1) return false;
    await this.db.deleteFrom('user_contacts').where('workspace_id', '=', workspace_id).where('user_id', '=', id).execute();
    await this.db.deleteFrom('user_teams').where('workspace_id', '=', workspace_id).where('user_id', '=', id).execute();
    await this.writeLinks(user);
    return true;
  }

  private async writeLinks(user: User): Promise<void> {
    const contacts = toContactRows(user);
    if (contacts.length > 0) await this.db.insertInto('user_contacts').values(contacts).execute();
    if (user.teamIds.length > 0) {
      await this.db
        .insertInto('user_teams')
        .values(user.teamIds.map((team_id, position) => ({ workspace_id: user.workspaceId, user_id: user.id, team_id, position })))
        .execute();
    }
  }

  async byId(workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<User | undefined> {
    const lock = options.forUpdate ? sql.raw(this.dialect.forUpdateSql) : sql``;
    const { rows } = await sql<UsersTable>`select * from users where workspace_id = ${workspaceId} and id = ${id} ${lock}`.execute(this.db);
    return (await this.hydrate(workspaceId, rows))[0];
  }

  async byUserName(workspaceId: string, userName: string): Promise<User | undefined> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('user_name_lower', '=', userName.toLowerCase())
      .execute();
    return (await this.hydrate(workspaceId, rows))[0];
  }

  async byEmail(workspaceId: string, email: string): Promise<User | undefined> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('email_lower', '=', email.toLowerCase())
      .limit(1)
      .execute();
    return (await this.hydrate(workspaceId, rows))[0];
  }

  async search(workspaceId: string, query: UserQuery): Promise<{ users: User[]; total: number }> {
    const conditions = [sql`u.workspace_id = ${workspaceId}`];
    if (query.scimVisibleOnly) conditions.push(sql`u.scim_deleted = 0`);
    if (query.filter) conditions.push(compileFilter(query.filter, USER_FILTER_MAPPING));
    const where = sql.join(conditions, sql` and `);
    const countRow = await sql<{ total: number | string }>`select count(*) as total from users u where ${where}`.execute(this.db);
    const total = Number(countRow.rows[0]?.total ?? 0);
    if (query.limit === 0 || query.offset >= total) return { users: [], total };
    const direction = sql.raw(query.descending ? 'desc' : 'asc');
    let order = sql`u.id ${direction}`;
    if (query.sortBy) {
      const expression = sortExpression(query.sortBy, USER_FILTER_MAPPING);
      // Unassigned values sort last in either direction, the same on both engines.
      order = sql`(${expression} is null), ${expression} ${direction}, u.id ${direction}`;
    }
    const { rows } =
      await sql<UsersTable>`select u.* from users u where ${where} order by ${order} limit ${query.limit} offset ${query.offset}`.execute(
        this.db,
      );
    return { users: await this.hydrate(workspaceId, rows), total };
  }

  async countSeatsUsed(workspaceId: string): Promise<number> {
    const row = await sql<{ used: number | string }>`
      select count(*) as used from users u join roles r on r.workspace_id = u.workspace_id and r.id = u.role_id
      where u.workspace_id = ${workspaceId} and u.active = 1 and r.is_guest = 0`.execute(this.db);
    return Number(row.rows[0]?.used ?? 0);
  }

  async byIds(workspaceId: string, ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const rows: UsersTable[] = [];
    for (const chunk of chunks(ids)) {
      rows.push(
        ...(await this.db.selectFrom('users').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', chunk).execute()),
      );
    }
    return this.hydrate(workspaceId, rows);
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
    return rows.map((r) => ({ roleId: r.role_id, userId: r.id, name: nameParts(r) }));
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
      for (const row of rows) names.set(row.id, nameParts(row));
    }
    return names;
  }

  /** Turns rows into users, loading their team links in one query. */
  private async hydrate(workspaceId: string, rows: UsersTable[]): Promise<User[]> {
    if (rows.length === 0) return [];
    const links = await this.db
      .selectFrom('user_teams')
      .select(['user_id', 'team_id'])
      .where('workspace_id', '=', workspaceId)
      .where(
        'user_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('position')
      .execute();
    const teams = new Map<string, string[]>();
    for (const link of links) {
      const list = teams.get(link.user_id) ?? [];
      list.push(link.team_id);
      teams.set(link.user_id, list);
    }
    return rows.map((row) => fromUserRow(row, teams.get(row.id) ?? []));
  }
}

/** Splits id lists so no statement exceeds the engines' bound-parameter limits. */
function* chunks<T>(items: readonly T[], size = 500): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const NAME_COLUMNS = ['user_name', 'display_name', 'formatted_name', 'given_name', 'middle_name', 'family_name'] as const;

function nameParts(row: Pick<UsersTable, (typeof NAME_COLUMNS)[number]>): UserNameParts {
  const parts: Record<string, string> = { userName: row.user_name };
  if (row.display_name !== null) parts.displayName = row.display_name;
  if (row.formatted_name !== null) parts.formattedName = row.formatted_name;
  if (row.given_name !== null) parts.givenName = row.given_name;
  if (row.middle_name !== null) parts.middleName = row.middle_name;
  if (row.family_name !== null) parts.familyName = row.family_name;
  return parts as unknown as UserNameParts;
}
