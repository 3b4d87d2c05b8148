import { profileChanges } from './app-user.js';
import type { AppUser, EventDraft, NamedRef } from './event-model.js';

/**
 * The events of one change to a user, from the app user before (undefined: the user is new) and
 * after, in a fixed order: created, or updated (changed profile fields only), role changed,
 * teams changed, then deactivated or reactivated. A write that changes only what the app user
 * does not show records `user.updated` with no changes; one that changes nothing Roster shows (a
 * PUT that repeats the current values, which keeps updatedAt: scim-users.ts) records nothing.
 */
export function userChangeEvents(before: AppUser | undefined, after: AppUser): EventDraft[] {
  if (!before) return [{ type: 'user.created', data: { user: after } }];
  const events: EventDraft[] = [];
  const changes = profileChanges(before, after);
  if (Object.keys(changes).length > 0) events.push({ type: 'user.updated', data: { user: after, changes } });
  if (before.role?.id !== after.role?.id) {
    events.push({ type: 'user.role_changed', data: { user: after, from: before.role, to: after.role } });
  }
  const teams = teamChanges(before.teams, after.teams);
  if (teams.added.length > 0 || teams.removed.length > 0) events.push({ type: 'user.teams_changed', data: { user: after, ...teams } });
  if (before.active !== after.active) events.push({ type: after.active ? 'user.reactivated' : 'user.deactivated', data: { user: after } });
  // A change only to what the app user does not show (a work email beside the account email, phone
  // numbers, employeeNumber …) still moved updatedAt: user.updated with no changed field carries
  // it, so an app's copy stays equal to the users list.
  if (events.length === 0 && before.updatedAt !== after.updatedAt)
    events.push({ type: 'user.updated', data: { user: after, changes: {} } });
  return events;
}

function teamChanges(before: readonly NamedRef[], after: readonly NamedRef[]): { added: NamedRef[]; removed: NamedRef[] } {
  const had = new Set(before.map((t) => t.id));
  const has = new Set(after.map((t) => t.id));
  return { added: after.filter((t) => !had.has(t.id)), removed: before.filter((t) => !has.has(t.id)) };
}
