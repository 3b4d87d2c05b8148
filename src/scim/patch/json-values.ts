import { isEmpty, isJsonObject } from '../schema/value-normalizer.js';

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/**
 * Drops empty values (null, "", [], {}) from an object, recursively and in place, so an
 * attribute is either present with content or absent — never `[]` or `{}` (RFC 7643 §2.5).
 */
export function pruneEmpty(object: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(object)) {
    const pruned = pruneValue(value);
    if (pruned === undefined) delete object[key];
    else object[key] = pruned;
  }
}

function pruneValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(pruneValue).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isJsonObject(value)) pruneEmpty(value);
  return isEmpty(value) ? undefined : value;
}
