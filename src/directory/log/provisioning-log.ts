import { newId } from '../ids.js';
import type { ProvisioningLogEntry } from '../model.js';
import type { DirectoryStore } from '../ports.js';
import { recordableEntry } from './log-redaction.js';

export interface LogRetention {
  /** Entries older than this are pruned. */
  readonly maxAgeDays: number;
  /** At most this many entries are kept per workspace. */
  readonly maxEntriesPerWorkspace: number;
}

export type LogInput = Omit<ProvisioningLogEntry, 'id'>;

/** A write or a pruning of the log that failed, for the service log: never silent. */
export interface LogFailure {
  readonly operation: 'write' | 'prune';
  /** Entries of the flush that could not be written, even alone, and are lost (0 for a prune). */
  readonly lost: number;
  /** Entries of the same flush that were written all the same. */
  readonly written: number;
  /** The workspaces whose entries were lost. */
  readonly lostWorkspaceIds: readonly string[];
  /** Transactions tried, the first included. */
  readonly attempts: number;
  /** The first error met. */
  readonly error: unknown;
}

export interface ProvisioningLogOptions {
  /** Told of every failed write or pruning; the HTTP adapter sends it to the service log. */
  readonly onError: (failure: LogFailure) => void;
  /** Entries wait at most this long before they are written (default 100 ms). */
  readonly flushMs?: number;
  /** A write starts as soon as this many entries wait (default 500). */
  readonly maxBuffer?: number;
}

/**
 * Insert transactions a flush may try when its batch fails and is split to find the entries the
 * database refuses. Halving finds k bad entries among n in about 2·k·log2(n) tries.
 */
const MAX_WRITE_ATTEMPTS = 64;
/** Failed tries, with nothing written yet, after which the database is taken to be down, not one entry bad. */
const MAX_FAILURES_BEFORE_ANY_WRITE = 8;

/**
 * Records SCIM requests per workspace. Entries are buffered and written in one transaction
 * every `flushMs` (or when the buffer fills) so logging adds no commit to each request; a crash
 * can lose the last fraction of a second of entries, never a directory write.
 *
 * What a client sent is cleaned, redacted and bounded before it is buffered (`log-redaction.ts`),
 * so no request can make the write fail or leak a secret. Should a write fail all the same, the
 * batch is split in halves and retried, so only the entries the database refuses are lost, and
 * the loss is reported to `onError` with its count.
 */
export class ProvisioningLog {
  private buffer: ProvisioningLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly touched = new Set<string>();
  private lastPrune = 0;
  private readonly flushMs: number;
  private readonly maxBuffer: number;

  constructor(
    private readonly store: DirectoryStore,
    private readonly retention: LogRetention,
    private readonly options: ProvisioningLogOptions,
  ) {
    this.flushMs = options.flushMs ?? 100;
    this.maxBuffer = options.maxBuffer ?? 500;
  }

  record(input: LogInput): void {
    const entry = recordableEntry(input);
    this.buffer.push({ ...entry, id: newId(Date.parse(entry.time)) });
    this.touched.add(entry.workspaceId);
    if (this.buffer.length >= this.maxBuffer) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes buffered entries; resolves when they are durable, or reported lost. Never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    // Writes run one after the other; a failure is reported and the chain goes on.
    this.flushing = this.flushing
      .catch(() => undefined)
      .then(async () => {
        if (batch.length > 0) await this.write(batch);
        if (Date.now() - this.lastPrune > 60_000) {
          try {
            await this.prune();
          } catch (error) {
            this.report({ operation: 'prune', lost: 0, written: 0, lostWorkspaceIds: [], attempts: 1, error });
          }
        }
      });
    return this.flushing;
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

  /**
   * Writes a batch in one transaction. When that fails, the batch (ordered by workspace, so each
   * half holds as few workspaces as it can) is split in halves, each written in its own
   * transaction, and so on down to single entries: an entry the database refuses loses itself
   * only. The tries are bounded, and stop early when nothing at all can be written.
   */
  private async write(batch: readonly ProvisioningLogEntry[]): Promise<void> {
    const pending: ProvisioningLogEntry[][] = [
      [...batch].sort((a, b) => (a.workspaceId < b.workspaceId ? -1 : a.workspaceId > b.workspaceId ? 1 : 0)),
    ];
    const lost: ProvisioningLogEntry[] = [];
    let written = 0;
    let attempts = 0;
    let failures = 0;
    let firstError: unknown;
    for (let part = pending.shift(); part; part = pending.shift()) {
      const givingUp = attempts >= MAX_WRITE_ATTEMPTS || (written === 0 && failures >= MAX_FAILURES_BEFORE_ANY_WRITE);
      if (givingUp) {
        lost.push(...part);
        continue;
      }
      attempts++;
      try {
        const entries = part;
        await this.store.transaction((repos) => repos.provisioningLog.insert(entries));
        written += part.length;
      } catch (error) {
        failures++;
        firstError ??= error;
        if (part.length === 1) lost.push(...part);
        else pending.push(part.slice(0, Math.ceil(part.length / 2)), part.slice(Math.ceil(part.length / 2)));
      }
    }
    if (failures > 0) {
      const lostWorkspaceIds = [...new Set(lost.map((e) => e.workspaceId))];
      this.report({ operation: 'write', lost: lost.length, written, lostWorkspaceIds, attempts, error: firstError });
    }
  }

  private report(failure: LogFailure): void {
    try {
      this.options.onError(failure);
    } catch {
      // A failing reporter must not stop the log.
    }
  }
}
