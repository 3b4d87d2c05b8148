import { newId, nowIso } from '../ids.js';
import type { OutboxMessage, User, Workspace } from '../model.js';
import type { DirectoryStore, Repositories } from '../ports.js';

/** The port for delivering mail; the SMTP adapter lives in src/mail/. */
export interface Mailer {
  send(message: { to: string; subject: string; text: string; messageId: string }): Promise<void>;
}

/**
 * Queues the reactivation notice (a reactivated user is told by e-mail: docs/rules/deactivation.md). Called
 * inside the transaction that reactivates, so the notice exists exactly when the change does.
 */
export async function queueReactivationNotice(repos: Repositories, workspace: Workspace, user: User): Promise<void> {
  const now = nowIso();
  const name = [user.givenName, user.familyName].filter(Boolean).join(' ') || user.userName;
  await repos.outbox.insert({
    workspaceId: workspace.id,
    id: newId(),
    kind: 'reactivation',
    recipient: user.email,
    subject: `Your ${workspace.name} account is active again`,
    body: `Hello ${name},\n\nyour account in the workspace "${workspace.name}" has been reactivated. Sign in with your company's single sign-on.\n`,
    createdAt: now,
    attempts: 0,
    nextAttemptAt: now,
    sentAt: null,
    lastError: null,
  });
}

/** Retry delays grow 30 s, 1 min, 2 min … up to one hour; messages are never dropped. */
export function nextAttemptDelayMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.min(attempts, 10));
}

/**
 * Delivers due messages. Each is claimed first, so two instances never send the same one at
 * once; the outbox id is the Message-ID, so a resend after a crash can be recognised downstream.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: DirectoryStore,
    private readonly mailer: Mailer,
    private readonly messageIdDomain: string,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running
        .then(async () => {
          await this.deliverDue();
        })
        .catch(() => undefined);
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One delivery round; returns how many messages were sent. */
  async deliverDue(now = new Date()): Promise<number> {
    const claimUntil = new Date(now.getTime() + 60_000).toISOString();
    const due = await this.store.transaction((repos) => repos.outbox.claimDue(now.toISOString(), claimUntil, 20));
    let sent = 0;
    for (const message of due) {
      try {
        await this.mailer.send({
          to: message.recipient,
          subject: message.subject,
          text: message.body,
          messageId: `<${message.id}@${this.messageIdDomain}>`,
        });
        await this.store.transaction((repos) => repos.outbox.markSent(message.workspaceId, message.id, nowIso()));
        sent++;
      } catch (error) {
        const next = new Date(Date.now() + nextAttemptDelayMs(message.attempts)).toISOString();
        await this.store.transaction((repos) => repos.outbox.markFailed(message.workspaceId, message.id, (error as Error).message, next));
      }
    }
    return sent;
  }
}

export async function listOutbox(store: DirectoryStore, workspace: Workspace, limit = 100): Promise<OutboxMessage[]> {
  return store.read.outbox.list(workspace.id, limit);
}
