import type { Kysely } from 'kysely';
import type { OutboxMessage } from '../../directory/model.js';
import type { OutboxRepository } from '../../directory/ports.js';
import type { Database, OutboxTable } from './database-types.js';

export class SqlOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(m: OutboxMessage): Promise<void> {
    await this.db
      .insertInto('outbox')
      .values({
        workspace_id: m.workspaceId,
        id: m.id,
        kind: m.kind,
        recipient: m.recipient,
        subject: m.subject,
        body: m.body,
        created_at: m.createdAt,
        attempts: m.attempts,
        next_attempt_at: m.nextAttemptAt,
        claimed_until: null,
        sent_at: m.sentAt,
        last_error: m.lastError,
      })
      .execute();
  }

  async list(workspaceId: string, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  async claimDue(now: string, claimUntil: string, limit: number): Promise<OutboxMessage[]> {
    const due = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('sent_at', 'is', null)
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: OutboxMessage[] = [];
    for (const row of due) {
      // The claim only succeeds if nobody claimed the row since it was read.
      const result = await this.db
        .updateTable('outbox')
        .set({ claimed_until: claimUntil })
        .where('workspace_id', '=', row.workspace_id)
        .where('id', '=', row.id)
        .where('sent_at', 'is', null)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) claimed.push(toMessage(row));
    }
    return claimed;
  }

  async markSent(workspaceId: string, id: string, at: string): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({ sent_at: at, claimed_until: null, attempts: eb('attempts', '+', 1), last_error: null }))
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async markFailed(workspaceId: string, id: string, error: string, nextAttemptAt: string): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set((eb) => ({
        claimed_until: null,
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 500),
        next_attempt_at: nextAttemptAt,
      }))
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }
}

function toMessage(row: OutboxTable): OutboxMessage {
  return {
    workspaceId: row.workspace_id,
    id: row.id,
    kind: row.kind as OutboxMessage['kind'],
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    createdAt: row.created_at,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    sentAt: row.sent_at,
    lastError: row.last_error,
  };
}
