/**
 * A small client for Roster's application API (docs/api.md): the users list and the events
 * stream of one workspace, with an API key. Only `fetch`: nothing of Roster is imported.
 */

/** A role or team as Roster names it. */
export interface Ref {
  readonly id: string;
  readonly name: string;
}

/** A user as the API and the events carry it (docs/events.md, "The app user"). */
export interface AppUser {
  readonly id: string;
  readonly workspace: string;
  readonly userName: string;
  readonly email: string;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly displayName: string;
  readonly active: boolean;
  readonly role: Ref | null;
  readonly teams: readonly Ref[];
  readonly language: string | null;
  readonly timezone: string | null;
  readonly title: string | null;
  readonly department: string | null;
  readonly externalId: string | null;
  readonly managedBy: 'scim' | 'app';
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A directory event (docs/events.md); `data` depends on `type`. */
export interface RosterEvent {
  readonly id: string;
  readonly type: string;
  readonly workspace: string;
  readonly sequence: number;
  readonly occurredAt: string;
  readonly actor: { readonly type: string };
  readonly traceId: string | null;
  readonly data: Record<string, unknown>;
}

export interface EventsPage {
  readonly data: RosterEvent[];
  /** Pass it as `after` next time, also when `data` is empty. */
  readonly next: string;
  readonly hasMore: boolean;
}

export interface EventsQuery {
  readonly workspace: string;
  /** The `next` of an earlier page; without it, from the oldest retained event. */
  readonly after?: string;
  /** Comma-separated types and globs: `user.*,team.renamed`. */
  readonly types?: string;
  readonly limit?: number;
  /** Seconds to long-poll when there is no event after `after` (0 to 30). */
  readonly wait?: number;
}

/** An error answer of the API: `{"error": "<code>", "message": "…"}` with its status. */
export class RosterApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'RosterApiError';
  }
}

/** The app was away longer than Roster keeps events: read the users list again. */
export const isCursorExpired = (error: unknown): boolean => error instanceof RosterApiError && error.code === 'cursor_expired';

export class RosterClient {
  /**
   * @param url Roster's base URL, such as `http://127.0.0.1:8080`.
   * @param apiKey A key from `roster api-key create --workspace <slug>`.
   */
  constructor(
    private readonly url: string,
    private readonly apiKey: string,
  ) {}

  /** Every user of the workspace, following the keyset `next` cursor page by page. */
  async allUsers(workspace: string, pageSize = 1000): Promise<AppUser[]> {
    const users: AppUser[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: AppUser[]; next: string | null } = await this.get(`/workspaces/${encodeURIComponent(workspace)}/users`, {
        limit: pageSize,
        cursor,
      });
      users.push(...page.data);
      cursor = page.next;
    } while (cursor !== null);
    return users;
  }

  /** One page of events after a cursor; `signal` aborts a long-poll. */
  events(query: EventsQuery, signal?: AbortSignal): Promise<EventsPage> {
    const { workspace, after, types, limit, wait } = query;
    return this.get('/events', { workspace, after, types, limit, wait }, signal);
  }

  /**
   * The cursor of the newest event (`after=latest`, an empty page). Take it *before* reading the
   * users list, so no change made meanwhile is missed.
   */
  async latestCursor(workspace: string, types?: string): Promise<string> {
    return (await this.events({ workspace, types, after: 'latest' })).next;
  }

  private async get<T>(path: string, params: Record<string, string | number | null | undefined>, signal?: AbortSignal): Promise<T> {
    const url = new URL(`${this.url.replace(/\/+$/, '')}/api/v1${path}`);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    for (;;) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${this.apiKey}` }, signal });
      // Over the key's rate limit: wait as long as Roster asks, then try again.
      if (response.status === 429) {
        await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000, signal);
        continue;
      }
      const body = (await response.json()) as T & { error?: string; message?: string };
      if (!response.ok) throw new RosterApiError(response.status, body.error ?? 'unknown', body.message ?? response.statusText);
      return body;
    }
  }
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
