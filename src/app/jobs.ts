import type { Config } from '../config/config.js';
import type { Directory } from '../directory/directory.js';
import { OutboxDispatcher } from '../directory/outbox/outbox.js';
import type { DirectoryStore } from '../directory/ports.js';
import { smtpMailer } from '../mail/smtp-mailer.js';

/** A background job of `roster serve`: started after the HTTP server listens, stopped before it closes. */
export interface Job {
  readonly name: string;
  start(): void;
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

const SIGN_IN_PRUNE_MS = 60 * 60 * 1000;

/** Every background job the configuration asks for, in start order. */
export function backgroundJobs(store: DirectoryStore, directory: Directory, config: Config): Job[] {
  const jobs: Job[] = [every('sign-in pruning', SIGN_IN_PRUNE_MS, () => directory.signIn.prune())];
  // Without SMTP, notices stay queued in the outbox until an instance with SMTP delivers them.
  if (config.smtpUrl) {
    const dispatcher = new OutboxDispatcher(store, smtpMailer(config.smtpUrl, config.mailFrom), new URL(config.publicUrl).hostname);
    jobs.push({ name: 'outbox delivery', start: () => dispatcher.start(), stop: () => dispatcher.stop() });
  }
  return jobs;
}

/** A job that runs `round` every `intervalMs`, one round at a time; a failed round is retried at the next tick. */
function every(name: string, intervalMs: number, round: () => Promise<void>): Job {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  return {
    name,
    start() {
      timer = setInterval(() => {
        running = running.then(round).catch(() => undefined);
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
