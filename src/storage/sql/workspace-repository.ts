import { type Kysely, sql } from 'kysely';
import type { LoginPolicy, Plan, SsoConfig, Workspace } from '../../directory/model.js';
import type { SeatUsage, WorkspaceRepository } from '../../directory/ports.js';
import type { SecretBox } from '../secret-box.js';
import type { Database, WorkspacesTable } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { guarded } from './guard.js';

export class SqlWorkspaceRepository implements WorkspaceRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    private readonly secrets: SecretBox,
  ) {}

  async insert(w: Workspace): Promise<void> {
    await guarded(
      this.dialect,
      this.db
        .insertInto('workspaces')
        .values({
          id: w.id,
          slug: w.slug,
          name: w.name,
          plan: w.plan,
          seats: w.seats,
          default_language: w.defaultLanguage,
          login_policy: w.loginPolicy,
          created_at: w.createdAt,
        })
        .execute(),
    );
  }

  async update(w: Workspace): Promise<void> {
    await this.db
      .updateTable('workspaces')
      .set({ name: w.name, plan: w.plan, seats: w.seats, default_language: w.defaultLanguage, login_policy: w.loginPolicy })
      .where('id', '=', w.id)
      .execute();
  }

  async bySlug(slug: string): Promise<Workspace | undefined> {
    const row = await this.db.selectFrom('workspaces').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row && toWorkspace(row);
  }

  async byId(id: string): Promise<Workspace | undefined> {
    const row = await this.db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toWorkspace(row);
  }

  async list(): Promise<Workspace[]> {
    const rows = await this.db.selectFrom('workspaces').selectAll().orderBy('slug').execute();
    return rows.map(toWorkspace);
  }

  async lock(id: string): Promise<void> {
    if (!this.dialect.forUpdateSql) return;
    await sql`select id from workspaces where id = ${id} ${sql.raw(this.dialect.forUpdateSql)}`.execute(this.db);
  }

  async seatUsage(id: string): Promise<SeatUsage | undefined> {
    if (this.dialect.forUpdateSql) {
      // Two statements: read in the same statement as the lock, the counter row could come from
      // the snapshot taken before the lock was granted (PostgreSQL re-reads only locked rows).
      const locked = await sql<{ seats: number | string }>`
        select seats from workspaces where id = ${id} ${sql.raw(this.dialect.forUpdateSql)}`.execute(this.db);
      const counted = await sql<{ used: number | string }>`
        select seats_used as used from workspace_counters where workspace_id = ${id}`.execute(this.db);
      return seatUsageOf(locked.rows[0]?.seats, counted.rows[0]?.used);
    }
    // SQLite: the transaction holds the one write lock, so one statement reads both.
    const { rows } = await sql<{ seats: number | string; used: number | string | null }>`
      select w.seats, c.seats_used as used from workspaces w left join workspace_counters c on c.workspace_id = w.id
      where w.id = ${id}`.execute(this.db);
    return seatUsageOf(rows[0]?.seats, rows[0]?.used);
  }

  async saveSso(c: SsoConfig): Promise<void> {
    const values = {
      workspace_id: c.workspaceId,
      issuer: c.issuer,
      client_id: c.clientId,
      // Encrypted at rest (docs/security.md).
      client_secret: this.secrets.seal(c.clientSecret),
      updated_at: c.updatedAt,
    };
    await this.db
      .insertInto('sso_configs')
      .values(values)
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
      .execute();
  }

  async sso(workspaceId: string): Promise<SsoConfig | undefined> {
    const row = await this.db.selectFrom('sso_configs').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
    return (
      row && {
        workspaceId: row.workspace_id,
        issuer: row.issuer,
        clientId: row.client_id,
        clientSecret: this.secrets.open(row.client_secret),
        updatedAt: row.updated_at,
      }
    );
  }
}

/** Undefined when the workspace or its counter row is missing: the caller then counts. */
function seatUsageOf(seats: number | string | undefined, used: number | string | null | undefined): SeatUsage | undefined {
  if (seats === undefined || used === undefined || used === null) return undefined;
  return { seats: Number(seats), used: Number(used) };
}

/** A `workspaces` row as a record; also used where a query joins the row to another table. */
export function toWorkspace(row: WorkspacesTable): Workspace {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    plan: row.plan as Plan,
    seats: Number(row.seats),
    defaultLanguage: row.default_language,
    loginPolicy: row.login_policy as LoginPolicy,
    createdAt: row.created_at,
  };
}
