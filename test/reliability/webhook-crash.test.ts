import { describe, it } from 'vitest';
import { addWebhook, webhookDeliveries } from '../../src/directory/webhooks/webhooks.js';
import { openStore } from '../../src/storage/open-store.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { numberAllEvents, type Receiver, startReceiver, verified } from '../support/webhook-receiver.js';
import {
  cleanUp,
  engineCases,
  freshDatabase,
  type RosterProcess,
  report,
  scimFetch,
  setUpWorkspace,
  startRoster,
  USER_SCHEMA,
} from './reliability-support.js';

/**
 * Nothing is lost over a crash (issue 15 §3): `roster serve` is killed with SIGKILL while a
 * webhook delivery is in flight (the receiver holds the request open) and two more events wait
 * behind it. Restarted on the same database, the server sends the interrupted event again, with
 * the same `webhook-id` and body, once the dead instance's claim on it has expired (a minute),
 * and then the others, in order.
 */
const ENGINES = await engineCases();
const ENV = {
  ROSTER_ALLOW_PRIVATE_WEBHOOKS: '1',
  ROSTER_WEBHOOK_RETRY_SCALE: '0.001',
  // Longer than the test holds the request: the kill, not the timeout, ends the first attempt.
  ROSTER_WEBHOOK_TIMEOUT_MS: '30000',
};

describe('webhook delivery across kill -9', () => {
  for (const { engine, skip, title } of ENGINES) {
    it.skipIf(skip).concurrent(
      `${title}: the delivery in flight at the kill is sent again after the restart, same webhook-id, then the rest in order`,
      async ({ expect }) => {
        const database = await freshDatabase(engine);
        let server: RosterProcess | undefined;
        let receiver: Receiver | undefined;
        try {
          const fixture = await setUpWorkspace(database.url, 'hooks');
          receiver = await startReceiver();
          const store = await openStore(database.url);
          let secret: string;
          let endpointId: string;
          try {
            await numberAllEvents(store);
            const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 10_000 });
            const hook = await addWebhook(store, sender, receiver.url('/crash'), { workspace: 'hooks', events: ['user.*'] });
            secret = hook.secret;
            endpointId = hook.id;
          } finally {
            await store.close();
          }
          let holding = true;
          receiver.on('/crash', () => (holding ? 'hang' : 200));

          server = await startRoster(database.url, ENV);
          const scim = scimFetch(server.scimUrl, fixture.token);
          const names = ['k0', 'k1', 'k2'].map((n) => `${n}@crash.example`);
          for (const userName of names) {
            const created = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName, active: true });
            expect(created.status, created.text).toBe(201);
          }
          const local = receiver;
          await local.waitFor(() => local.to('/crash').length > 0, 'the first delivery to be in flight', 30_000);
          const held = local.to('/crash')[0];
          expect(held?.event.data.user.userName).toBe(names[0]);
          expect((await server.kill9()).signal).toBe('SIGKILL');
          const killedAt = Date.now();
          holding = false;

          server = await startRoster(database.url, ENV);
          await local.waitFor(() => local.delivered('/crash').length >= 3, 'the three events after the restart', 150_000);
          report(`webhook-crash ${engine}: the interrupted event came again ${Date.now() - killedAt} ms after the kill`);
          const delivered = local.delivered('/crash');
          expect(delivered.map((r) => r.event.data.user.userName)).toEqual(names);
          expect(delivered[0]?.id).toBe(held?.id);
          expect(delivered[0]?.body).toBe(held?.body);
          // The held request, then each event once: nothing was sent while the first was in doubt.
          expect(local.to('/crash')).toHaveLength(4);
          for (const request of local.to('/crash')) expect(verified(secret, request).type).toBe('user.created');

          const check = await openStore(database.url);
          try {
            let deliveries = await webhookDeliveries(check, endpointId);
            for (let tries = 0; tries < 100 && deliveries.some((d) => d.status !== 'delivered'); tries++) {
              await new Promise((resolve) => setTimeout(resolve, 50));
              deliveries = await webhookDeliveries(check, endpointId);
            }
            expect(deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
          } finally {
            await check.close();
          }
          expect(server.errorLogLines()).toEqual([]);
        } finally {
          await cleanUp(
            () => server?.stop(),
            () => receiver?.close(),
            () => database.drop(),
          );
        }
      },
      240_000,
    );
  }
});
