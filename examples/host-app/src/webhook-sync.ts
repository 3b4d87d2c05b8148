import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { applyEvent, type MembersTable } from './members.js';
import type { RosterClient, RosterEvent } from './roster-client.js';

export interface WebhookSyncOptions {
  readonly workspace: string;
  /** The endpoint's signing secret (`whsec_…`), printed once by `roster webhook add`. */
  readonly secret: string;
  /** Users per page of the list (1 to 1000). */
  readonly pageSize?: number;
  /** Called after each event applied to the table. */
  readonly onEvent?: (event: RosterEvent) => void;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** How many delivered event ids are remembered to ignore repeats (Roster delivers in order, so repeats are recent). */
const REMEMBERED_IDS = 10_000;

/**
 * Keeps a members table in step from Roster's signed webhooks:
 *
 * 1. `listen()`, and register the URL once: `roster webhook add <url> --workspace <slug>
 *    --events 'user.*,role.renamed,team.renamed'`. Roster sends an endpoint every event numbered
 *    after it was added, so nothing committed after the next step is missed.
 * 2. `load()` the users list into the table. Deliveries that come before it is loaded are
 *    answered 503: Roster sends them again a little later, still in order.
 * 3. Each delivery: verify its signature with `standardwebhooks`, ignore a `webhook-id` already
 *    applied (a delivery is sent again when Roster did not get the answer), apply it, answer 204.
 */
export class WebhookSync {
  readonly server: Server;
  /** Deliveries refused because their signature did not verify. */
  rejected = 0;
  private loaded = false;
  private readonly webhook: Webhook;
  private readonly applied = new Set<string>();

  constructor(
    private readonly client: RosterClient,
    readonly table: MembersTable,
    private readonly options: WebhookSyncOptions,
  ) {
    this.webhook = new Webhook(options.secret);
    this.server = createServer((request, response) => {
      this.receive(request, response).catch(() => answer(response, 500));
    });
  }

  /** Starts receiving deliveries; returns the port (pass 0 for any free port). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Reads the users list into the table; deliveries are applied from then on. */
  async load(): Promise<void> {
    this.table.replaceAll(await this.client.allUsers(this.options.workspace, this.options.pageSize));
    this.loaded = true;
  }

  /** Whether the event with this id (its `webhook-id`) was applied. */
  hasApplied(eventId: string): boolean {
    return this.applied.has(eventId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return answer(response, 405);
    const body = await readBody(request);
    if (body === undefined) return answer(response, 413);
    let event: RosterEvent;
    try {
      // Checks the HMAC over id.timestamp.body and that the timestamp is recent; throws otherwise.
      event = this.webhook.verify(body, headersOf(request)) as RosterEvent;
    } catch {
      this.rejected += 1;
      return answer(response, 401);
    }
    if (!this.loaded) return answer(response, 503);
    if (event.workspace === this.options.workspace && !this.applied.has(event.id)) {
      applyEvent(this.table, event);
      this.remember(event.id);
      this.options.onEvent?.(event);
    }
    answer(response, 204);
  }

  private remember(id: string): void {
    this.applied.add(id);
    if (this.applied.size > REMEMBERED_IDS) {
      const oldest = this.applied.values().next().value;
      if (oldest !== undefined) this.applied.delete(oldest);
    }
  }
}

function answer(response: ServerResponse, status: number): void {
  if (!response.headersSent) response.writeHead(status).end();
}

/** The raw body as text (the signature is over these exact bytes), or undefined when too large. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value) && value[0] !== undefined) headers[name] = value[0];
  }
  return headers;
}
