/**
 * Storage conformance, part 4: the provisioning log (filters, newest first, pruning by age and
 * count) and the e-mail outbox (claiming, delivery bookkeeping, concurrent claimers), on the
 * engine ROSTER_TEST_ENGINE selects.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import type { OutboxMessage, ProvisioningLogEntry } from '../../src/directory/model.js';
import { openStore } from '../../src/storage/open-store.js';
import { addWorkspace, freshStore, logEntry, outboxMessage, type StoreHandle, storeForSuite } from './fixtures.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
/** The prune cutoff the domain uses: the time prefix of a UUIDv7 (src/directory/provisioning-log.ts). */
const cutoff = (ms: number) => newId(ms).slice(0, 13);

describe('provisioning log', () => {
  const handle = storeForSuite();
  const log = () => handle().store.read.provisioningLog;

  /** Ten entries one second apart in one workspace, five in another. */
  async function seed(): Promise<{ ws: string; other: string; entries: ProvisioningLogEntry[]; others: ProvisioningLogEntry[] }> {
    const ws = (await addWorkspace(handle().store)).id;
    const other = (await addWorkspace(handle().store)).id;
    const statuses = [200, 201, 409, 200, 404, 201, 409, 200, 200, 400];
    const entries = statuses.map((status, i) =>
      logEntry(ws, T0 + i * 1000, {
        status,
        method: status === 201 ? 'POST' : 'GET',
        path: status === 201 ? '/scim/v2/Users' : `/scim/v2/Users/r${i % 3}`,
        traceId: i < 4 ? 'trace-a' : `trace-${i}`,
        resourceId: status === 201 || status === 409 ? `r${i % 3}` : null,
        detail: status >= 400 ? `failed with ${status}` : null,
        warnings: i === 5 ? ['first warning', 'second "quoted" warning'] : [],
      }),
    );
    const others = [0, 1, 2, 3, 4].map((i) => logEntry(other, T0 + i * 1000 + 500, { status: 409, traceId: 'trace-a', resourceId: 'r0' }));
    // One batch, in no particular order.
    await handle().store.transaction((r) => r.provisioningLog.insert([...others, ...entries].reverse()));
    return { ws, other, entries, others };
  }

  it('list returns entries newest first, whole, limited', async () => {
    const { ws, other, entries, others } = await seed();
    expect(await log().list(ws, { limit: 100 })).toStrictEqual([...entries].reverse());
    expect(await log().list(ws, { limit: 3 })).toStrictEqual(entries.slice(-3).reverse());
    expect(await log().list(other, { limit: 100 })).toStrictEqual([...others].reverse());
    expect(await log().list(newId(), { limit: 100 })).toEqual([]);
  });

  it('list filters by status, traceId and resourceId, alone and together', async () => {
    const { ws, entries } = await seed();
    const ids = async (query: Parameters<ReturnType<typeof log>['list']>[1]) => (await log().list(ws, query)).map((e) => e.id);
    const pick = (...indexes: number[]) => indexes.map((i) => entries[i]?.id);
    expect(await ids({ limit: 100, status: 409 })).toEqual(pick(6, 2));
    expect(await ids({ limit: 100, status: 201 })).toEqual(pick(5, 1));
    expect(await ids({ limit: 100, status: 500 })).toEqual([]);
    expect(await ids({ limit: 100, traceId: 'trace-a' })).toEqual(pick(3, 2, 1, 0));
    expect(await ids({ limit: 100, traceId: 'trace-7' })).toEqual(pick(7));
    expect(await ids({ limit: 100, resourceId: 'r0' })).toEqual(pick(6));
    expect(await ids({ limit: 100, resourceId: 'r2' })).toEqual(pick(5, 2));
    expect(await ids({ limit: 100, resourceId: 'r1' })).toEqual(pick(1));
    expect(await ids({ limit: 100, status: 409, resourceId: 'r2' })).toEqual(pick(2));
    expect(await ids({ limit: 100, status: 200, traceId: 'trace-a' })).toEqual(pick(3, 0));
    expect(await ids({ limit: 1, traceId: 'trace-a' })).toEqual(pick(3));
  });

  it('an empty batch writes nothing', async () => {
    const ws = (await addWorkspace(handle().store)).id;
    await log().insert([]);
    expect(await log().list(ws, { limit: 10 })).toEqual([]);
  });

  it('prune by age deletes the entries older than the cutoff, in that workspace only', async () => {
    const { ws, other, entries, others } = await seed();
    expect(await handle().store.transaction((r) => r.provisioningLog.prune(ws, cutoff(T0 + 4000), 1000))).toBe(4);
    expect(await log().list(ws, { limit: 100 })).toStrictEqual(entries.slice(4).reverse());
    expect(await log().list(other, { limit: 100 })).toStrictEqual([...others].reverse());
    expect(await log().prune(ws, cutoff(T0 + 4000), 1000)).toBe(0);
  });

  it('prune by count keeps the newest entries of that workspace only', async () => {
    const { ws, other, entries, others } = await seed();
    expect(await handle().store.transaction((r) => r.provisioningLog.prune(ws, cutoff(0), 3))).toBe(7);
    expect(await log().list(ws, { limit: 100 })).toStrictEqual(entries.slice(7).reverse());
    expect(await log().list(other, { limit: 100 })).toStrictEqual([...others].reverse());
    expect(await log().prune(ws, cutoff(0), 3)).toBe(0);
    expect(await log().prune(ws, cutoff(0), 0)).toBe(3);
    expect(await log().list(ws, { limit: 100 })).toEqual([]);
    expect(await log().list(other, { limit: 100 })).toHaveLength(5);
  });

  it('prune by age and count together counts both deletions', async () => {
    const { ws, entries } = await seed();
    // Age removes 0..1, then the newest 5 of the remaining 8 are kept.
    expect(await log().prune(ws, cutoff(T0 + 2000), 5)).toBe(5);
    expect(await log().list(ws, { limit: 100 })).toStrictEqual(entries.slice(5).reverse());
  });
});

describe('outbox', () => {
  // claimDue works across workspaces, so every test starts from an empty database.
  let current: StoreHandle | undefined;
  beforeEach(async () => {
    current = await freshStore();
  });
  afterEach(async () => {
    await current?.dispose();
  });
  const handle = (): StoreHandle => {
    if (!current) throw new TypeError('the store exists only inside a test');
    return current;
  };
  const outbox = () => handle().store.read.outbox;

  it('list returns a workspace’s messages newest first, whole, limited', async () => {
    const ws = (await addWorkspace(handle().store)).id;
    const other = (await addWorkspace(handle().store)).id;
    const messages = [0, 1, 2].map((i) => outboxMessage(ws, T0 + i, iso(T0)));
    const sent = outboxMessage(ws, T0 + 3, iso(T0), { attempts: 2, sentAt: iso(T0 + 5000), lastError: null });
    for (const m of [sent, ...messages]) await outbox().insert(m);
    await outbox().insert(outboxMessage(other, T0 + 4, iso(T0)));
    expect(await outbox().list(ws, 10)).toStrictEqual([sent, ...[...messages].reverse()]);
    expect(await outbox().list(ws, 2)).toStrictEqual([sent, messages[2]]);
  });

  it('claimDue claims due unsent messages of every workspace, earliest due first, once until the claim expires', async () => {
    const ws = (await addWorkspace(handle().store)).id;
    const other = (await addWorkspace(handle().store)).id;
    const early = outboxMessage(ws, T0 + 1, iso(T0 - 60_000));
    const middle = outboxMessage(other, T0 + 2, iso(T0 - 30_000));
    const exactlyNow = outboxMessage(ws, T0 + 3, iso(T0));
    const future = outboxMessage(ws, T0 + 4, iso(T0 + 3_600_000));
    const alreadySent = outboxMessage(ws, T0 + 5, iso(T0 - 90_000), { sentAt: iso(T0 - 80_000), attempts: 1 });
    for (const m of [future, exactlyNow, alreadySent, middle, early]) await outbox().insert(m);

    const until = iso(T0 + 60_000);
    expect(await handle().store.transaction((r) => r.outbox.claimDue(iso(T0), until, 10))).toStrictEqual([early, middle, exactlyNow]);
    // Claimed: nobody else gets them until the claim runs out.
    expect(await outbox().claimDue(iso(T0 + 1000), iso(T0 + 61_000), 10)).toEqual([]);
    expect(await outbox().claimDue(iso(T0 + 60_000), iso(T0 + 120_000), 10)).toEqual([]);
    expect(await outbox().claimDue(iso(T0 + 60_001), iso(T0 + 120_001), 10)).toStrictEqual([early, middle, exactlyNow]);
    // The not-yet-due message is claimed once it is due (with the others, whose claims ran out).
    expect(await outbox().claimDue(iso(T0 + 3_599_999), iso(T0 + 3_659_999), 10)).toStrictEqual([early, middle, exactlyNow]);
    expect(await outbox().claimDue(iso(T0 + 3_600_000), iso(T0 + 3_660_000), 10)).toStrictEqual([future]);
  });

  it('claimDue takes at most `limit` messages, earliest due first', async () => {
    const ws = (await addWorkspace(handle().store)).id;
    const messages = [3, 1, 2, 0].map((i) => outboxMessage(ws, T0 + i, iso(T0 - 10_000 + i * 1000)));
    for (const m of messages) await outbox().insert(m);
    const byDue = [...messages].sort((x, y) => x.nextAttemptAt.localeCompare(y.nextAttemptAt));
    expect(await outbox().claimDue(iso(T0), iso(T0 + 60_000), 2)).toStrictEqual(byDue.slice(0, 2));
    expect(await outbox().claimDue(iso(T0), iso(T0 + 60_000), 2)).toStrictEqual(byDue.slice(2));
    expect(await outbox().claimDue(iso(T0), iso(T0 + 60_000), 2)).toEqual([]);
  });

  it('markSent records delivery and releases the claim; markFailed counts the attempt and reschedules', async () => {
    const ws = (await addWorkspace(handle().store)).id;
    const a = outboxMessage(ws, T0 + 1, iso(T0 - 2000));
    const b = outboxMessage(ws, T0 + 2, iso(T0 - 1000), { attempts: 2, lastError: 'earlier failure' });
    for (const m of [a, b]) await outbox().insert(m);
    expect(await outbox().claimDue(iso(T0), iso(T0 + 60_000), 10)).toStrictEqual([a, b]);

    await handle().store.transaction((r) => r.outbox.markSent(ws, a.id, iso(T0 + 100)));
    const retryAt = iso(T0 + 300_000);
    const longError = `smtp said no: ${'x'.repeat(600)}`;
    await handle().store.transaction((r) => r.outbox.markFailed(ws, b.id, longError, retryAt));

    const sentA: OutboxMessage = { ...a, sentAt: iso(T0 + 100), attempts: 1, lastError: null };
    const failedB: OutboxMessage = { ...b, attempts: 3, lastError: longError.slice(0, 500), nextAttemptAt: retryAt };
    expect(await outbox().list(ws, 10)).toStrictEqual([failedB, sentA]);

    // The failed one is claimable again when due (markFailed released its claim); the sent one never is.
    expect(await outbox().claimDue(iso(T0 + 1000), iso(T0 + 61_000), 10)).toEqual([]);
    expect(await outbox().claimDue(iso(T0 + 299_999), iso(T0 + 359_999), 10)).toEqual([]);
    expect(await outbox().claimDue(retryAt, iso(T0 + 360_000), 10)).toStrictEqual([failedB]);
    expect(await outbox().claimDue(iso(T0 + 86_400_000), iso(T0 + 86_460_000), 10)).toStrictEqual([failedB]);
  });

  /** Forty due messages over two workspaces. */
  async function seedDue(): Promise<OutboxMessage[]> {
    const ws = (await addWorkspace(handle().store)).id;
    const other = (await addWorkspace(handle().store)).id;
    const messages = Array.from({ length: 40 }, (_, i) => outboxMessage(i % 2 ? ws : other, T0 + i, iso(T0 - 100_000 + i * 10)));
    await handle().store.transaction(async (r) => {
      for (const m of messages) await r.outbox.insert(m);
    });
    return messages;
  }

  function expectPartition(claims: OutboxMessage[][], messages: OutboxMessage[]): void {
    const claimed = claims.flat().map((m) => m.id);
    expect(new Set(claimed).size, 'no message is claimed twice').toBe(claimed.length);
    expect([...claimed].sort()).toEqual(messages.map((m) => m.id).sort());
  }

  it('two concurrent claimers in transactions on one store never both get a message', async () => {
    const messages = await seedDue();
    for (const round of [0, 1, 2]) {
      const now = iso(T0 + round * 120_000);
      const until = iso(T0 + round * 120_000 + 60_000);
      const claims = await Promise.all([
        handle().store.transaction((r) => r.outbox.claimDue(now, until, 100)),
        handle().store.transaction((r) => r.outbox.claimDue(now, until, 100)),
      ]);
      expectPartition(claims, messages);
    }
  });

  it('two stores (two instances) claiming at once never both get a message', async () => {
    const messages = await seedDue();
    const second = await openStore(handle().database.url);
    try {
      for (const round of [0, 1, 2]) {
        const now = iso(T0 + round * 120_000);
        const until = iso(T0 + round * 120_000 + 60_000);
        const claims = await Promise.all([
          handle().store.read.outbox.claimDue(now, until, 100),
          second.read.outbox.claimDue(now, until, 100),
          handle().store.read.outbox.claimDue(now, until, 100),
          second.read.outbox.claimDue(now, until, 100),
        ]);
        expectPartition(claims, messages);
      }
    } finally {
      await second.close();
    }
  });
});
