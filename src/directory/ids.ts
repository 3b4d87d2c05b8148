import { randomBytes } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): time-ordered, so ordering by id is creation order and pages
 * stay stable. Hand-written because it is twelve lines and node:crypto has only v4.
 */
export function newId(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const nowIso = (): string => new Date().toISOString();

/** Whether a client-supplied id can name a stored row at all; others are simply not found. */
export const isPlausibleId = (id: string): boolean => id.length > 0 && id.length <= 200 && !id.includes('\u0000');
