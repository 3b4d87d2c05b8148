import { ScimError } from '../errors.js';
import type { ResolvedFilter } from '../filter/ast.js';
import { matchesElement } from '../filter/filter-evaluator.js';
import type { AttributeDefinition } from '../schema/attribute.js';
import { isJsonObject, type JsonObject } from '../schema/value-normalizer.js';
import { sameScalar } from './element-values.js';

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
