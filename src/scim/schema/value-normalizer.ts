import { ScimError } from '../errors.js';
import type { AttributeDefinition } from './attribute.js';
import { findSubAttribute } from './attribute.js';

/** A JSON object as SCIM resources and complex values are. */
export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Marks "clear this attribute": explicit `null`, `""`, `[]` or `{}` in a body (RFC 7643 §2.5
 * treats null and empty as unassigned). Kept distinct from `undefined` (not asserted).
 */
export const CLEAR = null;

export interface NormalizeContext {
  /** Where the value came from, for error messages: `emails[0].value`. */
  readonly path: string;
  /** Collects ignored input (unknown or read-only sub-attributes) for the provisioning log. */
  readonly warnings: string[];
}

/**
 * Converts one attribute value from a request into its canonical form: sub-attribute names in
 * their schema spelling, booleans as booleans, read-only parts dropped. Returns `null` for an
 * empty value (clears the attribute). Lenient where real clients need it: string booleans in
 * any case (Entra), a single object for a multi-valued attribute (OneLogin), a one-element
 * `[{value}]` array or a bare value for a single-valued attribute (Entra manager, old SDKs).
 */
export function normalizeValue(definition: AttributeDefinition, value: unknown, context: NormalizeContext): unknown {
  if (isEmpty(value)) return CLEAR;
  if (definition.multiValued) return normalizeMultiValue(definition, value, context);
  const single = unwrapSingle(definition, value);
  return isEmpty(single) ? CLEAR : normalizeSingleValue(definition, single, context);
}

/** Normalises one element of a multi-valued attribute. */
export function normalizeElement(definition: AttributeDefinition, value: unknown, context: NormalizeContext): unknown {
  // `{"value": "Sales"}` for an element of a simple multi-valued attribute (teams), as Entra sends them.
  const element = definition.type !== 'complex' && isJsonObject(value) && Object.hasOwn(value, 'value') ? value.value : value;
  if (isEmpty(element)) return CLEAR;
  return normalizeSingleValue(definition, element, context);
}

function normalizeMultiValue(definition: AttributeDefinition, value: unknown, context: NormalizeContext): unknown {
  const items = Array.isArray(value) ? value : [value];
  const result: unknown[] = [];
  // Simple values (team names) are a set: a repeated one is dropped, as PATCH add merges it.
  const seen = new Set<unknown>();
  let repeated = 0;
  items.forEach((item, index) => {
    const normalized = normalizeElement(definition, item, { ...context, path: `${context.path}[${index}]` });
    // OneLogin renders empty parameters as "": an address of only `type` is no address.
    const onlyQualifiers = isJsonObject(normalized) && Object.keys(normalized).every((k) => QUALIFIERS.has(k));
    if (normalized === CLEAR || onlyQualifiers) return;
    if (definition.type !== 'complex') {
      const key = typeof normalized === 'string' && !definition.caseExact ? normalized.toLowerCase() : normalized;
      if (seen.has(key)) {
        repeated++;
        return;
      }
      seen.add(key);
    }
    result.push(normalized);
  });
  if (repeated > 0) context.warnings.push(`ignored ${repeated} repeated value${repeated === 1 ? '' : 's'} of '${context.path}'`);
  if (definition.type === 'complex') checkSinglePrimary(result as JsonObject[], context.path);
  return result.length === 0 ? CLEAR : result;
}

function unwrapSingle(definition: AttributeDefinition, value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length !== 1) return value;
  const [only] = value;
  // `[{"value": x, "$ref": null}]` for a simple attribute, or `[{…}]` for a single-valued complex one.
  if (definition.type !== 'complex' && isJsonObject(only) && Object.hasOwn(only, 'value')) return only.value;
  return only;
}

function normalizeSingleValue(definition: AttributeDefinition, value: unknown, context: NormalizeContext): unknown {
  switch (definition.type) {
    case 'string':
    case 'reference':
      return normalizeString(value, context);
    case 'boolean':
      return normalizeBoolean(value, context);
    case 'integer':
    case 'decimal':
      return normalizeNumber(definition, value, context);
    case 'dateTime':
      return normalizeDateTime(value, context);
    case 'complex':
      return normalizeComplex(definition, value, context);
    default: {
      const impossible: never = definition.type;
      throw new TypeError(`unknown attribute type ${String(impossible)}`);
    }
  }
}

function normalizeString(value: unknown, context: NormalizeContext): string {
  if (typeof value === 'string') {
    // PostgreSQL text cannot hold U+0000, and no attribute needs it.
    if (value.includes('\u0000')) throw ScimError.invalidValue(`'${context.path}' contains a NUL character`);
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw ScimError.invalidValue(`'${context.path}' must be a string, got ${describe(value)}`);
}

export function normalizeBoolean(value: unknown, context: NormalizeContext): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw ScimError.invalidValue(`'${context.path}' must be a boolean (true or false), got ${describe(value)}`);
}

function normalizeNumber(definition: AttributeDefinition, value: unknown, context: NormalizeContext): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw ScimError.invalidValue(`'${context.path}' must be a number, got ${describe(value)}`);
  }
  if (definition.type === 'integer' && !Number.isInteger(number)) {
    throw ScimError.invalidValue(`'${context.path}' must be an integer, got ${number}`);
  }
  return number;
}

function normalizeDateTime(value: unknown, context: NormalizeContext): string {
  if (typeof value === 'string') {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  throw ScimError.invalidValue(`'${context.path}' must be an ISO 8601 date-time, got ${describe(value)}`);
}

function normalizeComplex(definition: AttributeDefinition, value: unknown, context: NormalizeContext): unknown {
  if (!isJsonObject(value)) {
    // A bare value for a complex attribute with a `value` sub-attribute: Entra's manager id.
    const valueSub = findSubAttribute(definition, 'value');
    if (valueSub && (typeof value === 'string' || typeof value === 'number')) {
      return { [valueSub.name]: normalizeString(value, context) };
    }
    throw ScimError.invalidValue(`'${context.path}' must be an object, got ${describe(value)}`);
  }
  const result: JsonObject = {};
  for (const [key, raw] of Object.entries(value)) {
    const alias = definition.name === 'manager' ? SUB_ATTRIBUTE_ALIASES[key.toLowerCase()] : undefined;
    const sub = findSubAttribute(definition, alias ?? key);
    if (!sub) {
      context.warnings.push(`ignored unknown attribute '${context.path}.${key}'`);
      continue;
    }
    if (sub.mutability === 'readOnly') continue;
    const normalized = normalizeValue(sub, raw, { ...context, path: `${context.path}.${sub.name}` });
    if (normalized !== CLEAR) result[sub.name] = normalized;
  }
  return Object.keys(result).length === 0 ? CLEAR : result;
}

/** Sub-attribute spellings of real clients: OneLogin's enterprise template sends `manager.managerId`. */
const SUB_ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = Object.assign(Object.create(null), { managerid: 'value' });

/** Sub-attributes that only qualify an element; an element with nothing else carries no data. */
const QUALIFIERS = new Set(['type', 'primary']);

function checkSinglePrimary(elements: JsonObject[], path: string): void {
  const primaries = elements.filter((e) => e.primary === true).length;
  if (primaries > 1) {
    throw ScimError.invalidValue(`'${path}' has ${primaries} elements marked primary; at most one may be (RFC 7643 §2.4)`);
  }
}

export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.length === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (isJsonObject(value)) return Object.keys(value).length === 0;
  return false;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}
