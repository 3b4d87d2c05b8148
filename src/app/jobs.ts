import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Directory } from '../directory/directory.js';
import { type EventBus, numberEvents, pruneEvents, type SequencerState } from '../directory/events/event-sequencer.js';
import { OutboxDispatcher } from '../directory/outbox/outbox.js';
import type { DirectoryStore } from '../directory/ports.js';
import { dispatchWebhooks } from '../directory/webhooks/webhook-dispatcher.js';
import type { WebhookSender } from '../directory/webhooks/webhook-sender.js';
import { smtpMailer } from '../mail/smtp-mailer.js';

/** A background job: started when the HTTP app is ready, stopped (in reverse order) when it closes. */
export interface Job {
  readonly name: string;
  start(): void;
  /** Stops the timer and waits for a round in progress. */
  stop(): Promise<void>;
}

/** A job that runs a round soon after `poke()` and at least every `intervalMs`, one round at a time. */
export interface PokableJob extends Job {
  poke(): void;
}

const SIGN_IN_PRUNE_MS = 60 * 60 * 1000;
const EVENT_PRUNE_MS = 60 * 60 * 1000;
/** The sequencer also polls: events another process recorded (the CLI, an instance that died) get numbered. */
const SEQUENCER_POLL_MS = 250;
const WEBHOOK_POLL_MS = 500;
/**
 * Rounds of the sequencer and the dispatcher start at least this far apart: each is a transaction
 * (on PostgreSQL the sequencer's is a write), and one per write would double the commits of a
 * busy instance (measured: PATCH throughput 0.44× without it). An event becomes readable (on
 * PostgreSQL) or is announced (on SQLite, where writes number their own) at most this much later.
 */
const ROUND_GAP_MS = 20;

export interface JobParts {
  readonly store: DirectoryStore;
  readonly directory: Directory;
  readonly config: Config;
  readonly bus: EventBus;
  readonly sender: WebhookSender;
  readonly logger: Logger;
}

/** The jobs of a running Roster, in start order. */
export interface Jobs {
  readonly all: readonly Job[];
  /** Numbers recorded events (or, on SQLite, announces those the writes numbered): poked after every write transaction. */
  readonly sequencer: PokableJob;
}

export function backgroundJobs({ store, directory, config, bus, sender, logger }: JobParts): Jobs {
  const failed = (name: string) => (error: unknown) => logger.error({ err: error, job: name }, `${name} failed`);
  const sequencing: SequencerState = {};
  const sequencer = pokable(
    'event numbering',
    SEQUENCER_POLL_MS,
    () => numberEvents(store, bus, sequencing),
    failed('event numbering'),
    ROUND_GAP_MS,
  );
  const webhooks = pokable(
    'webhook delivery',
    WEBHOOK_POLL_MS,
    // Deliveries of one stream go one after another: a round that sent something runs again at
    // once (the next event of each stream is due now), until nothing is due.
    async (stopping) => {
      for (let round = 0; round < 1000 && !stopping.aborted; round++) {
        if ((await dispatchWebhooks(store, sender, { retryScale: config.webhooks.retryScale, stopping })) === 0) return;
      }
    },
    failed('webhook delivery'),
    ROUND_GAP_MS,
  );
  const all: Job[] = [
    sequencer,
    webhooks,
    pokable('event retention', EVENT_PRUNE_MS, () => pruneEvents(store, config.events.retentionDays), failed('event retention')),
    pokable('sign-in pruning', SIGN_IN_PRUNE_MS, () => directory.signIn.prune(), failed('sign-in pruning')),
  ];
  // Numbered events wake the dispatcher at once, here or on another instance.
  let unsubscribe: (() => void) | undefined;
  all.push({
    name: 'webhook wake-up',
    start: () => {
      unsubscribe = bus.subscribe(() => webhooks.poke());
    },
    stop: async () => unsubscribe?.(),
  });
  // Without SMTP, notices stay queued in the outbox until an instance with SMTP delivers them.
  if (config.smtpUrl) {
    const dispatcher = new OutboxDispatcher(store, smtpMailer(config.smtpUrl, config.mailFrom), new URL(config.publicUrl).hostname);
    all.push({ name: 'outbox delivery', start: () => dispatcher.start(), stop: () => dispatcher.stop() });
  }
  return { all, sequencer };
}

/**
 * A job that runs `round` soon after each `poke()` (coalesced: one round runs at a time, and
 * pokes during it ask for one more) and at least every `intervalMs`. Rounds start at least
 * `minGapMs` apart, so a job poked by every write runs one round for many writes under load,
 * not one commit of its own per write. A failed round is reported and retried at the next tick.
 * `stop()` aborts the signal a round gets, and waits for the round.
 */
export function pokable(
  name: string,
  intervalMs: number,
  round: (stopping: AbortSignal) => Promise<unknown>,
  onError: (error: unknown) => void,
  minGapMs = 0,
): PokableJob {
  // Aborted by stop(): a round that loops (webhook delivery) ends at its next step instead of
  // holding up the shutdown.
  let stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let delayed: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let lastStart = Number.NEGATIVE_INFINITY;
  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    const wait = lastStart + minGapMs - performance.now();
    if (wait > 0) {
      delayed ??= setTimeout(() => {
        delayed = undefined;
        run();
      }, wait);
      return;
    }
    lastStart = performance.now();
    running = round(stopping.signal)
      .then(() => undefined, onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          setImmediate(run);
        }
      });
  };
  return {
    name,
    poke: run,
    start() {
      stopped = false;
      stopping = new AbortController();
      timer = setInterval(run, intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      stopping.abort();
      if (timer) clearInterval(timer);
      if (delayed) clearTimeout(delayed);
      await running;
    },
  };
}
