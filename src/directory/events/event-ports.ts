import type { RecordedEvent, StoredEvent } from './event-model.js';

/** Which numbered events a page reads: one workspace's stream by sequence, or every workspace's by position. */
export interface EventPageQuery {
  /** One workspace's events (by `sequence`); undefined: every workspace's (by `position`). */
  readonly workspaceId?: string;
  /** Only events numbered after this (sequence or position). */
  readonly after: number;
  readonly limit: number;
  /** Only these types; undefined: every type. */
  readonly types?: readonly string[];
}

export interface EventPage {
  readonly events: readonly StoredEvent[];
  /** The highest number the stream had just before the page was read: every event up to it was visible to the page. */
  readonly head: number;
}

export interface EventRepository {
  /**
   * True where `insert` numbers the events it records (the engine runs one write transaction at a
   * time, so numbers follow commit order); false where they wait for the sequencer (`numberPending`).
   */
  readonly numbersOnInsert: boolean;
  /** Records events in the writing transaction: numbered at once where `numbersOnInsert`, else not numbered yet. */
  insert(events: readonly RecordedEvent[]): Promise<void>;
  /** The workspaces with events numbered above `position`, and the highest position (`position` itself if none). */
  numberedAfter(position: number): Promise<{ readonly head: number; readonly workspaceIds: readonly string[] }>;
  /**
   * Takes the sequencer's lock for the transaction: false when another instance holds it
   * (PostgreSQL advisory lock; SQLite's write lock already serialises transactions).
   */
  lockSequencer(): Promise<boolean>;
  /**
   * Numbers up to `limit` recorded events that have no number yet, in the order they were
   * recorded: each workspace's continue its `sequence`, and all continue the instance's
   * `position` (both above what retention deleted). Returns the workspaces numbered.
   */
  numberPending(limit: number): Promise<{ readonly numbered: number; readonly workspaceIds: readonly string[] }>;
  page(query: EventPageQuery): Promise<EventPage>;
  /** The highest number given so far: a workspace's sequence, or (no workspace) the instance's position; 0 if none. */
  head(workspaceId?: string): Promise<number>;
  /** The highest number retention has deleted in a stream (a workspace id, or '*' for positions); 0 if none. */
  watermark(scope: string): Promise<number>;
  /** Deletes up to `limit` numbered events that occurred before `before`, raising the watermarks, with their finished webhook deliveries. */
  prune(before: string, limit: number): Promise<number>;
  /** A numbered event by id, for webhook deliveries. */
  byIds(ids: readonly string[]): Promise<StoredEvent[]>;
}
