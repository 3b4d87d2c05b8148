import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/directory/api-keys/api-keys.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { type RosterProcess, startRoster } from '../reliability/reliability-support.js';
import { proveEventOrder } from '../support/event-order.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 15 §1, the ordering proof where it is hard: two `roster serve` processes on one
 * PostgreSQL database (each with its own pool, sequencer and LISTEN connection), 20 concurrent
 * SCIM writers spreading creates, PATCHes of the same users and Group moves over both, and four
 * readers paging the events API on both instances in turn (a cursor of one instance is used on
 * the other). At the end the events table, read with SQL, must equal what every reader saw, be
 * numbered 1..N per workspace and 1..M overall, and keep the order in which writes were
 * acknowledged (test/support/event-order.ts).
 */
const SEED = process.env.ROSTER_TEST_SEED ? Number(process.env.ROSTER_TEST_SEED) : Math.floor(Math.random() * 2 ** 31);

describe('event order across two instances on one PostgreSQL database (issue 15 §1)', () => {
  let database: TestDatabase;
  let store: SqlStore;
  let instances: RosterProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    store = await openStore(database.url);
    instances = await Promise.all([0, 1].map(() => startRoster(database.url, { ROSTER_API_RATE_LIMIT: '0' })));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await store?.close();
    await database?.drop();
  });

  it(`readers on both instances miss no event, sequences are 1..N in commit order (seed ${SEED})`, async () => {
    const started = Date.now();
    const summary = await proveEventOrder({
      store,
      database: database.url,
      instances: instances.map((instance) => instance.url),
      writers: 16,
      opsPerWriter: 64,
      seed: SEED,
    });
    process.stderr.write(`[event-order, two instances] ${JSON.stringify({ ...summary, ms: Date.now() - started, seed: SEED })}\n`);
    expect(summary.events).toBeGreaterThan(1000);
    expect(summary.contendedPairs).toBeGreaterThan(100);
    expect(summary.orderedPairs).toBeGreaterThan(1000);
    for (const instance of instances) expect(instance.errorLogLines(), instance.url).toEqual([]);
  }, 90_000);

  it('a long-poll on one instance returns within 1 s of a commit on the other (LISTEN/NOTIFY)', async () => {
    await createWorkspace(store, { slug: 'long-poll-co', plan: 'enterprise', seats: 100 });
    await configureSso(store, 'long-poll-co', { issuer: 'https://idp.example.com', clientId: 'id', clientSecret: 'secret' });
    const { token } = await enableScim(store, 'long-poll-co', 'okta');
    const { key } = await createApiKey(store, 'long-poll-co', 'poller');
    const [a, b] = instances.map((instance) => instance.url) as [string, string];
    const events = (base: string, query: string) =>
      fetch(`${base}/api/v1/events?workspace=long-poll-co&types=user.*${query}`, { headers: { authorization: `Bearer ${key}` } });
    let cursor = ((await (await events(a, '&limit=1000')).json()) as { next: string }).next;
    for (let round = 0; round < 3; round++) {
      // The poller waits on instance a (up to 20 s); the write commits through instance b.
      const polling = events(a, `&after=${cursor}&wait=20`).then(async (r) => ({ at: performance.now(), body: await r.json() }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const write = await fetch(`${b}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `poll${round}@long-poll.example` }),
      });
      const committedAt = performance.now();
      expect(write.status).toBe(201);
      const answered = await polling;
      expect((answered.body as { data: { type: string }[] }).data.map((e) => e.type)).toEqual(['user.created']);
      expect(answered.at - committedAt).toBeLessThan(1000);
      cursor = (answered.body as { next: string }).next;
    }
  }, 60_000);
});
