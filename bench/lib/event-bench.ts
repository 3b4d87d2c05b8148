import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKey } from '../../src/directory/api-keys/api-keys.js';
import { newEventId } from '../../src/directory/events/event-recording.js';
import { numberEvents } from '../../src/directory/events/event-sequencer.js';
import { LocalEventBus } from '../../src/directory/events/local-event-bus.js';
import { nowIso } from '../../src/directory/ids.js';
import type { DirectoryStore } from '../../src/directory/ports.js';
import { addWebhook } from '../../src/directory/webhooks/webhooks.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';

/** The events rows of `npm run bench` (issue 15): paging through the events API, and webhook delivery. */
export interface EventsResult {
  /** Events read through GET /api/v1/events?limit=1000, and how fast. */
  readonly paging: { readonly events: number; readonly seconds: number; readonly eventsPerSec: number; readonly met: boolean };
  /** Events delivered to a local receiver by the server's dispatcher, and how fast. */
  readonly webhooks: { readonly events: number; readonly seconds: number; readonly perSec: number };
}

/** The events API should page at least this fast (issue 15, "Performance"). */
export const EVENTS_PER_SEC_TARGET = 20_000;

const WEBHOOK_EVENTS = 2_000;

/** Records `count` `user.updated`-sized events for the workspace, in transactions of 5,000, and numbers them. */
async function recordEvents(store: DirectoryStore, workspaceId: string, count: number): Promise<void> {
  const data = JSON.stringify({ user: { id: 'u', workspace: 'bench', userName: 'someone@bench.example', displayName: 'Some One' } });
  const actor = JSON.stringify({ type: 'scim', provider: 'azure' });
  for (let done = 0; done < count; done += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, count - done) }, () => ({
      id: newEventId(),
      workspaceId,
      type: 'user.updated' as const,
      occurredAt: nowIso(),
      actor,
      traceId: null,
      data,
    }));
    await store.transaction((repos) => repos.events.insert(batch));
  }
  await numberEvents(store, new LocalEventBus());
}

/**
 * Seeds `count` events, pages through them over HTTP as an app does (limit 1,000, one request at
 * a time), then adds a webhook endpoint on a local receiver and times the delivery of 2,000 more.
 */
export async function benchEvents(store: DirectoryStore, serverUrl: string, count: number): Promise<EventsResult> {
  const workspace = await store.read.workspaces.bySlug('bench');
  if (!workspace) throw new Error('the bench workspace is missing');
  await recordEvents(store, workspace.id, count);
  const { key } = await createApiKey(store, 'bench', 'benchmark');
  const headers = { authorization: `Bearer ${key}` };
  let read = 0;
  let after: string | undefined;
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${serverUrl}/api/v1/events?limit=1000${after ? `&after=${after}` : ''}`, { headers });
    if (response.status !== 200) throw new Error(`GET /api/v1/events answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { data: unknown[]; next: string; hasMore: boolean };
    read += page.data.length;
    after = page.next;
    if (!page.hasMore) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const eventsPerSec = read / seconds;

  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const receiver = createServer((request, reply) => {
    request.resume();
    request.on('end', () => {
      reply.writeHead(204).end();
      received += 1;
      if (received >= WEBHOOK_EVENTS) done();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const port = (receiver.address() as AddressInfo).port;
  try {
    await addWebhook(store, new HttpWebhookSender({ allowPrivate: true, timeoutMs: 10_000 }), `http://127.0.0.1:${port}/events`, {
      workspace: 'bench',
    });
    const sent = performance.now();
    await recordEvents(store, workspace.id, WEBHOOK_EVENTS);
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 300_000))]);
    const webhookSeconds = (performance.now() - sent) / 1000;
    return {
      paging: { events: read, seconds, eventsPerSec, met: eventsPerSec >= EVENTS_PER_SEC_TARGET },
      webhooks: { events: received, seconds: webhookSeconds, perSec: received / webhookSeconds },
    };
  } finally {
    receiver.close();
  }
}
