import { isWellFormed } from '../../scim/unicode.js';
import { DirectoryError } from '../errors.js';
import { eventJson } from '../events/event-model.js';
import { expandTypes } from '../events/event-reading.js';
import { newEventId } from '../events/event-recording.js';
import { newId, nowIso } from '../ids.js';
import type { DirectoryStore } from '../ports.js';
import { requireWorkspace } from '../workspaces/workspaces.js';
import type { DeliveryStatus, WebhookEndpoint } from './webhook-ports.js';
import type { WebhookAnswer, WebhookSender } from './webhook-sender.js';

/** An endpoint as `webhook add` prints it: the secret only then. */
export interface AddedWebhook {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  /** The types and globs it takes, or null for every type. */
  readonly events: readonly string[] | null;
  /** The workspace's slug, or null for an instance endpoint. */
  readonly workspace: string | null;
}

/** An endpoint as listed: never its secret. */
export interface WebhookInfo {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[] | null;
  readonly workspace: string | null;
  readonly enabled: boolean;
  readonly disabledAt: string | null;
  readonly disabledReason: string | null;
  readonly createdAt: string;
}

/** One delivery as `webhook deliveries` prints it (docs/cli.md). */
export interface DeliveryInfo {
  readonly eventId: string;
  readonly type: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly responseStatus: number | null;
  readonly lastAttemptAt: string | null;
  readonly nextAttemptAt: string | null;
}

const MAX_URL_LENGTH = 2048;

/**
 * Adds an endpoint: events of one workspace (`slug`) or of all, every type or those `events`
 * names (types and globs). The URL must be https, or http only where private addresses are
 * allowed (development), and resolve to addresses Roster may reach (WebhookSender.checkUrl). It
 * is sent the events numbered from now on.
 */
export async function addWebhook(
  store: DirectoryStore,
  sender: WebhookSender,
  url: string,
  options: { readonly workspace?: string; readonly events?: readonly string[] } = {},
): Promise<AddedWebhook> {
  const workspace = options.workspace === undefined ? undefined : await requireWorkspace(store, options.workspace);
  if (url.length > MAX_URL_LENGTH) throw new DirectoryError('invalidArgument', `a webhook URL has at most ${MAX_URL_LENGTH} characters`);
  // Found by the hostile-input test (test/http/api-fuzz.test.ts): the URL parser drops or escapes
  // control characters and lone surrogates, so such a URL passed checkUrl and its raw text was
  // stored (on PostgreSQL a NUL failed the insert: not a clean refusal). No endpoint needs one.
  if (!isWellFormed(url) || [...url].some((c) => c < ' ' || c === '\u007f')) {
    throw new DirectoryError('invalidArgument', 'a webhook URL may not hold control characters or lone surrogates');
  }
  await sender.checkUrl(url);
  const events = options.events && options.events.length > 0 ? [...new Set(options.events)] : null;
  if (events) expandTypes(events);
  const endpoint: WebhookEndpoint = {
    id: newId(),
    workspaceId: workspace?.id ?? null,
    url,
    secret: sender.newSecret(),
    eventTypes: events,
    createdAt: nowIso(),
    fannedThrough: 0,
    disabledAt: null,
    disabledReason: null,
  };
  await store.transaction(async (repos) => {
    await repos.webhooks.insertEndpoint({ ...endpoint, fannedThrough: await repos.events.head() });
  });
  return { id: endpoint.id, url, secret: endpoint.secret, events, workspace: workspace?.slug ?? null };
}

export async function listWebhooks(store: DirectoryStore, slug?: string): Promise<WebhookInfo[]> {
  const workspace = slug === undefined ? undefined : await requireWorkspace(store, slug);
  const [endpoints, workspaces] = await Promise.all([store.read.webhooks.endpoints(workspace?.id), store.read.workspaces.list()]);
  const slugs = new Map(workspaces.map((w) => [w.id, w.slug]));
  return endpoints.map((e) => ({
    id: e.id,
    url: e.url,
    events: e.eventTypes,
    workspace: e.workspaceId === null ? null : (slugs.get(e.workspaceId) ?? null),
    enabled: e.disabledAt === null,
    disabledAt: e.disabledAt,
    disabledReason: e.disabledReason,
    createdAt: e.createdAt,
  }));
}

async function requireEndpoint(store: DirectoryStore, id: string): Promise<WebhookEndpoint> {
  const endpoint = id.length <= 100 ? await store.read.webhooks.endpoint(id) : undefined;
  if (!endpoint) throw new DirectoryError('invalidArgument', `no webhook endpoint '${id.slice(0, 100)}'`);
  return endpoint;
}

export async function removeWebhook(store: DirectoryStore, id: string): Promise<{ id: string; removed: true }> {
  await requireEndpoint(store, id);
  await store.transaction((repos) => repos.webhooks.deleteEndpoint(id));
  return { id, removed: true };
}

/**
 * Enables an endpoint again (after it was disabled for 24 hours of failures, or a 410): delivery
 * resumes where it stopped, with the delivery that was given up.
 */
export async function enableWebhook(store: DirectoryStore, id: string): Promise<WebhookInfo> {
  const endpoint = await requireEndpoint(store, id);
  await store.transaction(async (repos) => {
    await repos.webhooks.retryFailed(endpoint.id, nowIso());
    await repos.webhooks.setDisabled(endpoint.id, null, null);
  });
  const [info] = (await listWebhooks(store)).filter((w) => w.id === id);
  if (!info) throw new TypeError(`webhook endpoint ${id} vanished while it was enabled`);
  return info;
}

/**
 * Sends the endpoint a signed `webhook.test` event now, outside its queue (nothing is recorded),
 * and reports the answer.
 */
export async function testWebhook(
  store: DirectoryStore,
  sender: WebhookSender,
  id: string,
): Promise<{ id: string; eventId: string; delivered: boolean; responseStatus: number | null; error: string | null }> {
  const endpoint = await requireEndpoint(store, id);
  const workspace = endpoint.workspaceId === null ? null : await store.read.workspaces.byId(endpoint.workspaceId);
  const eventId = newEventId();
  const body = eventJson({
    id: eventId,
    workspaceId: endpoint.workspaceId ?? '',
    workspace: workspace?.slug ?? '',
    sequence: 0,
    position: 0,
    type: 'webhook.test',
    occurredAt: nowIso(),
    actor: JSON.stringify({ type: 'system' }),
    traceId: null,
    data: JSON.stringify({ endpoint: { id: endpoint.id, url: endpoint.url } }),
  });
  const answer: WebhookAnswer = await sender.send({ url: endpoint.url, secret: endpoint.secret, id: eventId, body });
  const delivered = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
  return { id, eventId, delivered, responseStatus: answer.status ?? null, error: answer.error ?? null };
}

export async function webhookDeliveries(store: DirectoryStore, id: string, limit = 100): Promise<DeliveryInfo[]> {
  const endpoint = await requireEndpoint(store, id);
  const deliveries = await store.read.webhooks.deliveries(endpoint.id, limit);
  return deliveries.map((d) => ({
    eventId: d.eventId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  }));
}
