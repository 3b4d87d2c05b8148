/**
 * Evaluates a resolved filter (RFC 7644 §3.4.2.2) against a resource held as plain JSON with
 * canonical attribute names; extension attributes sit under their schema URN key.
 *
 * Semantics:
 * - A path over a multi-valued attribute (or a sub-attribute of one, `emails.type`) matches
 *   when ANY value matches; `emails[type eq "work" and value co "@x"]` needs one element to
 *   satisfy the whole inner filter.
 * - `pr`: some value is present, i.e. not null, "", an empty array or an empty object.
 * - `ne` with a missing attribute is true; `eq null` is true when the attribute has no
 *   (non-null) value, `ne null` when it has one.
 * - Strings of caseExact=false attributes compare case-insensitively (`toLowerCase`);
 *   gt/ge/lt/le compare strings by code unit order, numbers numerically, dateTimes as
 *   normalised ISO strings (i.e. chronologically).
 * - A value of the wrong JSON type never equals the filter value (so `ne` matches it).
 */
import type { AttributeDefinition } from '../schema/attribute.js';
import type { ResolvedAttribute } from '../schema/resource-type.js';
import type { CompareOperator, FilterValue, ResolvedFilter } from './ast.js';
import { normaliseDateTime } from './date-time.js';
import { chainOperands } from './filter-chain.js';

type JsonObject = Record<string, unknown>;

/** Where attribute paths are looked up: a whole resource, or one element of a complex attribute. */
interface Scope {
  /** The attribute's values: multi-valued ones spread, null and missing ones left out. */
  values(attribute: ResolvedAttribute): unknown[];
  /** The complex values a value filter `attribute[…]` is tried on. */
  elements(attribute: ResolvedAttribute): JsonObject[];
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const own = (object: JsonObject, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);

/** A value as a list: arrays spread, null and undefined dropped. */
function spread(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((item) => item !== undefined && item !== null);
  return [value];
}

function resourceScope(resource: JsonObject): Scope {
  const top = (attribute: ResolvedAttribute): unknown => {
    const container = attribute.inExtension ? own(resource, attribute.schemaId) : resource;
    return isObject(container) ? own(container, attribute.attribute.name) : undefined;
  };
  return {
    values(attribute) {
      const value = top(attribute);
      const sub = attribute.subAttribute;
      if (!sub) return spread(value);
      return spread(value).flatMap((element) => (isObject(element) ? spread(own(element, sub.name)) : []));
    },
    elements(attribute) {
      return spread(top(attribute)).filter(isObject);
    },
  };
}

function elementScope(element: JsonObject): Scope {
  return {
    values(attribute) {
      return spread(own(element, (attribute.subAttribute ?? attribute.attribute).name));
    },
    elements() {
      throw new TypeError('value filters cannot be nested');
    },
  };
}

function isPresentValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresentValue);
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

function compareOrdered<T extends string | number | boolean>(actual: T, expected: T, op: CompareOperator): boolean {
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'gt':
      return actual > expected;
    case 'ge':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    case 'le':
      return actual <= expected;
    case 'co':
      return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
    case 'sw':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    case 'ew':
      return typeof actual === 'string' && typeof expected === 'string' && actual.endsWith(expected);
    default: {
      const unreachable: never = op;
      throw new TypeError(`unknown operator ${String(unreachable)}`);
    }
  }
}

function dateTimeOf(value: unknown): string | undefined {
  if (typeof value === 'string') return normaliseDateTime(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return undefined;
}

/** Compares one (non-null) attribute value with the filter value. */
function compareValue(actual: unknown, definition: AttributeDefinition, op: CompareOperator, expected: FilterValue): boolean {
  const mismatch = op === 'ne';
  switch (definition.type) {
    case 'string':
    case 'reference': {
      if (typeof actual !== 'string' || typeof expected !== 'string') return mismatch;
      return definition.caseExact ? compareOrdered(actual, expected, op) : compareOrdered(actual.toLowerCase(), expected.toLowerCase(), op);
    }
    case 'dateTime': {
      const normalised = dateTimeOf(actual);
      if (normalised === undefined || typeof expected !== 'string') return mismatch;
      return compareOrdered(normalised, expected, op);
    }
    case 'boolean':
      if (typeof actual !== 'boolean' || typeof expected !== 'boolean') return mismatch;
      return (op === 'eq' || op === 'ne') && compareOrdered(actual, expected, op);
    case 'integer':
    case 'decimal':
      if (typeof actual !== 'number' || typeof expected !== 'number') return mismatch;
      return compareOrdered(actual, expected, op);
    case 'complex':
      return mismatch;
    default: {
      const unreachable: never = definition.type;
      throw new TypeError(`unknown attribute type ${String(unreachable)}`);
    }
  }
}

function evaluate(filter: ResolvedFilter, scope: Scope): boolean {
  switch (filter.kind) {
    case 'compare': {
      const values = scope.values(filter.attribute);
      if (filter.value === null) return filter.op === 'eq' ? values.length === 0 : values.length > 0;
      if (values.length === 0) return filter.op === 'ne';
      const { definition } = filter.attribute;
      return values.some((value) => compareValue(value, definition, filter.op, filter.value));
    }
    case 'present':
      return scope.values(filter.attribute).some(isPresentValue);
    case 'not':
      return !evaluate(filter.filter, scope);
    case 'and':
      return chainOperands<ResolvedFilter>(filter).every((operand) => evaluate(operand, scope));
    case 'or':
      return chainOperands<ResolvedFilter>(filter).some((operand) => evaluate(operand, scope));
    case 'valuePath': {
      const inner = filter.filter;
      return scope.elements(filter.attribute).some((element) => evaluate(inner, elementScope(element)));
    }
    default: {
      const unreachable: never = filter;
      throw new TypeError(`unknown filter node ${JSON.stringify(unreachable)}`);
    }
  }
}

/** True when the resource (plain JSON, canonical attribute names) matches the filter. */
export function matchesResource(filter: ResolvedFilter, resource: Record<string, unknown>): boolean {
  return evaluate(filter, resourceScope(resource));
}

/**
 * True when one element of a multi-valued complex attribute (or the value of a single-valued
 * complex one) matches the inner filter of a value path, e.g. `type eq "work"` from
 * `emails[type eq "work"]` or a resolved PATCH path's `filter`.
 */
export function matchesElement(filter: ResolvedFilter, element: Record<string, unknown>): boolean {
  return evaluate(filter, elementScope(element));
}
