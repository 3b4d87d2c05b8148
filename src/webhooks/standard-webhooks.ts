import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, "Signature scheme"): HMAC-SHA256
 * over `id.timestamp.body` with the secret's bytes, sent as `v1,<base64>`. Written with
 * node:crypto rather than the `standardwebhooks` package, whose signer is pure JavaScript
 * (fast-sha256): the scheme is three lines, and the tests verify every delivery with the package,
 * as a receiving app would.
 */
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, base64, prefixed (the spec allows 24 to 64 bytes). */
export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

/** The headers of one delivery attempt: the timestamp is the attempt's, the id the event's. */
export function webhookHeaders(secret: string, id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Roster-Webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(secret, id, timestamp, body),
  };
}
