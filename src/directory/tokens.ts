import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix that lets secret scanners recognise a leaked Roster SCIM token. */
export const TOKEN_PREFIX = 'roster_scim_';

/** A new bearer token: 256 random bits, base64url. Only its hash is ever stored. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 suffices: the token has 256 bits of entropy, so no slow hash is needed against guessing. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two hex hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
