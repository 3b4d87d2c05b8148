import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from '../config/config.js';
import { createDirectory, type Directory } from '../directory/directory.js';
import { type LogFailure, ProvisioningLog } from '../directory/log/provisioning-log.js';
import type { DirectoryStore } from '../directory/ports.js';
import { buildApp } from '../http/app.js';
import { OidcRelyingParty } from '../sso/oidc-relying-party.js';

/**
 * The composition root: the one place that goes config → store → services → HTTP (SCIM and the
 * console) → background jobs (`jobs.ts`), and back in reverse on shutdown (`serve.ts`). Adapters
 * receive the directory's services, never the store.
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

/** The directory's services over a store, with the identity-provider client the configuration asks for. */
export function directoryOver(store: DirectoryStore, config: Config): Directory {
  return createDirectory(store, {
    scim: config.scim,
    identityProvider: new OidcRelyingParty({ allowPrivateIssuers: config.allowPrivateIssuers }),
  });
}

/** Services and the HTTP app over an open store. Closing the app flushes the provisioning log. */
export async function compose({ store, config, logger }: ComposeOptions): Promise<Composition> {
  const directory = directoryOver(store, config);
  const log = new ProvisioningLog(store, config.log, { onError: reportLogFailure(logger ?? pino({ level: 'silent' })) });
  const app = await buildApp({ directory, log, config, ...(logger ? { logger } : {}) });
  app.addHook('onClose', async () => log.flush());
  return { directory, log, app };
}

/** The HTTP app of `compose`, for callers that need nothing else (tests, the conformance runner, benchmarks). */
export async function composeApp(options: ComposeOptions): Promise<FastifyInstance> {
  return (await compose(options)).app;
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
