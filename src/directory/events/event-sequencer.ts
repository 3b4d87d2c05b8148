import type { DirectoryStore } from '../ports.js';

/**
 * Tells listeners in this process, and in every instance on the same database, that events of
 * some workspaces were numbered (long-polls of the events API, webhook delivery). The store's
 * adapter implements it: PostgreSQL's LISTEN/NOTIFY, an in-process emitter for SQLite.
 */
export interface EventBus {
  publish(workspaceIds: readonly string[]): Promise<void>;
  /** Calls `listener` with the workspace ids of each publication, here or on another instance. Returns the unsubscribe. */
  subscribe(listener: (workspaceIds: readonly string[]) => void): () => void;
  close(): Promise<void>;
}

const BATCH = 500;

/** What the sequencer of one process remembers between rounds: the position it last announced. */
export interface SequencerState {
  through?: number;
}

/**
 * One round of the sequencer. Where events wait for their numbers (PostgreSQL), it numbers them
 * in the order they were recorded, one batch per transaction, at most one instance at a time
 * (docs/events.md, "Order"): an event gets its `sequence` and `position` only after the
 * transaction that recorded it committed, and a batch's numbers are above every number committed
 * before it, so a reader paging with `after` never misses an event that commits later with a
 * smaller number. It announces what it numbered on the bus.
 *
 * Where the recording transaction numbers its events itself (SQLite: one writer at a time, so in
 * commit order), there is nothing to number but what an older version left unnumbered (the first
 * round does that), and the round announces the events numbered since the last round, by this
 * process or another one on the same file (the CLI). `state` carries the position announced last;
 * the first round starts from the head.
 *
 * Returns how many events the round numbered.
 */
export async function numberEvents(store: DirectoryStore, bus: EventBus, state: SequencerState = {}): Promise<number> {
  const events = store.read.events;
  const numbered = !events.numbersOnInsert || state.through === undefined ? await numberPending(store, bus) : 0;
  if (events.numbersOnInsert) {
    if (state.through === undefined) {
      state.through = await events.head();
    } else {
      const { head, workspaceIds } = await events.numberedAfter(state.through);
      state.through = head;
      if (workspaceIds.length > 0) await bus.publish(workspaceIds);
    }
  }
  return numbered;
}

async function numberPending(store: DirectoryStore, bus: EventBus): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await store.transaction(async (repos) => {
      // Another instance numbering now: it will number these too, or the next round will.
      if (!(await repos.events.lockSequencer())) return { numbered: 0, workspaceIds: [] as readonly string[] };
      return repos.events.numberPending(BATCH);
    });
    if (result.numbered === 0) return total;
    total += result.numbered;
    await bus.publish(result.workspaceIds);
    if (result.numbered < BATCH) return total;
  }
}

/** Deletes events older than `days` days (ROSTER_EVENT_RETENTION_DAYS); cursors before them get 410. */
export async function pruneEvents(store: DirectoryStore, days: number, now = Date.now()): Promise<number> {
  const before = new Date(now - days * 86_400_000).toISOString();
  let total = 0;
  for (;;) {
    const pruned = await store.transaction((repos) => repos.events.prune(before, 1000));
    total += pruned;
    if (pruned < 1000) return total;
  }
}
