import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix that lets secret scanners recognise a leaked Roster SCIM token. */
export const TOKEN_PREFIX = 'roster_scim_';

/**
 * A new bearer token: the workspace id (so a sharded deployment finds the token on the
 * workspace's shard), then 256 random bits in base64url. Only its hash is ever stored.
 */
export function generateToken(workspaceId: string): string {
  return `${TOKEN_PREFIX}${workspaceId.replaceAll('-', '')}_${randomBytes(32).toString('base64url')}`;
}

/** The workspace id a token names, or undefined when the token is not shaped like Roster's. */
export function tokenWorkspaceId(token: string): string | undefined {
  const match = /^roster_scim_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$/.exec(token);
  const hex = match?.[1];
  if (!hex) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
