import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { isPostgresUrl, openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { proveEventOrder } from '../support/event-order.js';
import { startServer, type TestServer } from '../support/scim-server.js';

/**
 * Issue 15 §1, the ordering proof over HTTP on the run's engine: 20 concurrent SCIM writers and
 * four readers paging the events API, then the final events table compared with what the readers
 * saw and with the order the writes were acknowledged in (test/support/event-order.ts). On
 * SQLite one server; on PostgreSQL a second in-process instance beside it (its own pool,
 * sequencer and LISTEN connection); test/postgres/event-order.test.ts runs two `roster serve`
 * processes.
 */
const ENV = { ROSTER_RATE_LIMIT: '0', ROSTER_API_RATE_LIMIT: '0' };
const SEED = process.env.ROSTER_TEST_SEED ? Number(process.env.ROSTER_TEST_SEED) : Math.floor(Math.random() * 2 ** 31);

describe('event order under concurrent writers (issue 15 §1)', () => {
  let server: TestServer;
  let second: { app: FastifyInstance; store: SqlStore; url: string } | undefined;

  beforeAll(async () => {
    server = await startServer(ENV);
    if (isPostgresUrl(server.database)) second = await startSecondInstance(server.database);
  });
  afterAll(async () => {
    await second?.app.close();
    await second?.store.close();
    await server?.close();
  });

  it(`readers miss no event and see each in sequence order; sequences are 1..N; acknowledged order is kept (seed ${SEED})`, async () => {
    const started = Date.now();
    const summary = await proveEventOrder({
      store: server.store,
      database: server.database,
      instances: second ? [server.url, second.url] : [server.url],
      writers: 16,
      opsPerWriter: 64,
      seed: SEED,
    });
    process.stderr.write(`[event-order] ${JSON.stringify({ ...summary, ms: Date.now() - started, seed: SEED })}\n`);
    // The run was demanding: many events, and writes of the same user in flight at once.
    expect(summary.events).toBeGreaterThan(1000);
    expect(summary.contendedPairs).toBeGreaterThan(100);
    expect(summary.orderedPairs).toBeGreaterThan(1000);
  }, 90_000);
});

/** Another server on the same PostgreSQL database, with its own store, pool and background jobs. */
async function startSecondInstance(database: string): Promise<{ app: FastifyInstance; store: SqlStore; url: string }> {
  const store = await openStore(database);
  const probe = await composeApp({ store, config: loadConfig({ database, port: 0 }, ENV) });
  await probe.listen({ host: '127.0.0.1', port: 0 });
  const port = (probe.server.address() as { port: number }).port;
  await probe.close();
  const url = `http://127.0.0.1:${port}`;
  const app = await composeApp({ store, config: loadConfig({ database, port }, { ...ENV, ROSTER_PUBLIC_URL: url }) });
  await app.listen({ host: '127.0.0.1', port });
  return { app, store, url };
}
