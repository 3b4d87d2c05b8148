import { ScimError } from '../errors.js';
import { type AttributeDefinition, findSubAttribute } from '../schema/attribute.js';
import { CLEAR, describe, isEmpty, isJsonObject, normalizeElement, normalizeValue } from '../schema/value-normalizer.js';

/**
 * The values of PATCH operations (RFC 7644 §3.5.2), read once when operations are compiled into
 * steps, so the appliers only ever see canonical values.
 */

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
 * that normalises to nothing (only unknown or read-only members, e.g. `{"managerId": "x"}` on a
 * name, or `[{"display": "Ann"}]` as members) is rejected instead of silently removing or
 * ignoring a known attribute.
 */
export function normalizeForWrite(
  definition: AttributeDefinition,
  raw: unknown,
  path: string,
  warnings: string[],
  options: { element?: boolean; clearsSomething?: boolean } = {},
): unknown {
  // Blank first: normalizeValue unwraps `[{"value": null}]` and would then reject the null.
  if (isBlank(raw)) return CLEAR;
  const normalize = options.element ? normalizeElement : normalizeValue;
  const normalized = normalize(definition, raw, { path, warnings });
  if (normalized === CLEAR && !options.clearsSomething) {
    throw ScimError.invalidValue(`'${path}' has no value that can be stored: only unknown or read-only members were given`);
  }
  return normalized;
}

/**
 * The elements of a multi-valued value as a list (a single value is wrapped); blank → [].
 * For add and replace (`forWrite`), content that normalises to nothing is rejected; the values
 * a remove lists are only read.
 */
export function normalizeList(
  definition: AttributeDefinition,
  raw: unknown,
  path: string,
  warnings: string[],
  forWrite: boolean,
): unknown[] {
  const normalized = forWrite ? normalizeForWrite(definition, raw, path, warnings) : normalizeValue(definition, raw, { path, warnings });
  return Array.isArray(normalized) ? normalized : [];
}

/**
 * Sub-attributes a raw complex value asks to clear (`{"middleName": null}`): normalisation drops
 * empty members, so they are read from the raw value. Read-only and unknown names are skipped.
 */
export function clearedSubAttributes(definition: AttributeDefinition, raw: unknown): string[] {
  const object = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (!isJsonObject(object)) return [];
  const cleared: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    const sub = findSubAttribute(definition, key);
    if (sub && sub.mutability !== 'readOnly' && isEmpty(value)) cleared.push(sub.name);
  }
  return cleared;
}

/** The value of an add/replace through a value filter is one element; a one-element array is unwrapped (Entra). */
export function singleElement(path: string, value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length <= 1) return value[0] ?? null;
  throw ScimError.invalidValue(`'${path}' addresses elements one at a time: give one value, not ${describe(value)} of ${value.length}`);
}
