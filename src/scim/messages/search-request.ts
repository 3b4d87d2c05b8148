import { ScimError } from '../errors.js';
import { URN } from '../schema/urns.js';
import { describe, isJsonObject } from '../schema/value-normalizer.js';

/** A query for resources (RFC 7644 §3.4.2 and §3.4.3), before schema resolution. */
export interface SearchRequest {
  readonly filter?: string;
  readonly startIndex: number;
  readonly count: number;
  readonly sortBy?: string;
  readonly sortOrder: 'ascending' | 'descending';
  readonly attributes?: string;
  readonly excludedAttributes?: string;
}

export interface SearchLimits {
  /** Page size when the client sends no `count`. */
  readonly defaultCount: number;
  /** Largest page served; larger `count` values are capped (RFC 7644 §3.4.2.4). */
  readonly maxResults: number;
}

type Parameters = Record<string, unknown>;

/** Reads search parameters from a query string (GET) — parameter names are matched case-insensitively. */
export function parseSearchQuery(query: Parameters, limits: SearchLimits): SearchRequest {
  return parseParameters(lowerKeys(query), limits, 'query parameter');
}

/** Reads a SearchRequest message body (POST /.search, RFC 7644 §3.4.3). */
export function parseSearchBody(body: unknown, limits: SearchLimits): SearchRequest {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax(`the search request must be a JSON object, got ${describe(body)}`);
  const schemas = body.schemas;
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(URN.searchRequest))) {
    throw ScimError.invalidSyntax(`a search request must list the schema ${URN.searchRequest}`);
  }
  const parameters = lowerKeys(body);
  for (const list of ['attributes', 'excludedattributes']) {
    const value = parameters[list];
    if (Array.isArray(value)) parameters[list] = value.join(',');
  }
  return parseParameters(parameters, limits, 'attribute');
}

function parseParameters(p: Parameters, limits: SearchLimits, noun: string): SearchRequest {
  const startIndex = Math.max(1, integer(p.startindex, 'startIndex', 1, noun));
  const count = Math.min(limits.maxResults, Math.max(0, integer(p.count, 'count', limits.defaultCount, noun)));
  const sortOrder = text(p.sortorder, 'sortOrder', noun)?.toLowerCase() ?? 'ascending';
  if (sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw ScimError.invalidParameter(`'sortOrder' must be "ascending" or "descending", got ${JSON.stringify(sortOrder)}`);
  }
  const filter = text(p.filter, 'filter', noun);
  const sortBy = text(p.sortby, 'sortBy', noun);
  const attributes = text(p.attributes, 'attributes', noun);
  const excludedAttributes = text(p.excludedattributes, 'excludedAttributes', noun);
  return {
    startIndex,
    count,
    sortOrder,
    ...(filter !== undefined && filter.trim() !== '' ? { filter } : {}),
    ...(sortBy ? { sortBy } : {}),
    ...(attributes ? { attributes } : {}),
    ...(excludedAttributes ? { excludedAttributes } : {}),
  };
}

function lowerKeys(input: Parameters): Parameters {
  const output: Parameters = {};
  for (const [key, value] of Object.entries(input)) output[key.toLowerCase()] = value;
  return output;
}

function single(value: unknown, name: string, noun: string): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length === 1) return value[0];
  throw ScimError.invalidParameter(`the ${noun} '${name}' was given ${value.length} times`);
}

function text(value: unknown, name: string, noun: string): string | undefined {
  const v = single(value, name, noun);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw ScimError.invalidParameter(`the ${noun} '${name}' must be a string`);
  return v;
}

function integer(value: unknown, name: string, fallback: number, noun: string): number {
  const v = single(value, name, noun);
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n)) throw ScimError.invalidParameter(`the ${noun} '${name}' must be an integer, got ${describe(v)}`);
  return n;
}
