import { ScimError } from '../errors.js';
import type { ResolvedFilter } from '../filter/ast.js';
import { matchesElement } from '../filter/filter-evaluator.js';
import { type AttributeDefinition, findSubAttribute } from '../schema/attribute.js';
import { isJsonObject, type JsonObject } from '../schema/value-normalizer.js';

/**
 * The values of one attribute and the elements of a multi-valued one: equality, sub-attribute
 * changes under the mutability rules, value filters, and the primary rule (RFC 7643 §2.2, §2.4).
 */

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
export function removeSubAttribute(element: JsonObject, sub: AttributeDefinition, where: string): boolean {
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
    if (sub && incoming[name] === undefined && removeSubAttribute(element, sub, where)) lostValue = true;
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

/** Whether a value filter selects this element (a complex value; anything else never matches). */
export function elementMatches(filter: ResolvedFilter, element: unknown): element is JsonObject {
  return isJsonObject(element) && matchesElement(filter, element);
}

/**
 * Builds the element a value filter describes, for add/replace through a filter that matched
 * nothing: `emails[type eq "work"].value` on a user without a work email creates
 * `{type: "work", value: …}` (Entra's default mapping). Only `eq` comparisons joined by `and`
 * describe an element; anything else (or, not, other operators, read-only sub-attributes,
 * contradicting comparisons) is RFC 7644 §3.5.2 `noTarget`.
 */
export function elementFromFilter(definition: AttributeDefinition, filter: ResolvedFilter, where: string): JsonObject {
  const element: JsonObject = {};
  const fail = (why: string): ScimError =>
    ScimError.noTarget(`no value of '${where}' matches the filter, and a new one cannot be made from it: ${why}`);

  const collect = (node: ResolvedFilter): void => {
    switch (node.kind) {
      case 'and':
        collect(node.left);
        collect(node.right);
        return;
      case 'compare': {
        const sub = node.attribute.subAttribute;
        if (node.op !== 'eq') throw fail(`only "eq" comparisons can be turned into a value, not "${node.op}"`);
        if (!sub || node.value === null) throw fail('the comparison does not name a sub-attribute value');
        if (sub.mutability === 'readOnly') throw fail(`'${sub.name}' is read-only`);
        const previous = element[sub.name];
        if (previous !== undefined && !sameScalar(sub, previous, node.value)) throw fail(`'${sub.name}' is compared twice`);
        element[sub.name] = node.value;
        return;
      }
      case 'or':
      case 'not':
      case 'present':
      case 'valuePath':
        throw fail(`"${node.kind}" does not describe a single value`);
      default: {
        const impossible: never = node;
        throw new TypeError(`unknown filter kind ${JSON.stringify(impossible)}`);
      }
    }
  };
  collect(filter);
  if (!definition.subAttributes || !matchesElement(filter, element)) throw fail('the filter does not match its own value');
  return element;
}

/**
 * A created element must still match the filter it was made from once the value is applied:
 * `emails[value eq "a"].value = "b"` or `emails[type eq "work"]` with `{"type": "home"}` would
 * otherwise create an element the same operation can never find again (and repeat each time).
 */
export function checkCreated(filter: ResolvedFilter, element: JsonObject, where: string): JsonObject {
  if (!matchesElement(filter, element)) {
    throw ScimError.noTarget(`no value of '${where}' matches the filter, and the given value contradicts the filter`);
  }
  return element;
}

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
