import pg from 'pg';
import type { EventBus } from '../../directory/events/event-sequencer.js';
import { LocalEventBus } from '../../directory/events/local-event-bus.js';

const CHANNEL = 'roster_events';
/** NOTIFY payloads must stay under 8,000 bytes: workspace ids (36 characters) go in batches. */
const IDS_PER_NOTIFY = 150;

/**
 * The event bus of instances sharing one PostgreSQL database: a publication is delivered here at
 * once and to the other instances through NOTIFY on a dedicated LISTEN connection, so a long-poll
 * on one instance returns within moments of a commit on another. While the connection is down
 * (reconnected with growing delays), listeners fall back to their own timeouts and polling.
 */
export class PostgresEventBus implements EventBus {
  private readonly local = new LocalEventBus();
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = 100;

  constructor(
    private readonly url: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Connects and starts listening; resolves once listening (or after the first failure, retrying in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) this.local.deliver(message.payload.split(','));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      this.client = client;
      this.retryMs = 100;
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client === client) this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.onError(error);
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    setTimeout(() => void this.connect(), delay).unref();
  }

  async publish(workspaceIds: readonly string[]): Promise<void> {
    this.local.deliver(workspaceIds);
    const client = this.client;
    if (!client) return;
    for (let i = 0; i < workspaceIds.length; i += IDS_PER_NOTIFY) {
      const payload = workspaceIds.slice(i, i + IDS_PER_NOTIFY).join(',');
      await client.query('select pg_notify($1, $2)', [CHANNEL, payload]).catch((error: unknown) => this.onError(error));
    }
  }

  subscribe(listener: (workspaceIds: readonly string[]) => void): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.local.close();
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
