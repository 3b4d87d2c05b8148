import type { Kysely } from 'kysely';
import type { AuditAction, AuditEntry } from '../../directory/model.js';
import type { AuditRepository } from '../../directory/ports.js';
import type { Database } from './database-types.js';

export class SqlAuditRepository implements AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(e: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({ workspace_id: e.workspaceId, id: e.id, time: e.time, actor: e.actor, action: e.action, detail: e.detail })
      .execute();
  }

  async list(workspaceId: string, limit: number): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      workspaceId: r.workspace_id,
      id: r.id,
      time: r.time,
      actor: r.actor,
      action: r.action as AuditAction,
      detail: r.detail,
    }));
  }
}
