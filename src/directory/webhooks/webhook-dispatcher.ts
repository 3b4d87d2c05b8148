import { eventJson, type StoredEvent } from '../events/event-model.js';
import { expandTypes } from '../events/event-reading.js';
import { nowIso } from '../ids.js';
import type { DirectoryStore } from '../ports.js';
import type { AttemptOutcome, WebhookDelivery, WebhookEndpoint } from './webhook-ports.js';
import type { WebhookAnswer, WebhookSender } from './webhook-sender.js';

/** Delays between attempts, in seconds (Standard Webhooks' advice, shortened): then hourly, for 24 hours. */
const RETRY_DELAYS_S = [5, 30, 120, 300, 900, 1800, 3600] as const;
const GIVE_UP_AFTER_S = 24 * 3600;
/**
 * A claim outlives every attempt made under it (ROSTER_WEBHOOK_TIMEOUT_MS is at most 30 s), so
 * no other instance sends a delivery while it is in flight.
 */
const CLAIM_S = 60;
/** A run starts no attempt later than this after its claim: the last one ends within the claim. */
const RUN_SENDS_UNTIL_S = 25;
/** Streams whose heads are claimed in one round. */
const CLAIM_BATCH = 50;
/** Deliveries claimed after each head, sent one after the other while they are delivered. */
const RUN_LENGTH = 50;

export interface DispatchOptions {
  /** Multiplies every delay and the 24-hour limit (ROSTER_WEBHOOK_RETRY_SCALE): tests run the schedule in seconds. */
  readonly retryScale: number;
  /** Aborted when the service stops: a run sends nothing more (its claims are given back). */
  readonly stopping?: AbortSignal;
}

/** The delay before attempt `attempts + 1`, in milliseconds. */
export function retryDelayMs(attempts: number, scale: number): number {
  const seconds = RETRY_DELAYS_S[Math.min(attempts, RETRY_DELAYS_S.length) - 1] ?? RETRY_DELAYS_S[0];
  return Math.max(1, Math.round(seconds * 1000 * scale));
}

/**
 * Delivers events to webhook endpoints (docs/api.md, "Webhooks"), one round per call:
 * 1. fan-out: each enabled endpoint gets a pending delivery for every event numbered since its
 *    last round that it takes;
 * 2. claim: due deliveries that head their (endpoint, workspace) stream are claimed, each with
 *    the run of up to 50 pending deliveries that follow it, so no other instance sends them;
 * 3. send: each stream's run in sequence order, a delivery only after the one before it was
 *    delivered (a later event waits for the earlier one); a 2xx is delivered; anything else is retried later with growing delays; after 24
 *    hours the delivery is given up and the endpoint disabled, saying why (a 410 disables it at
 *    once). A crash after the send leaves the claim to expire: the event is sent again, with the
 *    same `webhook-id` (at least once).
 * Returns how many attempts it made.
 */
export async function dispatchWebhooks(store: DirectoryStore, sender: WebhookSender, options: DispatchOptions): Promise<number> {
  // Without an enabled endpoint there is nothing to send (a disabled one's deliveries wait): no write transaction.
  const endpoints = (await store.read.webhooks.endpoints()).filter((e) => e.disabledAt === null);
  if (endpoints.length === 0) return 0;
  await fanOut(store, endpoints);
  const now = new Date();
  const at = now.toISOString();
  const claimUntil = new Date(now.getTime() + CLAIM_S * 1000).toISOString();
  // The head of each due stream, and the deliveries that follow it: one claim for a whole run,
  // so a backlog drains at the pace of the receiver, not of one round per event.
  const runs = await store.transaction(async (repos) => {
    const heads = await repos.webhooks.claimDue(at, claimUntil, CLAIM_BATCH);
    const claimed: WebhookDelivery[][] = [];
    for (const head of heads) claimed.push([head, ...(await repos.webhooks.claimRun(head, at, claimUntil, RUN_LENGTH))]);
    return claimed;
  });
  if (runs.length === 0) return 0;
  const events = new Map((await store.read.events.byIds(runs.flat().map((d) => d.eventId))).map((e) => [e.id, e]));
  const sendUntil = now.getTime() + RUN_SENDS_UNTIL_S * 1000;
  // The endpoints read above serve the runs (one enabled since then is read on its own).
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  const attempts = await Promise.all(
    runs.map(async (run) => {
      const id = run[0]?.endpointId;
      const endpoint = id === undefined ? undefined : (byId.get(id) ?? (await store.read.webhooks.endpoint(id)));
      return sendRun(store, sender, endpoint, run, events, sendUntil, options);
    }),
  );
  return attempts.reduce((sum, n) => sum + n, 0);
}

/**
 * Sends one stream's claimed run in order: each delivery only after the one before it was
 * delivered. At the first that is not (or when the claim's time is running out), the claims of
 * the rest are given back, so they wait for it as claimDue would have made them. Returns the
 * attempts made.
 */
async function sendRun(
  store: DirectoryStore,
  sender: WebhookSender,
  endpoint: WebhookEndpoint | undefined,
  run: readonly WebhookDelivery[],
  events: ReadonlyMap<string, StoredEvent>,
  sendUntil: number,
  options: DispatchOptions,
): Promise<number> {
  let sent = 0;
  for (const delivery of run) {
    if (!endpoint || options.stopping?.aborted || (sent > 0 && Date.now() > sendUntil)) break;
    const event = events.get(delivery.eventId);
    // An event retention deleted before it was delivered cannot be sent any more: give it up.
    const answer: WebhookAnswer = event
      ? await sender.send({ url: endpoint.url, secret: endpoint.secret, id: event.id, body: eventJson(event) })
      : { status: undefined, error: 'the event is older than the retention period' };
    sent += 1;
    if (!(await finish(store, delivery, answer, event === undefined, options))) break;
  }
  const unsent = run.slice(sent);
  if (unsent.length > 0) await store.transaction((repos) => repos.webhooks.releaseClaims(unsent));
  return sent;
}

async function fanOut(store: DirectoryStore, endpoints: readonly WebhookEndpoint[]): Promise<void> {
  const head = await store.read.events.head();
  for (const endpoint of endpoints) {
    if (endpoint.fannedThrough >= head) continue;
    const types = endpoint.eventTypes ? expandTypes(endpoint.eventTypes) : undefined;
    await store.transaction((repos) => repos.webhooks.fanOut(endpoint, types, head, nowIso()));
  }
}

async function finish(
  store: DirectoryStore,
  delivery: WebhookDelivery,
  answer: WebhookAnswer,
  gone: boolean,
  options: DispatchOptions,
): Promise<boolean> {
  const at = new Date();
  const ok = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
  const attempts = delivery.attempts + 1;
  const firstAttempt = Date.parse(delivery.firstAttemptAt ?? at.toISOString());
  const expired = at.getTime() - firstAttempt >= GIVE_UP_AFTER_S * 1000 * options.retryScale;
  // A gone event is given up without disabling the endpoint: no retry can ever send it, and
  // disabling would stop the stream for good (re-enabling would retry it and disable again).
  // Given up, it no longer holds back the later events of its stream (claimDue).
  const disable = !ok && !gone && (answer.status === 410 || expired);
  const outcome: AttemptOutcome = {
    status: ok ? 'delivered' : disable || gone ? 'failed' : 'pending',
    at: at.toISOString(),
    responseStatus: answer.status ?? null,
    error: ok ? null : (answer.error ?? `HTTP ${answer.status}`),
    nextAttemptAt: ok || disable || gone ? null : new Date(at.getTime() + retryDelayMs(attempts, options.retryScale)).toISOString(),
  };
  await store.transaction(async (repos) => {
    await repos.webhooks.finishAttempt(delivery, outcome);
    if (disable) {
      const why =
        answer.status === 410
          ? `the endpoint answered 410 Gone for event ${delivery.eventId}`
          : `event ${delivery.eventId} could not be delivered for 24 hours (${attempts} attempts; last: ${outcome.error})`;
      await repos.webhooks.setDisabled(delivery.endpointId, outcome.at, why);
    }
  });
  // Delivered, or given up as gone (which holds nothing back): the next of the stream may follow.
  return outcome.status === 'delivered' || (gone && outcome.status === 'failed');
}
