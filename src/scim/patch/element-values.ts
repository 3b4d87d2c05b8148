import { ScimError } from '../errors.js';
import { type AttributeDefinition, findSubAttribute } from '../schema/attribute.js';
import { isEmpty, isJsonObject, type JsonObject } from '../schema/value-normalizer.js';
import { deepEqual } from './json-values.js';

/** Equality of two values of one attribute: strings ignore case unless the attribute is caseExact. */
export function sameScalar(definition: AttributeDefinition, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && !definition.caseExact) return a.toLowerCase() === b.toLowerCase();
  return deepEqual(a, b);
}

/**
 * Whether two elements of a multi-valued attribute denote the same value: for complex elements
 * with a `value` sub-attribute, the same `value` (case rule of that sub-attribute); otherwise
 * structural equality (strings compared by the attribute's case rule).
 */
export function sameElement(definition: AttributeDefinition, a: unknown, b: unknown): boolean {
  if (definition.type !== 'complex') return sameScalar(definition, a, b);
  if (!isJsonObject(a) || !isJsonObject(b)) return deepEqual(a, b);
  const valueSub = findSubAttribute(definition, 'value');
  if (valueSub && a[valueSub.name] !== undefined && b[valueSub.name] !== undefined) {
    return sameScalar(valueSub, a[valueSub.name], b[valueSub.name]);
  }
  return deepEqual(a, b);
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

/**
 * Sets one sub-attribute of a complex value. An immutable sub-attribute that already has a
 * different value cannot change (RFC 7643 §2.2 `immutable`). When `value` changes, the
 * read-only sub-attributes derived from it (`display`, `$ref`, the manager's `displayName`) are
 * dropped rather than left describing the old value.
 */
export function setSubAttribute(
  definition: AttributeDefinition,
  element: JsonObject,
  sub: AttributeDefinition,
  value: unknown,
  where: string,
): void {
  const current = element[sub.name];
  if (sub.mutability === 'immutable' && current !== undefined) {
    if (sameScalar(sub, current, value)) return; // re-sent unchanged: keep the stored spelling
    throw ScimError.mutability(`'${where}.${sub.name}' is immutable and cannot change once set`);
  }
  if (sub.name === 'value' && current !== undefined && !sameScalar(sub, current, value)) dropDerived(definition, element);
  element[sub.name] = value;
}

/**
 * Removes one sub-attribute of a complex value. Returns true when the whole element should go:
 * an element left without its `value` no longer denotes anything (Entra's
 * `remove emails[type eq "work"].value` means "remove the work email").
 */
export function removeSubAttribute(
  _definition: AttributeDefinition,
  element: JsonObject,
  sub: AttributeDefinition,
  where: string,
): boolean {
  if (element[sub.name] === undefined) return false;
  if (sub.mutability === 'immutable') {
    throw ScimError.mutability(`'${where}.${sub.name}' is immutable and cannot be removed`);
  }
  delete element[sub.name];
  return sub.name === 'value';
}

/**
 * Merges sub-attributes into an existing complex value (add/replace on a complex target);
 * `cleared` names sub-attributes the client set to null. Returns true when the element lost its
 * `value` and should be removed as a whole (see removeSubAttribute).
 */
export function mergeInto(
  definition: AttributeDefinition,
  element: JsonObject,
  incoming: JsonObject,
  cleared: readonly string[],
  where: string,
): boolean {
  for (const [key, value] of Object.entries(incoming)) {
    const sub = findSubAttribute(definition, key);
    if (sub) setSubAttribute(definition, element, sub, value, where);
  }
  let lostValue = false;
  for (const name of cleared) {
    const sub = findSubAttribute(definition, name);
    if (sub && incoming[name] === undefined && removeSubAttribute(definition, element, sub, where)) lostValue = true;
  }
  return lostValue;
}

function dropDerived(definition: AttributeDefinition, element: JsonObject): void {
  for (const sub of definition.subAttributes ?? []) if (sub.mutability === 'readOnly') delete element[sub.name];
}

/**
 * At most one element may be primary (RFC 7643 §2.4). `newest` — the element the current
 * operation made primary — wins; otherwise the last primary element does.
 */
export function settlePrimary(definition: AttributeDefinition, list: unknown[], newest?: JsonObject): void {
  const primary = findSubAttribute(definition, 'primary');
  if (!primary || definition.type !== 'complex') return;
  const primaries = list.filter((e): e is JsonObject => isJsonObject(e) && e[primary.name] === true);
  if (primaries.length <= 1) return;
  const keep = newest && newest[primary.name] === true ? newest : primaries[primaries.length - 1];
  for (const element of primaries) if (element !== keep) element[primary.name] = false;
}
