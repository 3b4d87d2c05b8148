import type { Kysely } from 'kysely';
import type { ProvisioningLogEntry } from '../../directory/model.js';
import type { LogQuery, ProvisioningLogRepository } from '../../directory/ports.js';
import type { Database, ProvisioningLogTable } from './database-types.js';

export class SqlProvisioningLogRepository implements ProvisioningLogRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db
      .insertInto('provisioning_log')
      .values(
        entries.map((e) => ({
          workspace_id: e.workspaceId,
          id: e.id,
          time: e.time,
          trace_id: e.traceId,
          method: e.method,
          path: e.path,
          status: e.status,
          resource_id: e.resourceId,
          detail: e.detail,
          error_code: e.errorCode,
          warnings: JSON.stringify(e.warnings),
        })),
      )
      .execute();
  }

  async list(workspaceId: string, query: LogQuery): Promise<ProvisioningLogEntry[]> {
    let select = this.db.selectFrom('provisioning_log').selectAll().where('workspace_id', '=', workspaceId);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.failed !== undefined) select = select.where('status', query.failed ? '>=' : '<', 400);
    if (query.traceId !== undefined) select = select.where('trace_id', '=', query.traceId);
    if (query.resourceId !== undefined) select = select.where('resource_id', '=', query.resourceId);
    if (query.errorCode !== undefined) select = select.where('error_code', '=', query.errorCode);
    const rows = await select.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toEntry);
  }

  async prune(workspaceId: string, beforeId: string, keep: number): Promise<number> {
    const aged = await this.db
      .deleteFrom('provisioning_log')
      .where('workspace_id', '=', workspaceId)
      .where('id', '<', beforeId)
      .executeTakeFirst();
    const boundary = await this.db
      .selectFrom('provisioning_log')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .orderBy('id', 'desc')
      .limit(1)
      .offset(keep)
      .executeTakeFirst();
    if (!boundary) return Number(aged.numDeletedRows);
    const excess = await this.db
      .deleteFrom('provisioning_log')
      .where('workspace_id', '=', workspaceId)
      .where('id', '<=', boundary.id)
      .executeTakeFirst();
    return Number(aged.numDeletedRows) + Number(excess.numDeletedRows);
  }
}

function toEntry(row: ProvisioningLogTable): ProvisioningLogEntry {
  return {
    workspaceId: row.workspace_id,
    id: row.id,
    time: row.time,
    traceId: row.trace_id,
    method: row.method,
    path: row.path,
    status: Number(row.status),
    resourceId: row.resource_id,
    detail: row.detail,
    errorCode: row.error_code,
    warnings: JSON.parse(row.warnings) as string[],
  };
}
