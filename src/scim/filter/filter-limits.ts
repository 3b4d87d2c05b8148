/**
 * Size limits for filters and PATCH paths. RFC 7644 §3.4.2.2 sets none; these keep a hostile
 * `filter` parameter from costing more than a bounded amount of work and stack.
 */

export interface FilterLimits {
  /** Longest accepted input, in UTF-16 code units. Default 4096. */
  readonly maxLength?: number;
  /**
   * Deepest accepted nesting: every `(` (also the one after `not`) and every value-filter `[`
   * opens a level. `and`/`or` chains do not count, however long. Default 32.
   */
  readonly maxDepth?: number;
}

export const DEFAULT_MAX_FILTER_LENGTH = 4096;
export const DEFAULT_MAX_FILTER_DEPTH = 32;

/** Fills in the defaults; a limit that is not a positive integer is a programming error. */
export function resolveLimits(limits: FilterLimits = {}): Required<FilterLimits> {
  const maxLength = limits.maxLength ?? DEFAULT_MAX_FILTER_LENGTH;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_FILTER_DEPTH;
  for (const [name, value] of [
    ['maxLength', maxLength],
    ['maxDepth', maxDepth],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
  }
  return { maxLength, maxDepth };
}
