import { isPlausibleId } from '../ids.js';
import type { ProvisioningLogEntry, Workspace } from '../model.js';
import type { DirectoryStore, LogQuery } from '../ports.js';
import { findUser } from '../users/app-users.js';
import { existingUserIds } from '../users/user-directory.js';

/** A workspace's provisioning log, newest first (the CLI's `roster log`). */
export async function readLog(store: DirectoryStore, workspace: Workspace, query: LogQuery): Promise<ProvisioningLogEntry[]> {
  return store.read.provisioningLog.list(workspace.id, query);
}

/** The console's log filters, as typed by an admin. */
export interface LogSearch {
  /** `ok`, `failed`, or a three-digit status; anything else shows every entry. */
  readonly status: string;
  /** A user id, a user name or an account email. */
  readonly user: string;
  readonly trace: string;
  readonly limit: number;
}

export interface LogSearchResult {
  readonly entries: readonly ProvisioningLogEntry[];
  /** The entries' resource ids that are users of the workspace (only those are linked). */
  readonly userIds: ReadonlySet<string>;
  /** Set when `user` named no user: the entries are those whose resource id is exactly that text. */
  readonly unknownUser: boolean;
}

/** The console's provisioning-log search: an admin may paste an id, a user name or an email. */
export async function searchLog(store: DirectoryStore, workspace: Workspace, search: LogSearch): Promise<LogSearchResult> {
  let query: LogQuery = { limit: search.limit };
  if (search.status === 'ok' || search.status === 'failed') query = { ...query, failed: search.status === 'failed' };
  else if (/^\d{3}$/.test(search.status)) query = { ...query, status: Number(search.status) };
  if (search.trace) query = { ...query, traceId: search.trace };
  let unknownUser = false;
  if (search.user) {
    const byId = isPlausibleId(search.user) ? await store.read.users.byId(workspace.id, search.user) : undefined;
    const user = byId ?? (await findUser(store.read, workspace.id, search.user));
    query = { ...query, resourceId: user?.id ?? search.user };
    unknownUser = user === undefined;
  }
  const entries = await store.read.provisioningLog.list(workspace.id, query);
  const userIds = await existingUserIds(
    store,
    workspace,
    entries.flatMap((entry) => (entry.resourceId ? [entry.resourceId] : [])),
  );
  return { entries, userIds, unknownUser };
}
