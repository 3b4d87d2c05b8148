import type { EventBus } from './event-sequencer.js';

/**
 * The event bus of one process: enough for SQLite, whose one writer is this process. With
 * PostgreSQL the storage adapter's bus also reaches the other instances (LISTEN/NOTIFY).
 */
export class LocalEventBus implements EventBus {
  private readonly listeners = new Set<(workspaceIds: readonly string[]) => void>();

  async publish(workspaceIds: readonly string[]): Promise<void> {
    this.deliver(workspaceIds);
  }

  /** Calls every listener; one that throws does not keep the others from hearing. */
  deliver(workspaceIds: readonly string[]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(workspaceIds);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  subscribe(listener: (workspaceIds: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
