import type { LogRetention } from '../directory/log/provisioning-log.js';
import type { ScimLimits } from '../directory/scim/scim-users.js';

/** Configuration, parsed once from the environment and the command line, then frozen. */
export interface Config {
  readonly database: string;
  /** PostgreSQL connections per instance (ROSTER_DB_POOL_SIZE); SQLite uses one connection. */
  readonly poolSize: number;
  readonly host: string;
  readonly port: number;
  /** Public origin clients use, without a trailing slash; SCIM lives under `${publicUrl}/scim/v2`. */
  readonly publicUrl: string;
  readonly logLevel: string;
  readonly bodyLimit: number;
  readonly scim: ScimLimits;
  /** Requests one SCIM token may make per window (ROSTER_RATE_LIMIT, 0 = unlimited). */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** Console sign-in attempts (password, one-time link, SSO start) per client address and minute (ROSTER_SIGNIN_RATE_LIMIT, 0 = unlimited). */
  readonly signInRateLimit: number;
  readonly log: LogRetention;
  /** SMTP server for outbox mail (ROSTER_SMTP_URL); without it mail stays queued in the outbox. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /**
   * Whether the SSO issuer (and every address Roster fetches for it) may be on a loopback,
   * private, link-local or otherwise non-public address (ROSTER_ALLOW_PRIVATE_ISSUERS=1). Off by
   * default: a workspace admin could otherwise probe the Roster host's own network.
   */
  readonly allowPrivateIssuers: boolean;
  /** Directory events: how long they are kept (ROSTER_EVENT_RETENTION_DAYS). */
  readonly events: { readonly retentionDays: number };
  /** Webhook delivery (docs/api.md). */
  readonly webhooks: {
    /** Send to loopback, link-local and private addresses, and over plain http (ROSTER_ALLOW_PRIVATE_WEBHOOKS). */
    readonly allowPrivate: boolean;
    /** Multiplies the retry delays and the 24-hour limit (ROSTER_WEBHOOK_RETRY_SCALE); 1 in production. */
    readonly retryScale: number;
    /** An answer must come within this many milliseconds (ROSTER_WEBHOOK_TIMEOUT_MS). */
    readonly timeoutMs: number;
  };
  /** Requests one application API key may make per minute (ROSTER_API_RATE_LIMIT, 0 = unlimited). */
  readonly apiRateLimit: number;
}

export const DEFAULT_DATABASE = './data/roster.db';

export function databaseFrom(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? env.ROSTER_DATABASE ?? DEFAULT_DATABASE;
}

export function loadConfig(options: { database?: string; host?: string; port?: number }, env: NodeJS.ProcessEnv = process.env): Config {
  const host = options.host ?? env.ROSTER_HOST ?? '127.0.0.1';
  const port = options.port ?? integer(env.ROSTER_PORT, 8080);
  const publicUrl = (env.ROSTER_PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  return Object.freeze({
    database: databaseFrom(options.database, env),
    poolSize: integer(env.ROSTER_DB_POOL_SIZE, 10),
    host,
    port,
    publicUrl,
    logLevel: env.ROSTER_LOG_LEVEL ?? 'info',
    bodyLimit: integer(env.ROSTER_BODY_LIMIT, 1024 * 1024),
    scim: Object.freeze({
      maxResults: integer(env.ROSTER_SCIM_MAX_RESULTS, 1000),
      defaultCount: integer(env.ROSTER_SCIM_DEFAULT_COUNT, 100),
      maxOperations: integer(env.ROSTER_SCIM_MAX_OPERATIONS, 1000),
      maxFilterLength: integer(env.ROSTER_SCIM_MAX_FILTER_LENGTH, 4096),
    }),
    rateLimit: Object.freeze({
      max: integer(env.ROSTER_RATE_LIMIT, 6000),
      windowMs: integer(env.ROSTER_RATE_LIMIT_WINDOW_MS, 60_000),
    }),
    signInRateLimit: integer(env.ROSTER_SIGNIN_RATE_LIMIT, 30),
    log: Object.freeze({
      maxAgeDays: integer(env.ROSTER_LOG_MAX_AGE_DAYS, 30),
      maxEntriesPerWorkspace: integer(env.ROSTER_LOG_MAX_ENTRIES, 100_000),
    }),
    smtpUrl: env.ROSTER_SMTP_URL || undefined,
    mailFrom: env.ROSTER_MAIL_FROM ?? 'Roster <no-reply@roster.invalid>',
    allowPrivateIssuers: flag(env.ROSTER_ALLOW_PRIVATE_ISSUERS, 'ROSTER_ALLOW_PRIVATE_ISSUERS'),
    events: Object.freeze({ retentionDays: integer(env.ROSTER_EVENT_RETENTION_DAYS, 30) }),
    webhooks: Object.freeze({
      allowPrivate: flag(env.ROSTER_ALLOW_PRIVATE_WEBHOOKS, 'ROSTER_ALLOW_PRIVATE_WEBHOOKS'),
      retryScale: positiveNumber(env.ROSTER_WEBHOOK_RETRY_SCALE, 1, 'ROSTER_WEBHOOK_RETRY_SCALE'),
      timeoutMs: webhookTimeout(env.ROSTER_WEBHOOK_TIMEOUT_MS),
    }),
    apiRateLimit: integer(env.ROSTER_API_RATE_LIMIT, 6000),
  });
}

/**
 * A webhook attempt must end well within the minute a delivery is claimed for
 * (webhook-dispatcher.ts), or another instance could send it at the same time: at most 30 s.
 */
function webhookTimeout(value: string | undefined): number {
  const ms = integer(value, 10_000);
  if (ms < 1 || ms > 30_000) throw new Error(`ROSTER_WEBHOOK_TIMEOUT_MS must be between 1 and 30000, got '${value}'`);
  return ms;
}

function integer(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a whole number, got '${value}'`);
  return n;
}

/** An on/off variable: `1` or `true` is on; unset, empty, `0` or `false` is off; anything else is refused. */
function positiveNumber(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a number > 0, got '${value}'`);
  return n;
}

/** A 1/0 (true/false) environment variable; anything else stops the command that reads it. */
export function flag(value: string | undefined, name: string): boolean {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new Error(`${name}: expected 1 or 0, got '${value}'`);
}

export const scimBaseUrl = (config: Pick<Config, 'publicUrl'>): string => `${config.publicUrl}/scim/v2`;

/** The console address that redeems a one-time sign-in link (`roster admin login-link`). */
export const loginLinkUrl = (config: Pick<Config, 'publicUrl'>, slug: string, token: string): string =>
  `${config.publicUrl}/w/${encodeURIComponent(slug)}/login/link/${token}`;
