import { DirectoryError } from '../errors.js';
import type { Workspace } from '../model.js';
import type { DirectoryStore } from '../ports.js';
import { EVENT_TYPES, type EventType, type StoredEvent } from './event-model.js';
import type { EventBus } from './event-sequencer.js';

/** A page of the events API (docs/api.md): one workspace's stream, or every workspace's. */
export interface EventQuery {
  /** One workspace's events; undefined: every workspace's (instance keys only). */
  readonly workspace?: Workspace;
  /** The `next` of an earlier page, or `latest` (after the newest event); undefined: from the oldest retained event. */
  readonly after?: string;
  readonly limit: number;
  /** Types and globs (`user.*`); undefined: every type. */
  readonly types?: readonly string[];
}

export interface EventsPage {
  readonly data: readonly StoredEvent[];
  /** The cursor to pass as `after` next time (also when the page is empty). */
  readonly next: string;
  readonly hasMore: boolean;
}

/** `after=latest`: an empty page whose `next` is after the stream's newest event. */
export const LATEST = 'latest';

/** The stream a query reads: a workspace id, or every workspace's events by position. */
const ALL = '*';
const scopeOf = (query: Pick<EventQuery, 'workspace'>): string => query.workspace?.id ?? ALL;

/** A cursor: opaque to apps; it names its stream, so a cursor of one stream is refused on another. */
export function encodeCursor(scope: string, number: number): string {
  return Buffer.from(`v1.${scope}.${number}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, scope: string): number {
  const match = /^v1\.([0-9a-f-]{36}|\*)\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new DirectoryError('invalidArgument', `'${cursor.slice(0, 100)}' is not a cursor of the events API`);
  if (match[1] !== scope) throw new DirectoryError('invalidArgument', 'the cursor belongs to another stream (workspace) than this request');
  return Number(match[2]);
}

/** The exact types that type names and globs (`user.*`, `*`) name; an unknown name is refused. */
export function expandTypes(patterns: readonly string[]): EventType[] {
  const types = new Set<EventType>();
  for (const pattern of patterns) {
    const matching = EVENT_TYPES.filter((type) =>
      pattern === '*' ? true : pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern,
    );
    if (matching.length === 0) {
      throw new DirectoryError('invalidArgument', `'${pattern.slice(0, 100)}' names no event type (see docs/events.md)`);
    }
    for (const type of matching) types.add(type);
  }
  return [...types];
}

/**
 * A page of numbered events after a cursor (docs/api.md). A cursor older than what retention
 * kept is refused with `cursorExpired`: the app resynchronises from the users list.
 */
export async function readEvents(store: DirectoryStore, query: EventQuery): Promise<EventsPage> {
  const scope = scopeOf(query);
  const watermark = await store.read.events.watermark(scope);
  if (query.after === LATEST) {
    // No events, only the cursor of the stream's newest one: where an app that has just loaded
    // the users list starts following (examples/host-app). A stream whose events retention all
    // deleted has no head row: its cursor is the watermark.
    const head = await store.read.events.head(query.workspace?.id);
    return { data: [], next: encodeCursor(scope, Math.max(head, watermark)), hasMore: false };
  }
  const after = query.after === undefined ? watermark : decodeCursor(query.after, scope);
  if (after < watermark) {
    throw new DirectoryError(
      'cursorExpired',
      'the cursor points before the oldest retained event; read the users list again, then the events from the newest cursor',
    );
  }
  const { events, head } = await store.read.events.page({
    ...(query.workspace ? { workspaceId: query.workspace.id } : {}),
    after,
    limit: query.limit,
    ...(query.types ? { types: expandTypes(query.types) } : {}),
  });
  const numberOf = (event: StoredEvent) => (query.workspace ? event.sequence : event.position);
  const last = events.length > 0 ? numberOf(events[events.length - 1] as StoredEvent) : after;
  const full = events.length === query.limit;
  // A page that is not full saw every event numbered up to `head`: the next one starts there.
  const next = full ? last : Math.max(last, head);
  return { data: events, next: encodeCursor(scope, next), hasMore: full && last < head };
}

/**
 * Waits until events of the query's stream are numbered (here or on another instance) or
 * `ms` pass, or `signal` aborts: the long-poll of `wait`. Resolves either way; the caller reads again.
 */
export function eventsNumbered(bus: EventBus, query: Pick<EventQuery, 'workspace'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = bus.subscribe((workspaceIds) => {
      if (!query.workspace || workspaceIds.includes(query.workspace.id)) done();
    });
    signal?.addEventListener('abort', done);
    if (signal?.aborted) done();
  });
}
