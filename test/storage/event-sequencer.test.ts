/**
 * Storage conformance for directory events (issue 15 §1, docs/events.md "Order"): recording in
 * the writing transaction, numbering by the sequencer (sequences 1..N per workspace, positions
 * 1..M, in recorded order, above what retention deleted), pages and their head, and two
 * sequencers at once, on the engine ROSTER_TEST_ENGINE selects.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../src/directory/errors.js';
import type { EventType, RecordedEvent, StoredEvent } from '../../src/directory/events/event-model.js';
import { decodeCursor, readEvents } from '../../src/directory/events/event-reading.js';
import { newEventId } from '../../src/directory/events/event-recording.js';
import { numberEvents, pruneEvents, type SequencerState } from '../../src/directory/events/event-sequencer.js';
import { LocalEventBus } from '../../src/directory/events/local-event-bus.js';
import type { Workspace } from '../../src/directory/model.js';
import type { DirectoryStore } from '../../src/directory/ports.js';
import { dispatchWebhooks } from '../../src/directory/webhooks/webhook-dispatcher.js';
import type { WebhookSender } from '../../src/directory/webhooks/webhook-sender.js';
import { addWebhook, webhookDeliveries } from '../../src/directory/webhooks/webhooks.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { addWorkspace, freshStore, rawDatabase, type StoreHandle, TEST_ENGINE } from './fixtures.js';

const OLD = '2020-01-01T00:00:00.000Z';
const TYPES: EventType[] = ['user.created', 'user.updated', 'role.created', 'team.deleted'];

function recorded(workspaceId: string, type: EventType = 'user.updated', occurredAt = new Date().toISOString()): RecordedEvent {
  return { id: newEventId(), workspaceId, type, occurredAt, actor: '{"type":"system"}', traceId: null, data: '{}' };
}

/** Records events in one transaction of their own; returns their ids in recorded order. */
async function record(store: DirectoryStore, events: readonly RecordedEvent[]): Promise<string[]> {
  await store.transaction((repos) => repos.events.insert(events));
  return events.map((e) => e.id);
}

/** Numbers at most `limit` pending events in one sequencer transaction. */
const numberSome = (store: DirectoryStore, limit: number) =>
  store.transaction(async (repos) => ((await repos.events.lockSequencer()) ? (await repos.events.numberPending(limit)).numbered : 0));

/** One stream, oldest first: a workspace's by sequence, or every workspace's by position. */
async function stream(store: DirectoryStore, workspaceId?: string): Promise<StoredEvent[]> {
  const { events } = await store.read.events.page({ ...(workspaceId ? { workspaceId } : {}), after: 0, limit: 100_000 });
  return [...events];
}

describe('the event sequencer', () => {
  let handle: StoreHandle;
  let store: SqlStore;
  const bus = new LocalEventBus();
  beforeEach(async () => {
    handle = await freshStore();
    store = handle.store;
  });
  afterEach(async () => handle.dispose());

  it('numbers what interleaved transactions of several workspaces recorded: sequences 1..N each, positions 1..M, in recorded order (fast-check)', async () => {
    const workspaces = await Promise.all([0, 1, 2].map(() => addWorkspace(store)));
    const command = fc.oneof(
      fc.record({ kind: fc.constant('record' as const), ws: fc.nat(2), count: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('number' as const), limit: fc.integer({ min: 1, max: 6 }) }),
    );
    // The model: every event in recorded order, and how many of them are numbered (a prefix): all of
    // them where the recording transaction numbers its events (SQLite), else what the sequencer did.
    const onInsert = store.read.events.numbersOnInsert;
    expect(onInsert).toBe(TEST_ENGINE === 'sqlite');
    const order: Array<{ id: string; ws: string }> = [];
    let numbered = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 12 }), async (commands) => {
        for (const c of commands) {
          if (c.kind === 'record') {
            const ws = (workspaces[c.ws] as Workspace).id;
            const ids = await record(
              store,
              Array.from({ length: c.count }, () => recorded(ws)),
            );
            order.push(...ids.map((id) => ({ id, ws })));
            if (onInsert) numbered = order.length;
          } else {
            const done = await numberSome(store, c.limit);
            expect(done).toBe(onInsert ? 0 : Math.min(c.limit, order.length - numbered));
            numbered += done;
          }
          const all = await stream(store);
          expect(all.map((e) => e.id)).toEqual(order.slice(0, numbered).map((e) => e.id));
          expect(all.map((e) => e.position)).toEqual(all.map((_, i) => i + 1));
          for (const w of workspaces) {
            const own = await stream(store, w.id);
            expect(own.map((e) => e.id)).toEqual(all.filter((e) => e.workspaceId === w.id).map((e) => e.id));
            expect(own.map((e) => e.sequence)).toEqual(own.map((_, i) => i + 1));
            expect(await store.read.events.head(w.id)).toBe(own.length);
          }
          expect(await store.read.events.head()).toBe(numbered);
        }
      }),
      { numRuns: 15 },
    );
    // The sequencer numbers all that is left, in batches, and says how many.
    expect(await numberEvents(store, bus)).toBe(onInsert ? 0 : order.length - numbered);
    expect((await stream(store)).map((e) => e.id)).toEqual(order.map((e) => e.id));
    expect(await numberEvents(store, bus)).toBe(0);
  }, 120_000);

  it('keeps numbers increasing after retention deleted events, also of a workspace left with none', async () => {
    const [w1, w2] = [await addWorkspace(store), await addWorkspace(store)] as [Workspace, Workspace];
    await record(store, [...Array.from({ length: 5 }, () => recorded(w1.id, 'user.created', OLD))]);
    await record(store, [...Array.from({ length: 3 }, () => recorded(w2.id, 'user.created', OLD))]);
    const fresh = await record(store, [recorded(w1.id), recorded(w1.id)]);
    // Where events wait for the sequencer, one recorded long ago but not numbered yet is not
    // touched by retention. (Where the recording numbers them, no event is ever unnumbered.)
    const onInsert = store.read.events.numbersOnInsert;
    const unnumbered = onInsert ? undefined : await record(store, [recorded(w2.id, 'user.updated', OLD)]);
    if (!onInsert) await store.transaction((repos) => repos.events.numberPending(8 + 2));
    expect(await pruneEvents(store, 30)).toBe(8);
    expect(await store.read.events.watermark(w1.id)).toBe(5);
    expect(await store.read.events.watermark(w2.id)).toBe(3);
    expect(await store.read.events.watermark('*')).toBe(8);
    expect((await stream(store, w2.id)).length).toBe(0);
    expect((await stream(store)).map((e) => e.id)).toEqual(fresh);

    // w2, left with no event, continues its stream above its watermark.
    const late = unnumbered ?? (await record(store, [recorded(w2.id)]));
    await numberEvents(store, bus);
    expect((await stream(store, w2.id)).map((e) => [e.id, e.sequence, e.position])).toEqual([[late[0], 4, 11]]);
    // Everything goes, the newest too: the next event still continues the streams.
    expect(await pruneEvents(store, 0, Date.now() + 60_000)).toBe(3);
    expect(await stream(store)).toEqual([]);
    await record(store, [recorded(w1.id), recorded(w2.id)]);
    await numberEvents(store, bus);
    expect((await stream(store)).map((e) => [e.workspaceId, e.sequence, e.position])).toEqual([
      [w1.id, 8, 12],
      [w2.id, 5, 13],
    ]);
  });

  it('retention deletes the finished webhook deliveries of the events it deletes, never a pending one', async () => {
    const ws = await addWorkspace(store);
    // An endpoint gets the events numbered after it was added. The first two are delivered, the
    // third fails and waits; the rest wait behind it.
    const answers = [200, 200, 500];
    const sender: WebhookSender = {
      checkUrl: async () => undefined,
      newSecret: () => 'whsec_test',
      send: async () => ({ status: answers.shift() ?? 500, error: undefined }),
    };
    const { id } = await addWebhook(store, sender, 'https://hooks.example/a', { workspace: ws.slug });
    const old = await record(
      store,
      Array.from({ length: 4 }, () => recorded(ws.id, 'user.updated', OLD)),
    );
    const fresh = await record(store, [recorded(ws.id)]);
    await numberEvents(store, bus);
    while ((await dispatchWebhooks(store, sender, { retryScale: 1 })) > 0) {}
    const statuses = async () => new Map((await webhookDeliveries(store, id, 100)).map((d) => [d.eventId, d.status]));
    expect(await statuses()).toEqual(
      new Map([
        [old[0], 'delivered'],
        [old[1], 'delivered'],
        [old[2], 'pending'],
        [old[3], 'pending'],
        [fresh[0], 'pending'],
      ]),
    );
    expect(await pruneEvents(store, 30)).toBe(4);
    expect(await statuses()).toEqual(
      new Map([
        [old[2], 'pending'],
        [old[3], 'pending'],
        [fresh[0], 'pending'],
      ]),
    );
  });

  it('prunes in batches of the given size, oldest position first', async () => {
    const ws = await addWorkspace(store);
    const ids = await record(
      store,
      Array.from({ length: 7 }, () => recorded(ws.id, 'user.updated', OLD)),
    );
    await numberEvents(store, bus);
    expect(await store.transaction((repos) => repos.events.prune('2021-01-01T00:00:00.000Z', 3))).toBe(3);
    expect((await stream(store)).map((e) => e.id)).toEqual(ids.slice(3));
    expect(await store.read.events.watermark(ws.id)).toBe(3);
  });

  it('pages by stream: after is exclusive, types filter, head is the stream’s highest number; readEvents moves the cursor past what it skipped', async () => {
    const [w1, w2] = [await addWorkspace(store), await addWorkspace(store)] as [Workspace, Workspace];
    for (let i = 0; i < 12; i++) await record(store, [recorded(i % 3 ? w1.id : w2.id, TYPES[i % TYPES.length])]);
    await numberEvents(store, bus);
    const all = await stream(store);
    const mine = await stream(store, w1.id);
    expect(mine).toHaveLength(8);

    const page = await store.read.events.page({ workspaceId: w1.id, after: 2, limit: 3 });
    expect(page.events.map((e) => e.sequence)).toEqual([3, 4, 5]);
    expect(page.head).toBe(8);
    expect((await store.read.events.page({ after: 10, limit: 100 })).events.map((e) => e.position)).toEqual([11, 12]);
    expect((await store.read.events.page({ after: 12, limit: 100 })).events).toEqual([]);
    const typed = await store.read.events.page({ workspaceId: w1.id, after: 0, limit: 100, types: ['role.created'] });
    expect(typed.events.map((e) => e.type)).toEqual(mine.filter((e) => e.type === 'role.created').map(() => 'role.created'));
    expect((await store.read.events.page({ after: 0, limit: 100, types: [] })).events).toEqual([]);
    expect((await store.read.events.page({ after: 0, limit: 100, types: [] })).head).toBe(12);
    // Events of the stream only, with the workspace slug.
    expect(page.events.every((e) => e.workspaceId === w1.id && e.workspace === w1.slug)).toBe(true);

    // A filtered page that is not full saw everything up to the head: its cursor moves there.
    const workspace = w1;
    const filtered = await readEvents(store, { workspace, limit: 100, types: ['team.*'] });
    expect(filtered.hasMore).toBe(false);
    expect(decodeCursor(filtered.next, w1.id)).toBe(8);
    // A full page stops at its last event and says whether there is more.
    const full = await readEvents(store, { workspace, limit: 4 });
    expect(decodeCursor(full.next, w1.id)).toBe(4);
    expect(full.hasMore).toBe(true);
    const last = await readEvents(store, { workspace, limit: 4, after: full.next });
    expect(last.data.map((e) => e.sequence)).toEqual([5, 6, 7, 8]);
    expect(last.hasMore).toBe(false);
    const global = await readEvents(store, { limit: 100 });
    expect(global.data.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(decodeCursor(global.next, '*')).toBe(12);

    // After retention (positions 1..5: w1's sequences 1..3): a cursor before the watermark is
    // refused with cursorExpired, one at it reads on, and no cursor starts at the watermark.
    const early = await readEvents(store, { workspace, limit: 2 });
    const atWatermark = await readEvents(store, { workspace, limit: 3 });
    await store.transaction((repos) => repos.events.prune(new Date(Date.now() + 60_000).toISOString(), 5));
    expect(await store.read.events.watermark(w1.id)).toBe(3);
    const old = readEvents(store, { workspace, limit: 1, after: early.next });
    await expect(old).rejects.toBeInstanceOf(DirectoryError);
    await expect(old).rejects.toMatchObject({ code: 'cursorExpired' });
    expect((await readEvents(store, { workspace, limit: 100, after: atWatermark.next })).data.map((e) => e.sequence)).toEqual([
      4, 5, 6, 7, 8,
    ]);
    expect((await readEvents(store, { workspace, limit: 100 })).data.map((e) => e.sequence)).toEqual([4, 5, 6, 7, 8]);
    const fromWatermark = await readEvents(store, { limit: 100 });
    expect(fromWatermark.data.map((e) => e.position)).toEqual([6, 7, 8, 9, 10, 11, 12]);
  });
});

/** A fresh store for each test, and a second store on its database that a test may open (closed after it). */
function storesPerTest(): { readonly handle: StoreHandle; openSecond(): Promise<SqlStore> } {
  let handle: StoreHandle | undefined;
  let second: SqlStore | undefined;
  beforeEach(async () => {
    handle = await freshStore();
  });
  afterEach(async () => {
    await second?.close();
    second = undefined;
    await handle?.dispose();
  });
  return {
    get handle() {
      if (!handle) throw new Error('no store outside a test');
      return handle;
    },
    openSecond: async () => {
      second = await openStore((handle as StoreHandle).database.url);
      return second;
    },
  };
}

describe('two sequencers at once', () => {
  const stores = storesPerTest();

  it('never give the same number, while writers keep recording (two pools on PostgreSQL, as two instances)', async () => {
    const store = stores.handle.store;
    // On PostgreSQL a second store is a second instance (its own pool); SQLite has one writer process.
    const other = TEST_ENGINE === 'postgres' ? await stores.openSecond() : store;
    const workspaces = await Promise.all([0, 1, 2].map(() => addWorkspace(store)));
    let writing = true;
    const sequencer = async (on: DirectoryStore) => {
      const bus = new LocalEventBus();
      let rounds = 0;
      while (writing) {
        await numberEvents(on, bus);
        rounds++;
      }
      return rounds;
    };
    const sequencers = [sequencer(store), sequencer(other), sequencer(store), sequencer(other)];
    let recordedCount = 0;
    const writers = Array.from({ length: 6 }, async (_, n) => {
      for (let i = 0; i < 40; i++) {
        const ws = (workspaces[(n + i) % 3] as Workspace).id;
        await record(
          n % 2 ? other : store,
          Array.from({ length: 1 + (i % 3) }, () => recorded(ws)),
        );
        recordedCount += 1 + (i % 3);
      }
    });
    await Promise.all(writers).finally(() => {
      writing = false;
    });
    const rounds = await Promise.all(sequencers);
    expect(rounds.every((r) => r > 0)).toBe(true);
    await numberEvents(store, new LocalEventBus());
    const all = await stream(store);
    expect(all).toHaveLength(recordedCount);
    expect(all.map((e) => e.position)).toEqual(all.map((_, i) => i + 1));
    for (const w of workspaces) {
      const own = all.filter((e) => e.workspaceId === w.id);
      expect(own.map((e) => e.sequence)).toEqual(own.map((_, i) => i + 1));
    }
  }, 60_000);

  it.skipIf(TEST_ENGINE !== 'postgres')(
    'PostgreSQL: while one instance holds the sequencer lock, the other numbers nothing; then it numbers all',
    async () => {
      const ws = await addWorkspace(stores.handle.store);
      await record(stores.handle.store, [recorded(ws.id), recorded(ws.id)]);
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const holder = stores.handle.store.transaction(async (repos) => {
        expect(await repos.events.lockSequencer()).toBe(true);
        holding();
        await released;
      });
      await held;
      const other = await stores.openSecond();
      expect(await other.transaction((repos) => repos.events.lockSequencer())).toBe(false);
      expect(await numberEvents(other, new LocalEventBus())).toBe(0);
      expect(await stream(other)).toEqual([]);
      release();
      await holder;
      expect(await other.transaction((repos) => repos.events.lockSequencer())).toBe(true);
      expect(await numberEvents(other, new LocalEventBus())).toBe(2);
      expect((await stream(stores.handle.store)).map((e) => e.position)).toEqual([1, 2]);
    },
  );
});

/** SQLite: the recording transaction numbers its events (docs/events.md, "Order"). */
describe.skipIf(TEST_ENGINE !== 'sqlite')('numbering in the recording transaction (SQLite)', () => {
  const stores = storesPerTest();

  it('a request that fails inside a shared batch gives its numbers back: the others’ are contiguous, in commit order', async () => {
    const store = stores.handle.store;
    const ws = await addWorkspace(store);
    // Started in one turn of the event loop, so they share one SQLite transaction (group commit).
    const outcomes = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) =>
        store.transaction(async (repos) => {
          await repos.events.insert([recorded(ws.id), recorded(ws.id)]);
          if (i % 3 === 1) throw new Error(`request ${i} fails after recording`);
          return i;
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(3);
    const all = await stream(store);
    expect(all.map((e) => [e.sequence, e.position])).toEqual(Array.from({ length: 12 }, (_, i) => [i + 1, i + 1]));
    expect(await store.read.events.head()).toBe(12);
  });

  it('each round announces the workspaces whose events were numbered since the last, also by another store on the file; the first round numbers what an older version left', async () => {
    const store = stores.handle.store;
    const [w1, w2] = [await addWorkspace(store), await addWorkspace(store)] as [Workspace, Workspace];
    // An event an older version recorded and left unnumbered (its sequencer did that after commit).
    const raw = rawDatabase(stores.handle.database.url);
    try {
      await raw
        .insertInto('events')
        .values({
          id: newEventId(),
          workspace_id: w1.id,
          type: 'user.created',
          occurred_at: OLD,
          actor: '{"type":"system"}',
          trace_id: null,
          data: '{}',
        })
        .execute();
    } finally {
      await raw.destroy();
    }
    const bus = new LocalEventBus();
    const announced: string[][] = [];
    bus.subscribe((ids) => announced.push([...ids].sort()));
    const state: SequencerState = {};
    expect(await numberEvents(store, bus, state)).toBe(1);
    expect(announced).toEqual([[w1.id]]);
    expect(state.through).toBe(1);
    await record(store, [recorded(w2.id)]);
    await record(await stores.openSecond(), [recorded(w1.id), recorded(w2.id)]);
    expect(await numberEvents(store, bus, state)).toBe(0);
    expect(announced).toEqual([[w1.id], [w1.id, w2.id].sort()]);
    expect(state.through).toBe(4);
    // Nothing new: nothing announced.
    expect(await numberEvents(store, bus, state)).toBe(0);
    expect(announced).toHaveLength(2);
    expect((await stream(store)).map((e) => [e.workspaceId, e.sequence, e.position])).toEqual([
      [w1.id, 1, 1],
      [w2.id, 1, 2],
      [w1.id, 2, 3],
      [w2.id, 2, 4],
    ]);
  });
});
