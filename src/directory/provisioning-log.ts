import { newId } from './ids.js';
import type { ProvisioningLogEntry } from './model.js';
import type { DirectoryStore, LogQuery } from './ports.js';

export interface LogRetention {
  /** Entries older than this are pruned. */
  readonly maxAgeDays: number;
  /** At most this many entries are kept per workspace. */
  readonly maxEntriesPerWorkspace: number;
}

export type LogInput = Omit<ProvisioningLogEntry, 'id'>;

/**
 * Records SCIM requests per workspace. Entries are buffered and written in one transaction
 * every `flushMs` (or when the buffer fills) so logging adds no commit to each request; a crash
 * can lose the last fraction of a second of entries, never a directory write.
 */
export class ProvisioningLog {
  private buffer: ProvisioningLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly touched = new Set<string>();
  private lastPrune = 0;

  constructor(
    private readonly store: DirectoryStore,
    private readonly retention: LogRetention,
    private readonly flushMs = 100,
    private readonly maxBuffer = 500,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  record(input: LogInput): void {
    this.buffer.push({ ...input, id: newId(Date.parse(input.time)) });
    this.touched.add(input.workspaceId);
    if (this.buffer.length >= this.maxBuffer) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes buffered entries; resolves when they are durable. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    // A failed write loses that batch only; the chain goes on for the next one.
    this.flushing = this.flushing
      .catch(() => undefined)
      .then(async () => {
        if (batch.length > 0) await this.store.transaction((repos) => repos.provisioningLog.insert(batch));
        if (Date.now() - this.lastPrune > 60_000) await this.prune();
      });
    return this.flushing.catch((error: unknown) => this.onError(error));
  }

  /** Applies the retention limits to the workspaces written since the last prune. */
  async prune(): Promise<void> {
    this.lastPrune = Date.now();
    const cutoff = newId(Date.now() - this.retention.maxAgeDays * 86_400_000).slice(0, 13);
    const workspaces = [...this.touched];
    this.touched.clear();
    for (const workspaceId of workspaces) {
      await this.store.transaction((repos) => repos.provisioningLog.prune(workspaceId, cutoff, this.retention.maxEntriesPerWorkspace));
    }
  }
}

export async function readLog(store: DirectoryStore, workspaceId: string, query: LogQuery): Promise<ProvisioningLogEntry[]> {
  return store.read.provisioningLog.list(workspaceId, query);
}
