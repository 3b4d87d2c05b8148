/**
 * Splits a list so no statement built from one part exceeds the engines' bound-parameter limits
 * (SQLite 32,766, PostgreSQL 65,535): `in (…)` lists and multi-row inserts go part by part.
 */
export function* chunks<T>(items: readonly T[], size = 500): Generator<T[]> {
  if (!Number.isSafeInteger(size) || size < 1) throw new TypeError('chunk size must be a positive integer');
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
