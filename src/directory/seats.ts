import { ScimError } from '../scim/errors.js';
import type { Workspace } from './model.js';
import type { Repositories } from './ports.js';

/**
 * Checks that `count` more seats are free. Every active non-guest user takes one seat. The
 * workspace row is locked first (PostgreSQL) so concurrent activations cannot both take the last
 * seat; SQLite's single writer gives the same guarantee.
 */
export async function claimSeat(repos: Repositories, workspace: Workspace, count: number, who: string): Promise<void> {
  // Without a counter row (none is missing after migration 005), the seats in use are counted.
  const { seats, used } = (await repos.workspaces.seatUsage(workspace.id)) ?? {
    seats: workspace.seats,
    used: await repos.users.countSeatsUsed(workspace.id),
  };
  if (used + count > seats) {
    throw new ScimError(
      'seatLimit',
      `no free seat: ${used} of ${seats} user licenses of workspace '${workspace.slug}' are in use, so ${who} cannot be activated`,
    );
  }
}
