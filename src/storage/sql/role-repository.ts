import type { Kysely } from 'kysely';
import type { Role } from '../../directory/model.js';
import type { RoleRepository } from '../../directory/ports.js';
import type { Database, RolesTable } from './database-types.js';
import type { SqlDialect } from './dialect.js';
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
      this.db
        .updateTable('roles')
        .set(toRow(role))
        .where('workspace_id', '=', role.workspaceId)
        .where('id', '=', role.id)
        .execute(),
    );
  }

  async byId(workspaceId: string, id: string): Promise<Role | undefined> {
    const row = await this.db
      .selectFrom('roles')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRole(row);
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
