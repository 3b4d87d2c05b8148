import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createDirectory, type Directory } from '../directory/directory.js';
import type { EventBus } from '../directory/events/event-sequencer.js';
import { LocalEventBus } from '../directory/events/local-event-bus.js';
import { type LogFailure, ProvisioningLog } from '../directory/log/provisioning-log.js';
import type { DirectoryStore } from '../directory/ports.js';
import type { WebhookSender } from '../directory/webhooks/webhook-sender.js';
import { buildApp } from '../http/app.js';
import { OidcRelyingParty } from '../sso/oidc-relying-party.js';
import { isPostgresUrl } from '../storage/open-store.js';
import { PostgresEventBus } from '../storage/postgres/postgres-event-bus.js';
import { HttpWebhookSender } from '../webhooks/http-webhook-sender.js';
import { backgroundJobs } from './jobs.js';

/**
 * The composition root: the one place that goes config → store → services → HTTP (SCIM, the
 * application API and the console) → background jobs (`jobs.ts`), and back in reverse when the
 * app closes: jobs stop, the provisioning log is flushed, the event bus closes (`serve.ts` then
 * closes the store). Adapters receive the directory's services, never the store.
 */

export interface Composition {
  readonly directory: Directory;
  /** The provisioning log the SCIM routes record into; flushed when the app closes. */
  readonly log: ProvisioningLog;
  readonly app: FastifyInstance;
}

export interface ComposeOptions {
  readonly store: DirectoryStore;
  readonly config: Config;
  /** The service log; silent when not given (tests). */
  readonly logger?: Logger;
}

/** The directory's services over a store, with the adapters the configuration asks for. */
export function directoryOver(
  store: DirectoryStore,
  config: Config,
  parts: { readonly bus?: EventBus; readonly sender?: WebhookSender } = {},
): Directory {
  return createDirectory(store, {
    scim: config.scim,
    identityProvider: new OidcRelyingParty({ allowPrivateIssuers: config.allowPrivateIssuers }),
    bus: parts.bus ?? new LocalEventBus(),
    webhookSender: parts.sender ?? webhookSenderFor(config),
  });
}

const webhookSenderFor = (config: Config): WebhookSender =>
  new HttpWebhookSender({ allowPrivate: config.webhooks.allowPrivate, timeoutMs: config.webhooks.timeoutMs });

/**
 * Services, the HTTP app and its background jobs over an open store. The jobs start when the app
 * is ready and stop, in reverse order, when it closes.
 */
export async function compose({ store, config, logger }: ComposeOptions): Promise<Composition> {
  const serviceLog = logger ?? pino({ level: 'silent' });
  const bus = await eventBusFor(config, serviceLog);
  // Every committed write pokes the sequencer, so its events are numbered (or announced) at once.
  let poke = (): void => undefined;
  const writing = afterCommit(store, () => poke());
  const sender = webhookSenderFor(config);
  const directory = directoryOver(writing, config, { bus, sender });
  const log = new ProvisioningLog(store, config.log, { onError: reportLogFailure(serviceLog) });
  const jobs = backgroundJobs({ store, directory, config, bus, sender, logger: serviceLog });
  poke = () => jobs.sequencer.poke();
  const app = await buildApp({ directory, log, config, ...(logger ? { logger } : {}) });
  app.addHook('onReady', async () => {
    for (const job of jobs.all) job.start();
  });
  app.addHook('onClose', async () => {
    for (const job of [...jobs.all].reverse()) await job.stop();
    await log.flush();
    await bus.close();
  });
  return { directory, log, app };
}

/** The HTTP app of `compose`, for callers that need nothing else (tests, the conformance runner, benchmarks). */
export async function composeApp(options: ComposeOptions): Promise<FastifyInstance> {
  return (await compose(options)).app;
}

/** PostgreSQL's LISTEN/NOTIFY reaches every instance on the database; SQLite has one process. */
async function eventBusFor(config: Config, logger: Logger): Promise<EventBus> {
  if (!isPostgresUrl(config.database)) return new LocalEventBus();
  const bus = new PostgresEventBus(config.database, (error) => logger.warn({ err: error }, 'event bus: the LISTEN connection failed'));
  await bus.start();
  return bus;
}

/** The store, calling `after` once each transaction committed. */
function afterCommit(store: DirectoryStore, after: () => void): DirectoryStore {
  return {
    read: store.read,
    close: () => store.close(),
    async transaction(work) {
      const result = await store.transaction(work);
      after();
      return result;
    },
  };
}

/**
 * Sends the provisioning log's failures to the service log: a lost entry is an error with the count
 * lost and the workspaces they belonged to; a failed try whose entries were all written after
 * splitting the batch is a warning.
 */
export function reportLogFailure(logger: Logger): (failure: LogFailure) => void {
  return ({ operation, lost, written, lostWorkspaceIds, attempts, error }) => {
    const fields = { err: error, operation, lost, written, lostWorkspaceIds, attempts };
    if (operation === 'prune') logger.error(fields, 'provisioning log: pruning failed');
    else if (lost > 0) logger.error(fields, `provisioning log: ${lost} entr${lost === 1 ? 'y' : 'ies'} could not be written and are lost`);
    else logger.warn(fields, 'provisioning log: a write failed; retried in parts, nothing lost');
  };
}
