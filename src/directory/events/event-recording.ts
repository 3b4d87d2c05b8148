import { newId, nowIso } from '../ids.js';
import type { Repositories } from '../ports.js';
import type { EventContext, EventDraft } from './event-model.js';

/** An event id: `evt_` and a time-ordered UUIDv7 in hex (no dots: Standard Webhooks ids must not hold one). */
export function newEventId(): string {
  return `evt_${newId().replaceAll('-', '')}`;
}

/**
 * Records a write's events in its transaction, after its changes: a rolled-back write records
 * none. Called last in the transaction, so an event that depends on another transaction's change
 * (the same user row, locked) is recorded after that transaction committed, and is numbered after
 * its events (docs/events.md, "Order").
 */
export async function recordEvents(
  repos: Repositories,
  workspaceId: string,
  context: EventContext,
  drafts: readonly EventDraft[],
): Promise<void> {
  if (drafts.length === 0) return;
  const occurredAt = nowIso();
  const actor = JSON.stringify(context.actor);
  await repos.events.insert(
    drafts.map((draft) => ({
      id: newEventId(),
      workspaceId,
      type: draft.type,
      occurredAt,
      actor,
      traceId: context.traceId,
      data: JSON.stringify(draft.data),
    })),
  );
}
