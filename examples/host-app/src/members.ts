import type { AppUser, Ref, RosterEvent } from './roster-client.js';

/**
 * The app's own table of a workspace's members, keyed by Roster's user id. Here it is a Map in
 * memory; a real app keeps it in its database, with the events cursor in the same transaction
 * as the rows it applied, so a restart continues exactly where it stopped.
 *
 * A row is the whole app user, so the table can be compared with Roster's users list. Users the
 * identity provider removed (SCIM DELETE) stay as inactive rows, because that is what the users
 * list shows: they are still in the directory, and a later POST with the same userName brings
 * the same user (same id) back.
 */
export class MembersTable {
  private readonly rows = new Map<string, AppUser>();

  /** Replaces the whole table with a fresh copy of the users list. */
  replaceAll(users: readonly AppUser[]): void {
    this.rows.clear();
    for (const user of users) this.rows.set(user.id, user);
  }

  upsert(user: AppUser): void {
    this.rows.set(user.id, user);
  }

  get(id: string): AppUser | undefined {
    return this.rows.get(id);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Every row, in id order (the order of Roster's users list). */
  all(): AppUser[] {
    return [...this.rows.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** A renamed role or team changes no user, only its name: every row that holds it follows. */
  rename(kind: 'role' | 'team', renamed: Ref): void {
    const named = (ref: Ref): Ref => (ref.id === renamed.id ? { id: ref.id, name: renamed.name } : ref);
    for (const [id, user] of this.rows) {
      const role = kind === 'role' && user.role ? named(user.role) : user.role;
      const teams = kind === 'team' ? user.teams.map(named) : user.teams;
      if (role !== user.role || teams.some((team, i) => team !== user.teams[i])) this.rows.set(id, { ...user, role, teams });
    }
  }
}

/**
 * Applies one event to the table; events must come in `sequence` order. Every user event carries
 * the whole user after the change, so applying it is an upsert, and applying an event twice, or
 * one older than a row read from the users list, is corrected by the events that follow it.
 * Returns whether the event concerned the table.
 */
export function applyEvent(table: MembersTable, event: RosterEvent): boolean {
  switch (event.type) {
    case 'user.created':
    case 'user.updated':
    case 'user.role_changed':
    case 'user.teams_changed':
    case 'user.deactivated':
    case 'user.reactivated':
    case 'user.removed': // inactive, as the users list shows removed users
      table.upsert(event.data.user as AppUser);
      return true;
    case 'role.renamed':
      table.rename('role', event.data.role as Ref);
      return true;
    case 'team.renamed':
      table.rename('team', event.data.team as Ref);
      return true;
    default:
      // role.created, team.created: no member holds them yet; role.deleted, team.deleted: Roster
      // refuses to delete a role or team that still has members. Other types do not concern the table.
      return false;
  }
}

/** The event types the table needs, for the events API's `types` and a webhook's `--events`. */
export const MEMBER_EVENT_TYPES = 'user.*,role.renamed,team.renamed';
