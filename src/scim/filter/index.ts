/** SCIM filters and PATCH paths (RFC 7644 §3.4.2.2, §3.5.2): parse, resolve, evaluate, print. */
export type {
  CompareOperator,
  Filter,
  FilterValue,
  PatchPath,
  ResolvedFilter,
  ResolvedPatchPath,
} from './ast.js';
export { normaliseDateTime } from './date-time.js';
export { matchesElement, matchesResource } from './filter-evaluator.js';
export { DEFAULT_MAX_FILTER_DEPTH, DEFAULT_MAX_FILTER_LENGTH, type FilterLimits } from './filter-limits.js';
export { parseFilter } from './filter-parser.js';
export { printFilter, printFilterValue } from './filter-printer.js';
export { resolveFilter, resolvePatchPath } from './filter-resolver.js';
export { parsePatchPath } from './patch-path-parser.js';
