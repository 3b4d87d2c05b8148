import { type Kysely, sql } from 'kysely';
import type {
  AttemptOutcome,
  DeliveryStatus,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookRepository,
} from '../../directory/webhooks/webhook-ports.js';
import type { SecretBox } from '../secret-box.js';
import type { Database, WebhookDeliveriesTable, WebhookEndpointsTable } from './database-types.js';

export class SqlWebhookRepository implements WebhookRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
  ) {}

  async insertEndpoint(e: WebhookEndpoint): Promise<void> {
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        id: e.id,
        workspace_id: e.workspaceId,
        url: e.url,
        // Sealed at rest, as the SSO client secret is (docs/security.md).
        secret: this.secrets.seal(e.secret),
        event_types: e.eventTypes ? JSON.stringify(e.eventTypes) : null,
        created_at: e.createdAt,
        fanned_through: e.fannedThrough,
        disabled_at: e.disabledAt,
        disabled_reason: e.disabledReason,
      })
      .execute();
  }

  async endpoint(id: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toEndpoint(row);
  }

  async endpoints(workspaceId?: string): Promise<WebhookEndpoint[]> {
    let query = this.db.selectFrom('webhook_endpoints').selectAll();
    if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
    return (await query.orderBy('id').execute()).map((row) => this.toEndpoint(row));
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    await this.db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
    const result = await this.db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async setDisabled(id: string, at: string | null, reason: string | null): Promise<void> {
    await this.db.updateTable('webhook_endpoints').set({ disabled_at: at, disabled_reason: reason }).where('id', '=', id).execute();
  }

  async fanOut(endpoint: WebhookEndpoint, types: readonly string[] | undefined, through: number, at: string): Promise<number> {
    if (through <= endpoint.fannedThrough) return 0;
    const conditions = [sql`e.position > ${endpoint.fannedThrough}`, sql`e.position <= ${through}`];
    if (endpoint.workspaceId !== null) conditions.push(sql`e.workspace_id = ${endpoint.workspaceId}`);
    if (types) conditions.push(types.length > 0 ? sql`e.type in (${sql.join(types)})` : sql`1 = 0`);
    const result = await sql`
      insert into webhook_deliveries (endpoint_id, event_id, workspace_id, sequence, type, status, attempts, next_attempt_at)
      select ${endpoint.id}, e.id, e.workspace_id, e.sequence, e.type, 'pending', 0, ${at}
      from events e where ${sql.join(conditions, sql` and `)}
      on conflict do nothing`.execute(this.db);
    // Only forward, whatever a concurrent fan-out of another instance did.
    await this.db
      .updateTable('webhook_endpoints')
      .set({ fanned_through: through })
      .where('id', '=', endpoint.id)
      .where('fanned_through', '<', through)
      .execute();
    return Number(result.numAffectedRows ?? 0);
  }

  async claimDue(now: string, claimUntil: string, limit: number): Promise<WebhookDelivery[]> {
    const { rows: due } = await sql<WebhookDeliveriesTable>`
      select d.* from webhook_deliveries d join webhook_endpoints ep on ep.id = d.endpoint_id
      where d.status = 'pending' and d.next_attempt_at <= ${now} and (d.claimed_until is null or d.claimed_until < ${now})
        and ep.disabled_at is null
        and not exists (select 1 from webhook_deliveries p where p.endpoint_id = d.endpoint_id and p.workspace_id = d.workspace_id
          and p.sequence < d.sequence and p.status = 'pending')
      order by d.next_attempt_at limit ${limit}`.execute(this.db);
    const claimed: WebhookDelivery[] = [];
    for (const row of due) {
      if (await this.claim(row, now, claimUntil)) claimed.push(toDelivery({ ...row, claimed_until: claimUntil }));
    }
    return claimed;
  }

  async claimRun(head: WebhookDelivery, now: string, claimUntil: string, limit: number): Promise<WebhookDelivery[]> {
    if (limit <= 0) return [];
    const next = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', head.endpointId)
      .where('workspace_id', '=', head.workspaceId)
      .where('status', '=', 'pending')
      .where('sequence', '>', head.sequence)
      .orderBy('sequence')
      .limit(limit)
      .execute();
    const claimed: WebhookDelivery[] = [];
    for (const row of next) {
      if (row.next_attempt_at === null || row.next_attempt_at > now || !(await this.claim(row, now, claimUntil))) break;
      claimed.push(toDelivery({ ...row, claimed_until: claimUntil }));
    }
    return claimed;
  }

  /**
   * Claims one delivery read before. It only succeeds if nobody claimed it since, and it is still
   * pending and due: another instance may have attempted it meanwhile and set its next attempt later.
   */
  private async claim(row: WebhookDeliveriesTable, now: string, claimUntil: string): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ claimed_until: claimUntil })
      .where('endpoint_id', '=', row.endpoint_id)
      .where('event_id', '=', row.event_id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseClaims(deliveries: readonly WebhookDelivery[]): Promise<void> {
    for (const delivery of deliveries) {
      await this.db
        .updateTable('webhook_deliveries')
        .set({ claimed_until: null })
        .where('endpoint_id', '=', delivery.endpointId)
        .where('event_id', '=', delivery.eventId)
        .where('claimed_until', '=', delivery.claimedUntil)
        .execute();
    }
  }

  async finishAttempt(delivery: WebhookDelivery, outcome: AttemptOutcome): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: outcome.status,
        attempts: eb('attempts', '+', 1),
        response_status: outcome.responseStatus,
        last_error: outcome.error,
        first_attempt_at: eb.fn.coalesce('first_attempt_at', eb.val(outcome.at)),
        last_attempt_at: outcome.at,
        next_attempt_at: outcome.nextAttemptAt,
        claimed_until: null,
      }))
      .where('endpoint_id', '=', delivery.endpointId)
      .where('event_id', '=', delivery.eventId)
      .where('claimed_until', '=', delivery.claimedUntil)
      .execute();
  }

  async retryFailed(endpointId: string, at: string): Promise<number> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: at, first_attempt_at: null })
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async deliveries(endpointId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .orderBy('event_id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toDelivery);
  }

  private toEndpoint(row: WebhookEndpointsTable): WebhookEndpoint {
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      url: row.url,
      secret: this.secrets.open(row.secret),
      eventTypes: row.event_types ? (JSON.parse(row.event_types) as string[]) : null,
      createdAt: row.created_at,
      fannedThrough: Number(row.fanned_through),
      disabledAt: row.disabled_at,
      disabledReason: row.disabled_reason,
    };
  }
}

function toDelivery(row: WebhookDeliveriesTable): WebhookDelivery {
  return {
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    workspaceId: row.workspace_id,
    sequence: Number(row.sequence),
    type: row.type,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    lastError: row.last_error,
    firstAttemptAt: row.first_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    claimedUntil: row.claimed_until,
  };
}
