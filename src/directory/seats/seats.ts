import { DirectoryError } from '../errors.js';
import type { Workspace } from '../model.js';
import type { Repositories } from '../ports.js';

/**
 * Seats (docs/rules/seats.md): every active user whose role is not the guest role takes one.
 *
 * **The one rule for every write that can make a user take a seat** (activation, leaving the
 * guest role, POST of a new user, POST reviving or matching a user, PUT, the CLI): the write
 * describes each user it changes as a `SeatChange` whose `before` was read **under the user row's
 * lock** (`forUpdate`) in the same transaction, and calls `claimSeats` before it writes.
 * `claimSeats` decides from those states whether the change takes seats, and only then locks the
 * workspace row and counts. A decision from an unlocked read is a race: two requests that each
 * take no seat on their own (activating an inactive guest; moving that guest into a role) can
 * together make an active non-guest user without either one checking (issue 13, defect 2).
 * With the user rows locked, whichever request comes second sees what the first one did.
 *
 * **Lock order (PostgreSQL, READ COMMITTED with `SELECT … FOR UPDATE`).** So that concurrent
 * writes queue instead of deadlocking, they take row locks in this order:
 *
 * 1. every role row of the workspace, in id order, by a Groups request (`PATCH`/`PUT
 *    /Groups/{id}`: `lockAll`), so Groups writes of one workspace queue on them;
 * 2. **user rows, in id order**: one user (`PATCH`/`PUT /Users/{id}`, `DELETE`, the CLI), the
 *    users a POST may match (`byUserNameOrEmail` with `forUpdate`), or the members a Groups
 *    request names (`byIds` with `forUpdate`, sorted, all of a request's ids in one pass);
 * 3. **the workspace row**, only in `claimSeats`, and only when the change takes a seat;
 * 4. the `workspace_counters` row, by the triggers of the user writes that follow;
 * 5. the role rows a Groups request marks modified (`touch`) at its end: already its own (1).
 *
 * A write never locks a user row after it has called `claimSeats`. Writes that take no seat (a
 * name change, moving an active member between roles, deactivating) never lock the workspace
 * row, so they do not queue behind seat checks. Known exceptions, rare and harmless because
 * PostgreSQL detects the deadlock and the store runs the transaction again: the members a Groups
 * `replace` or `removeAll` moves to the default role are locked by that move when the step runs
 * (in a PATCH with several operations, possibly after an earlier one claimed a seat); and
 * `deleteRole` locks the workspace row before a role row. (Groups requests moving users between
 * two roles in opposite directions used to deadlock often enough to fail after the store's
 * retries: test/postgres/multi-instance.test.ts; hence 1.) SQLite runs one transaction at a
 * time, so there the order does not matter.
 */

/** What decides whether a user takes a seat. */
export interface SeatState {
  readonly active: boolean;
  /** The user's role is the guest role. */
  readonly guest: boolean;
}

/** One user changed by a write: as read under its row lock (none for a new user), and as written. */
export interface SeatChange {
  readonly before: SeatState | undefined;
  readonly after: SeatState;
}

export const takesSeat = (state: SeatState | undefined): boolean => state?.active === true && !state.guest;

/** How many seats the changes take that their users did not hold before. */
export const seatsTaken = (changes: readonly SeatChange[]): number =>
  changes.filter((c) => takesSeat(c.after) && !takesSeat(c.before)).length;

/**
 * Checks that the seats the changes newly take are free, before the write; refuses with
 * `seatLimit` (409) otherwise, and the transaction then writes nothing. When no change takes a
 * seat it reads and locks nothing. Otherwise it locks the workspace row (PostgreSQL), so
 * concurrent claims queue, then reads the seats in use. Call it after the changed users' rows are
 * locked and before writing them (see the lock order above).
 */
export async function claimSeats(repos: Repositories, workspace: Workspace, changes: readonly SeatChange[], who: string): Promise<void> {
  const count = seatsTaken(changes);
  if (count === 0) return;
  // Without a counter row (none is missing after migration 005), the seats in use are counted.
  const { seats, used } = (await repos.workspaces.seatUsage(workspace.id)) ?? {
    seats: workspace.seats,
    used: await repos.users.countSeatsUsed(workspace.id),
  };
  if (used + count > seats) {
    throw new DirectoryError(
      'seatLimit',
      `no free seat: ${used} of ${seats} user licenses of workspace '${workspace.slug}' are in use, so ${who} cannot be activated`,
    );
  }
}
