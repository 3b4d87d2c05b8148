import { ScimError } from '../errors.js';
import type { AttributeDefinition, SchemaDefinition } from '../schema/attribute.js';
import type { ScimResource } from '../schema/resource-checker.js';
import type { ResourceType } from '../schema/resource-type.js';
import { CLEAR, isJsonObject, type NormalizeContext, normalizeElement, normalizeValue } from '../schema/value-normalizer.js';

/** The state one PATCH request works on: a private copy of the resource, and collected warnings. */
export interface PatchContext {
  readonly type: ResourceType;
  readonly resource: ScimResource;
  readonly warnings: string[];
}

/** Operations that carry a value. */
export type ValueOperation = 'add' | 'replace';
export type OperationName = ValueOperation | 'remove';

export function normalizeContext(context: PatchContext, path: string): NormalizeContext {
  return { path, warnings: context.warnings };
}

/** A value that holds nothing: null, "", or arrays/objects of only such values (`[{"$ref":null,"value":null}]`). */
export function isBlank(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.every(isBlank);
  if (isJsonObject(value)) return Object.values(value).every(isBlank);
  return false;
}

/**
 * Normalises an add/replace value (normalizeValue, or normalizeElement for one element).
 * CLEAR (null) means "remove" only when the client sent a blank value: a value with content
 * that normalises to nothing (only unknown or read-only members, e.g. `{"managerId": "x"}`)
 * is rejected instead of silently removing or ignoring a known attribute.
 */
export function normalizeForWrite(
  context: PatchContext,
  definition: AttributeDefinition,
  raw: unknown,
  path: string,
  options: { element?: boolean; clearsSomething?: boolean } = {},
): unknown {
  // Blank first: normalizeValue unwraps `[{"value": null}]` and would then reject the null.
  if (isBlank(raw)) return CLEAR;
  const normalize = options.element ? normalizeElement : normalizeValue;
  const normalized = normalize(definition, raw, normalizeContext(context, path));
  if (normalized === CLEAR && !options.clearsSomething) {
    throw ScimError.invalidValue(`'${path}' has no value that can be stored: only unknown or read-only members were given`);
  }
  return normalized;
}

/**
 * The schema a path or key names, if it is a schema URN. Only URN-shaped text is looked up:
 * ResourceType.schemaFor reads an alias table that is a plain object, so "constructor" or
 * "__proto__" would reach Object.prototype there and throw a TypeError.
 */
export function schemaNamed(type: ResourceType, text: string): SchemaDefinition | undefined {
  return /^urn:/i.test(text) ? type.schemaFor(text) : undefined;
}

/**
 * `schemas` as a PATCH path. It is not an attribute of any schema, so the resolver would call it
 * unknown (invalidPath); but it is required (RFC 7643 §3) and Roster derives it from the
 * attributes the resource holds, so changing or removing it is refused as RFC 7644 §3.5.2.2
 * has for required attributes: 400 mutability.
 */
export function refuseSchemasPath(text: string, where = ''): void {
  if (text.trim().toLowerCase() === 'schemas') {
    throw ScimError.mutability(
      `${where}'schemas' is required and set by Roster from the attributes the resource holds; it cannot be changed or removed`,
    );
  }
}
