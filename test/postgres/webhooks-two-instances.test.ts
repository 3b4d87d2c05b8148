import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import type { WebhookMessage } from '../../src/directory/webhooks/webhook-sender.js';
import { addWebhook, webhookDeliveries } from '../../src/directory/webhooks/webhooks.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { freePort } from '../reliability/reliability-support.js';
import { newUser } from '../support/scim-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { numberAllEvents, type Receiver, startReceiver, verified } from '../support/webhook-receiver.js';

/**
 * Two instances on one PostgreSQL database deliver one endpoint's events (issue 15 §3): both are
 * woken by the same NOTIFY and race for the same deliveries, yet no delivery is ever in flight
 * twice at once, every event arrives exactly once (no crash here), and each workspace's events
 * arrive in sequence order. The receiver holds every request for a moment, and fails some first
 * attempts, so that claims and retries overlap in time.
 */
const WORKSPACES = ['two-a', 'two-b', 'two-c'];
const USERS_PER_WORKSPACE = 20;

interface Instance {
  readonly url: string;
  readonly store: SqlStore;
  readonly app: FastifyInstance;
}

async function startInstance(database: string): Promise<Instance> {
  const store = await openStore(database);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ROSTER_ALLOW_PRIVATE_WEBHOOKS: '1', ROSTER_WEBHOOK_RETRY_SCALE: '0.001', ROSTER_PUBLIC_URL: url, ROSTER_RATE_LIMIT: '0' };
  const app = await composeApp({ store, config: loadConfig({ database, port }, env) });
  await app.listen({ host: '127.0.0.1', port });
  return { url, store, app };
}

describe('webhook delivery by two instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let instances: Instance[] = [];
  let receiver: Receiver;
  const tokens = new Map<string, string>();
  // Which sender (one per instance) made each attempt: the prototype is wrapped to see it.
  const original = HttpWebhookSender.prototype.send;
  const attempts: Array<{ sender: HttpWebhookSender; id: string }> = [];

  beforeAll(async () => {
    HttpWebhookSender.prototype.send = function (this: HttpWebhookSender, message: WebhookMessage) {
      attempts.push({ sender: this, id: message.id });
      return original.call(this, message);
    };
    database = await createTestDatabase('postgres');
    // One after the other: the first migrates the database.
    instances.push(await startInstance(database.url));
    instances.push(await startInstance(database.url));
    receiver = await startReceiver();
    const store = instances[0]?.store as SqlStore;
    for (const slug of WORKSPACES) {
      await createWorkspace(store, { slug, plan: 'enterprise', seats: 1000 });
      await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
      tokens.set(slug, (await enableScim(store, slug, 'generic')).token);
    }
  }, 90_000);

  afterAll(async () => {
    HttpWebhookSender.prototype.send = original;
    for (const instance of instances) {
      await instance.app.close();
      await instance.store.close();
    }
    instances = [];
    await receiver?.close();
    await database?.drop();
  });

  it('never sends the same delivery twice at the same time, and delivers every event once, in order', async () => {
    const store = instances[0]?.store as SqlStore;
    await numberAllEvents(store);
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 10_000 });
    const everything = await addWebhook(store, sender, receiver.url('/all'));
    const onlyA = await addWebhook(store, sender, receiver.url('/a'), { workspace: 'two-a', events: ['user.*'] });
    // Every request is held 40 ms; every fourth event's first attempt fails (a retry 5 ms later).
    const firstAttempts = new Set<string>();
    for (const path of ['/all', '/a']) {
      receiver.on(path, (request) => {
        const first = !firstAttempts.has(`${path} ${request.id}`);
        firstAttempts.add(`${path} ${request.id}`);
        return { status: first && request.event.sequence % 4 === 0 ? 500 : 200, delayMs: 40 };
      });
    }
    attempts.length = 0;

    // The users are created through both instances, the workspaces concurrently.
    const created = await Promise.all(
      WORKSPACES.map(async (slug) => {
        const ids: string[] = [];
        for (let n = 0; n < USERS_PER_WORKSPACE; n++) {
          const instance = instances[n % 2] as Instance;
          const response = await fetch(`${instance.url}/scim/v2/Users`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.get(slug)}`, 'content-type': 'application/scim+json' },
            body: JSON.stringify(newUser(`u${n}@${slug}.example`)),
          });
          expect(response.status).toBe(201);
          ids.push(((await response.json()) as { id: string }).id);
        }
        return [slug, ids] as const;
      }),
    );
    const total = WORKSPACES.length * USERS_PER_WORKSPACE;
    // The user.created events (a create records only that today; other events would be checked for order too).
    const userCreated = (path: string) => receiver.delivered(path).filter((r) => r.event.type === 'user.created');
    await receiver.waitFor(
      () => userCreated('/all').length >= total && userCreated('/a').length >= USERS_PER_WORKSPACE,
      'every event at both endpoints',
      90_000,
    );

    expect(receiver.overlaps).toEqual([]);
    // Each event was delivered exactly once per endpoint, after its failed first attempt where there was one.
    for (const path of ['/all', '/a']) {
      const ids = receiver.delivered(path).map((r) => r.id);
      expect(new Set(ids).size, path).toBe(ids.length);
    }
    // What each request of a stream was, should an order assertion fail.
    const story = (path: string, slug: string) =>
      receiver
        .to(path)
        .filter((r) => r.event.workspace === slug)
        .map((r) => `#${r.event.sequence} ${r.event.data.user?.userName} ${r.arrivedAt}→${r.answeredAt} ${r.answer}`)
        .join('\n');
    for (const [slug, ids] of created) {
      expect(
        userCreated('/all')
          .filter((r) => r.event.workspace === slug)
          .map((r) => r.event.data.user.id),
        story('/all', slug),
      ).toEqual(ids);
      const sequences = receiver
        .delivered('/all')
        .filter((r) => r.event.workspace === slug)
        .map((r) => r.event.sequence as number);
      expect(sequences, story('/all', slug)).toEqual([...sequences].sort((a, b) => a - b));
    }
    expect(
      receiver.delivered('/a').map((r) => r.event.data.user.id),
      story('/a', 'two-a'),
    ).toEqual(created[0]?.[1]);
    // In order: no request left before every earlier event of its workspace had been answered 2xx.
    for (const path of ['/all', '/a']) {
      const requests = receiver.to(path);
      for (const request of requests) {
        const blocking = requests.filter(
          (r) =>
            r.event.workspace === request.event.workspace &&
            r.event.sequence < request.event.sequence &&
            !requests.some(
              (s) => s.id === r.id && typeof s.answer === 'number' && s.answer < 300 && (s.answeredAt as number) <= request.arrivedAt,
            ),
        );
        expect(
          blocking.map((r) => r.event.sequence),
          `${path} ${request.event.workspace} #${request.event.sequence}`,
        ).toEqual([]);
      }
    }
    for (const request of receiver.to('/all')) verified(everything.secret, request);
    for (const request of receiver.to('/a')) verified(onlyA.secret, request);
    expect(receiver.to('/all').filter((r) => r.answer === 500).length).toBeGreaterThan(0);

    // Both instances sent: the race was real.
    const senders = new Set(attempts.map((a) => a.sender));
    expect(senders.size).toBe(2);
    // The last outcome is recorded a moment after its answer.
    let deliveries = await webhookDeliveries(store, everything.id, 1000);
    for (let tries = 0; tries < 100 && deliveries.some((d) => d.status !== 'delivered'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      deliveries = await webhookDeliveries(store, everything.id, 1000);
    }
    expect(deliveries.filter((d) => d.type === 'user.created')).toHaveLength(total);
    expect(deliveries.filter((d) => d.status !== 'delivered')).toEqual([]);
  }, 120_000);
});
