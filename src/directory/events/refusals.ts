import type { DirectoryError, DirectoryErrorCode } from '../errors.js';
import { redactUrl } from '../log/log-redaction.js';
import type { Workspace } from '../model.js';
import type { DirectoryStore } from '../ports.js';
import type { EventContext } from './event-model.js';
import { recordEvents } from './event-recording.js';

/**
 * The refusals an app is told about with `provisioning.refused` (docs/events.md), and the code
 * the event carries: what an admin can act on (buy seats, resolve a duplicate), not malformed input.
 */
const REFUSAL_CODES: Partial<Record<DirectoryErrorCode, string>> = {
  seatLimit: 'seat_limit',
  userNameTaken: 'user_name_taken',
  userExists: 'user_exists',
};

/**
 * Records `provisioning.refused` for a SCIM request the directory refused, in a transaction of
 * its own: the request's transaction rolled back and recorded nothing. Other errors record nothing.
 */
export async function recordRefusal(
  store: DirectoryStore,
  workspace: Workspace,
  events: EventContext,
  request: { readonly method: string; readonly path: string } | undefined,
  error: DirectoryError,
): Promise<void> {
  const code = REFUSAL_CODES[error.code];
  if (!code || !request) return;
  const data = {
    code,
    message: error.message,
    method: request.method,
    path: redactUrl(request.path).slice(0, 2000),
    traceId: events.traceId,
  };
  await store.transaction((repos) => recordEvents(repos, workspace.id, events, [{ type: 'provisioning.refused', data }]));
}
