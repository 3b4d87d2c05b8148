import pino from 'pino';
import { type Config, loginLinkUrl, scimBaseUrl } from '../config/config.js';
import type { Directory } from '../directory/directory.js';
import { openStore } from '../storage/open-store.js';
import { compose } from './compose.js';

/**
 * `roster serve`: config → store → services → HTTP → background jobs, then, on SIGTERM or SIGINT,
 * the same in reverse: the server stops accepting and lets in-flight requests finish, the jobs
 * stop in reverse order, the provisioning log is flushed, and the database is closed.
 */
export async function serve(config: Config, options: { demo: boolean }): Promise<void> {
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization'] });
  const store = await openStore(config.database, { poolSize: config.poolSize });
  const { directory, app } = await compose({ store, config, logger });
  if (options.demo) await announceDemo(directory, config);
  // Listening makes the app ready, which starts its background jobs (compose.ts).
  await app.listen({ host: config.host, port: config.port });
  logger.info({ url: config.publicUrl, database: withoutPassword(config.database) }, 'roster is ready');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A hard deadline, in case a client holds a request open for ever.
    setTimeout(() => process.exit(1), 30_000).unref();
    // Closing stops accepting, lets in-flight requests finish (closing connections as they go
    // idle: http/app.ts), then stops the jobs in reverse order.
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

async function announceDemo(directory: Directory, config: Config): Promise<void> {
  const demo = await directory.demo.bootstrap();
  if (!demo) return;
  const base = scimBaseUrl(config);
  process.stdout.write(
    [
      '',
      `  Created the demo workspace '${demo.workspace.slug}' (enterprise plan, ${demo.workspace.seats} seats) with SCIM enabled.`,
      `  SCIM base URL:  ${base}`,
      `  Bearer token:   ${demo.token}   (shown once; rotate with: npm run --silent roster -- scim rotate-token ${demo.workspace.slug})`,
      '',
      `  Try: curl -H "Authorization: Bearer ${demo.token}" ${base}/Users`,
      '',
      `  Admin console: sign in as ${demo.adminEmail} with this one-time link (valid 24 hours):`,
      `  ${loginLinkUrl(config, demo.workspace.slug, demo.loginToken)}`,
      `  A new link any time: npm run --silent roster -- admin login-link ${demo.workspace.slug} ${demo.adminEmail}`,
      '',
    ].join('\n'),
  );
}

/** A database URL fit for logs: the password is never written out. */
export function withoutPassword(database: string): string {
  try {
    const url = new URL(database);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return database;
  }
}
