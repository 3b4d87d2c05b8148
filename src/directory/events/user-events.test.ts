import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileChanges } from './app-user.js';
import type { AppUser, NamedRef } from './event-model.js';
import { userChangeEvents } from './user-events.js';

/**
 * The events of one change to a user (docs/events.md): none for an unchanged user; the changed
 * profile fields, exactly, in `user.updated`; role, teams and active each their own event; and
 * always in the documented order.
 */

const PROFILE = [
  'userName',
  'email',
  'givenName',
  'familyName',
  'displayName',
  'language',
  'timezone',
  'title',
  'department',
  'externalId',
  'managedBy',
] as const;
const ORDER: readonly string[] = ['user.updated', 'user.role_changed', 'user.teams_changed', 'user.deactivated', 'user.reactivated'];

const text = fc.string({ maxLength: 8 });
const maybe = fc.option(text, { nil: null });
/** Few ids and names, so that before and after often share them. */
const ref: fc.Arbitrary<NamedRef> = fc.record({ id: fc.constantFrom('r1', 'r2', 'r3', 'r4'), name: fc.constantFrom('A', 'B') });
const teams = fc.uniqueArray(ref, { selector: (t) => t.id, maxLength: 4 });

const appUser: fc.Arbitrary<AppUser> = fc.record({
  id: fc.constant('u1'),
  workspace: fc.constant('acme'),
  userName: text,
  email: text,
  givenName: maybe,
  familyName: maybe,
  displayName: text,
  active: fc.boolean(),
  role: fc.option(ref, { nil: null }),
  teams,
  language: maybe,
  timezone: maybe,
  title: maybe,
  department: maybe,
  externalId: maybe,
  managedBy: fc.constantFrom('scim' as const, 'app' as const),
  createdAt: fc.constant('2026-01-01T00:00:00.000Z'),
  updatedAt: fc.constant('2026-01-01T00:00:00.000Z'),
});

/** A user and a changed copy: some fields replaced by fresh values (which may equal the old ones), updatedAt moved. */
const change = fc.tuple(appUser, appUser, fc.subarray([...PROFILE, 'role', 'teams', 'active'] as const)).map(([before, fresh, fields]) => {
  const after: Record<string, unknown> = { ...before, updatedAt: '2026-01-02T00:00:00.000Z' };
  for (const field of fields) after[field] = fresh[field];
  return { before, after: after as unknown as AppUser };
});

const ids = (refs: readonly NamedRef[]) => refs.map((r) => r.id);
const visiblyChanged = (before: AppUser, after: AppUser) =>
  PROFILE.some((f) => before[f] !== after[f]) ||
  before.role?.id !== after.role?.id ||
  before.active !== after.active ||
  ids(before.teams).sort().join() !== ids(after.teams).sort().join();

describe('userChangeEvents', () => {
  it('records user.created, with the user, for a new user', () => {
    fc.assert(
      fc.property(appUser, (user) => {
        expect(userChangeEvents(undefined, user)).toEqual([{ type: 'user.created', data: { user } }]);
      }),
    );
  });

  it('records nothing for a user written back unchanged', () => {
    fc.assert(
      fc.property(appUser, (user) => {
        expect(userChangeEvents(user, structuredClone(user))).toEqual([]);
        expect(profileChanges(user, { ...user })).toEqual({});
      }),
    );
  });

  it('reports exactly the changed profile fields, one event per kind of change, in the documented order', () => {
    fc.assert(
      fc.property(
        change.filter(({ before, after }) => visiblyChanged(before, after)),
        ({ before, after }) => {
          const events = userChangeEvents(before, after);
          const types: string[] = events.map((e) => e.type);
          // The documented order, each type at most once.
          expect(types).toEqual(ORDER.filter((t) => types.includes(t)));
          for (const event of events) expect(event.data.user).toBe(after);

          const changed = PROFILE.filter((f) => before[f] !== after[f]);
          const updated = events.find((e) => e.type === 'user.updated');
          if (changed.length > 0) {
            expect(updated?.data.changes).toEqual(Object.fromEntries(changed.map((f) => [f, { from: before[f], to: after[f] }])));
          } else if (updated) {
            expect(updated.data.changes).toEqual({});
          }

          const role = events.find((e) => e.type === 'user.role_changed');
          if (before.role?.id === after.role?.id) expect(role).toBeUndefined();
          else expect(role?.data).toEqual({ user: after, from: before.role, to: after.role });

          const team = events.find((e) => e.type === 'user.teams_changed');
          const added = after.teams.filter((t) => !ids(before.teams).includes(t.id));
          const removed = before.teams.filter((t) => !ids(after.teams).includes(t.id));
          if (added.length + removed.length === 0) expect(team).toBeUndefined();
          else expect(team?.data).toEqual({ user: after, added, removed });

          const active = types.filter((t) => t === 'user.deactivated' || t === 'user.reactivated');
          expect(active).toEqual(before.active === after.active ? [] : [after.active ? 'user.reactivated' : 'user.deactivated']);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ignores the order of teams and a renamed reference: membership is by id', () => {
    const before = fc.sample(appUser, { numRuns: 1, seed: 7 })[0] as AppUser;
    const withTeams = {
      ...before,
      teams: [
        { id: 'r1', name: 'A' },
        { id: 'r2', name: 'B' },
      ],
    };
    const reordered = {
      ...withTeams,
      teams: [
        { id: 'r2', name: 'B' },
        { id: 'r1', name: 'renamed' },
      ],
    };
    expect(userChangeEvents(withTeams, reordered).filter((e) => e.type === 'user.teams_changed')).toEqual([]);
    const roleRenamed = { ...withTeams, role: { id: 'r3', name: 'A' } };
    expect(userChangeEvents(roleRenamed, { ...roleRenamed, role: { id: 'r3', name: 'B' } })).toEqual([]);
  });
});
