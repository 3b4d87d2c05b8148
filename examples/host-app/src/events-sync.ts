import { applyEvent, MEMBER_EVENT_TYPES, type MembersTable } from './members.js';
import { isCursorExpired, type RosterClient, type RosterEvent, sleep } from './roster-client.js';

export interface EventsSyncOptions {
  readonly workspace: string;
  /** Seconds each long-poll waits for an event (the API allows up to 30). */
  readonly wait?: number;
  /** Users per page of the list and events per page of the stream (1 to 1000). */
  readonly pageSize?: number;
  /** Called after each event applied to the table. */
  readonly onEvent?: (event: RosterEvent) => void;
  /** Called when a request fails; the loop waits a second and tries again. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps a members table in step with a Roster workspace through the events API:
 *
 * 1. load: take the cursor of the newest event, *then* read the whole users list into the
 *    table. A change committed while the list is read is in the events after that cursor, so
 *    it is applied again below: harmless, because each event carries the whole user.
 * 2. follow: long-poll `GET /api/v1/events?after=<cursor>&wait=…` and apply each event in order,
 *    keeping `next` as the cursor.
 * 3. On `410 cursor_expired` (the app was stopped longer than Roster keeps events), go back to 1.
 */
export class EventsSync {
  /** Where the stream continues: `next` of the last page applied (undefined before the first load). */
  cursor: string | undefined;
  /** How many times the table was loaded from the users list. */
  loads = 0;
  private running: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(
    private readonly client: RosterClient,
    readonly table: MembersTable,
    private readonly options: EventsSyncOptions,
  ) {}

  /** Loads the table unless it was loaded before, then follows the events in the background. */
  async start(): Promise<void> {
    if (this.running) return;
    this.abort = new AbortController();
    if (this.cursor === undefined) await this.load();
    this.running = this.follow(this.abort.signal);
  }

  /** Stops following (ending a long-poll in progress); `start()` continues from the cursor. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.running = undefined;
  }

  private async load(): Promise<void> {
    const { workspace, pageSize } = this.options;
    const head = await this.client.latestCursor(workspace, MEMBER_EVENT_TYPES);
    this.table.replaceAll(await this.client.allUsers(workspace, pageSize));
    this.cursor = head;
    this.loads += 1;
  }

  private async follow(signal: AbortSignal): Promise<void> {
    const { workspace, wait = 25, pageSize = 1000, onEvent, onError } = this.options;
    let hasMore = false;
    while (!signal.aborted) {
      try {
        const page = await this.client.events(
          { workspace, after: this.cursor, types: MEMBER_EVENT_TYPES, limit: pageSize, wait: hasMore ? 0 : wait },
          signal,
        );
        for (const event of page.data) {
          applyEvent(this.table, event);
          onEvent?.(event);
        }
        this.cursor = page.next;
        hasMore = page.hasMore;
      } catch (error) {
        if (signal.aborted) return;
        if (!isCursorExpired(error)) {
          onError?.(error);
          await sleep(1000, signal).catch(() => undefined);
          continue;
        }
        // The events after the cursor were deleted before the app read them: start over from the list.
        await this.load().catch(async (failed: unknown) => {
          onError?.(failed);
          await sleep(1000, signal).catch(() => undefined);
        });
      }
    }
  }
}
