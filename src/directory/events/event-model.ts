/**
 * Directory events (docs/events.md): facts about committed changes, recorded in the transaction
 * that makes the change, numbered in commit order, and handed to the app through the events API
 * and signed webhooks.
 */

/** Who made a change: the identity provider over SCIM, an admin in the console, the CLI, or Roster itself. */
export type Actor =
  | { readonly type: 'scim'; readonly provider: string }
  | { readonly type: 'console'; readonly email: string }
  | { readonly type: 'cli'; readonly user?: string }
  | { readonly type: 'system' };

export const SYSTEM: Actor = Object.freeze({ type: 'system' });

/** How the audit log names an actor (`console:<email>`, `cli:<os user>`, `system`). */
export function actorLabel(actor: Actor): string {
  switch (actor.type) {
    case 'scim':
      return `scim:${actor.provider}`;
    case 'console':
      return `console:${actor.email}`;
    case 'cli':
      return actor.user ? `cli:${actor.user}` : 'cli';
    case 'system':
      return 'system';
    default: {
      const impossible: never = actor;
      throw new TypeError(`unknown actor ${JSON.stringify(impossible)}`);
    }
  }
}

export const EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.removed',
  'user.role_changed',
  'user.teams_changed',
  'role.created',
  'role.renamed',
  'role.deleted',
  'team.created',
  'team.renamed',
  'team.deleted',
  'integration.enabled',
  'integration.token_regenerated',
  'integration.disabled',
  'provisioning.refused',
  'webhook.test',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** A role or team as events and the API show it. */
export interface NamedRef {
  readonly id: string;
  readonly name: string;
}

/**
 * The app user: the stable camelCase form of a user that events and the application API carry
 * (not SCIM). Absent optional values are null, so every key is always there.
 */
export interface AppUser {
  readonly id: string;
  readonly workspace: string;
  readonly userName: string;
  readonly email: string;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly displayName: string;
  readonly active: boolean;
  readonly role: NamedRef | null;
  readonly teams: readonly NamedRef[];
  readonly language: string | null;
  readonly timezone: string | null;
  readonly title: string | null;
  readonly department: string | null;
  readonly externalId: string | null;
  readonly managedBy: 'scim' | 'app';
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A change of one app-user field in `user.updated`. */
export interface FieldChange {
  readonly from: unknown;
  readonly to: unknown;
}

/** An event a write records: its type and data; the recorder adds id, time, actor and trace id. */
export interface EventDraft {
  readonly type: EventType;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Who and what a write runs for: the actor and trace id its events carry. */
export interface EventContext {
  readonly actor: Actor;
  /** The request's trace id (X-Trace-Id), or null outside a request. */
  readonly traceId: string | null;
}

/** A write by Roster itself (the demo, tests), outside any request. */
export const BY_SYSTEM: EventContext = Object.freeze({ actor: SYSTEM, traceId: null });

/** An event as stored by the transaction that records it, before it is numbered. */
export interface RecordedEvent {
  readonly id: string;
  readonly workspaceId: string;
  readonly type: EventType;
  readonly occurredAt: string;
  /** JSON text of the actor. */
  readonly actor: string;
  readonly traceId: string | null;
  /** JSON text of the data. */
  readonly data: string;
}

/** A numbered event as the events API and webhooks serve it (data and actor still JSON text). */
export interface StoredEvent extends RecordedEvent {
  readonly workspace: string;
  readonly sequence: number;
  readonly position: number;
}

/**
 * The JSON text of an event as the events API and webhooks send it (docs/events.md). Built
 * around the stored JSON of `actor` and `data`, which are never parsed again on the way out.
 */
export function eventJson(event: StoredEvent): string {
  return (
    `{"id":${JSON.stringify(event.id)},"type":${JSON.stringify(event.type)},"workspace":${JSON.stringify(event.workspace)},` +
    `"sequence":${event.sequence},"occurredAt":${JSON.stringify(event.occurredAt)},"actor":${event.actor},` +
    `"traceId":${JSON.stringify(event.traceId)},"data":${event.data}}`
  );
}
