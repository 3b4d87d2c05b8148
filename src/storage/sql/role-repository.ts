import { type Kysely, sql } from 'kysely';
import type { Role } from '../../directory/model.js';
import type { GroupQuery, RoleRepository } from '../../directory/ports.js';
import { chunks } from './chunks.js';
import type { Database, RolesTable } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { compileFilter, sortExpression } from './filter-sql.js';
import { GROUP_FILTER_MAPPING } from './group-filter-mapping.js';
import { guarded } from './guard.js';

export class SqlRoleRepository implements RoleRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insert(role: Role): Promise<void> {
    await guarded(this.dialect, this.db.insertInto('roles').values(toRow(role)).execute());
  }

  async update(role: Role): Promise<void> {
    await guarded(
      this.dialect,
      this.db.updateTable('roles').set(toRow(role)).where('workspace_id', '=', role.workspaceId).where('id', '=', role.id).execute(),
    );
  }

  async byId(workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Role | undefined> {
    const lock = options.forUpdate ? sql.raw(this.dialect.forUpdateSql) : sql``;
    const { rows } = await sql<RolesTable>`select * from roles where workspace_id = ${workspaceId} and id = ${id} ${lock}`.execute(this.db);
    return rows[0] && toRole(rows[0]);
  }

  async byName(workspaceId: string, name: string): Promise<Role | undefined> {
    const row = await this.db
      .selectFrom('roles')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name_lower', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toRole(row);
  }

  async byIds(workspaceId: string, ids: readonly string[]): Promise<Role[]> {
    const roles: Role[] = [];
    // SQL text: read on every SCIM User request, where the query builder's compile time shows.
    // In chunks, so no `in (…)` list reaches a driver's bound-parameter limit.
    for (const chunk of chunks(ids)) {
      const { rows } =
        await sql<RolesTable>`select * from roles where workspace_id = ${workspaceId} and id in (${sql.join(chunk)})`.execute(this.db);
      roles.push(...rows.map(toRole));
    }
    return roles;
  }

  async touch(workspaceId: string, id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('roles')
      .set((eb) => ({ updated_at: at, version: eb('version', '+', 1) }))
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  searchGroups(workspaceId: string, query: GroupQuery): Promise<{ roles: Role[]; total: number }> {
    return searchGroups(this.db, workspaceId, query);
  }

  async lowestNonGuest(workspaceId: string): Promise<Role | undefined> {
    const { rows } = await sql<RolesTable>`
      select * from roles where workspace_id = ${workspaceId} and is_guest = 0 order by level, id limit 1`.execute(this.db);
    return rows[0] && toRole(rows[0]);
  }

  async lockAll(workspaceId: string): Promise<Role[]> {
    const { rows } = await sql<RolesTable>`
      select * from roles where workspace_id = ${workspaceId} order by id ${sql.raw(this.dialect.forUpdateSql)}`.execute(this.db);
    return rows.map(toRole);
  }

  async list(workspaceId: string): Promise<Role[]> {
    const rows = await this.db
      .selectFrom('roles')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('level', 'desc')
      .orderBy('name_lower')
      .execute();
    return rows.map(toRole);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('roles').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async holderCounts(workspaceId: string, roleId?: string): Promise<Map<string, number>> {
    let select = this.db
      .selectFrom('users')
      .select(['role_id', (eb) => eb.fn.countAll<number | string>().as('holders')])
      .where('workspace_id', '=', workspaceId);
    // One role's holders are an index range (users_role), not a pass over the workspace.
    if (roleId !== undefined) select = select.where('role_id', '=', roleId);
    const rows = await select.groupBy('role_id').execute();
    return new Map(rows.map((row) => [row.role_id, Number(row.holders)]));
  }
}

export async function searchGroups(
  db: Kysely<Database>,
  workspaceId: string,
  query: GroupQuery,
): Promise<{ roles: Role[]; total: number }> {
  const conditions = [sql`r.workspace_id = ${workspaceId}`, sql`r.is_guest = 0`];
  if (query.filter) conditions.push(compileFilter(query.filter, GROUP_FILTER_MAPPING));
  const where = sql.join(conditions, sql` and `);
  const count = await sql<{ total: number | string }>`select count(*) as total from roles r where ${where}`.execute(db);
  const total = Number(count.rows[0]?.total ?? 0);
  if (query.limit === 0 || query.offset >= total) return { roles: [], total };
  const direction = sql.raw(query.descending ? 'desc' : 'asc');
  const order = query.sortBy
    ? sql`${sortExpression(query.sortBy, GROUP_FILTER_MAPPING)} ${direction}, r.id ${direction}`
    : sql`r.id ${direction}`;
  const { rows } =
    await sql<RolesTable>`select r.* from roles r where ${where} order by ${order} limit ${query.limit} offset ${query.offset}`.execute(db);
  return { roles: rows.map(toRole), total };
}

function toRow(r: Role): RolesTable {
  return {
    workspace_id: r.workspaceId,
    id: r.id,
    name: r.name,
    name_lower: r.name.toLowerCase(),
    level: r.level,
    is_guest: r.isGuest ? 1 : 0,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    version: r.version,
  };
}

function toRole(row: RolesTable): Role {
  return {
    workspaceId: row.workspace_id,
    id: row.id,
    name: row.name,
    level: Number(row.level),
    isGuest: Number(row.is_guest) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}
