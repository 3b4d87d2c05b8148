import { ScimError } from '../errors.js';
import type { AttributeDefinition } from '../schema/attribute.js';
import { CLEAR, describe, isJsonObject, type JsonObject } from '../schema/value-normalizer.js';
import { readList, writeList, writeWithout } from './element-list.js';
import { clearedSubAttributes, mergeInto, removeSubAttribute, setSubAttribute } from './element-values.js';
import { checkCreated, elementFromFilter, elementMatches } from './filter-element.js';
import { normalizeForWrite, type OperationName, type PatchContext } from './patch-context.js';
import type { PatchTarget } from './patch-target.js';

/**
 * An operation through a value filter on a multi-valued attribute (`emails[type eq "work"]`,
 * `emails[type eq "work"].value`, `members[value eq "id"]`), RFC 7644 §3.5.2:
 * - remove: the matching elements, or the sub-attribute from each of them;
 * - add/replace: merge the object value into each match, or set the sub-attribute on each;
 *   when nothing matches, create the element the filter describes (Entra's
 *   `Add emails[type eq "work"].value` on a user without a work email) — or noTarget when the
 *   filter describes no single element;
 * - a blank value (null, "") removes, like remove.
 */
export function applyFiltered(context: PatchContext, op: OperationName, target: PatchTarget, value: unknown): void {
  const { filter, sub } = target;
  if (!filter) throw new TypeError('applyFiltered needs a value filter');
  const list = readList(context, target);
  const matched = list.filter((element) => elementMatches(filter, element));
  if (op === 'remove') {
    removeFromElements(context, target, list, sub, matched);
    return;
  }
  if (sub) setOnMatches(context, target, sub, list, matched, value);
  else mergeIntoMatches(context, target, list, matched, value);
}

function setOnMatches(
  context: PatchContext,
  target: PatchTarget,
  sub: AttributeDefinition,
  list: unknown[],
  matched: JsonObject[],
  value: unknown,
): void {
  const definition = target.attribute.attribute;
  const where = target.attribute.key;
  const normalized = normalizeForWrite(context, sub, value, `${where}.${sub.name}`);
  if (normalized === CLEAR) {
    removeFromElements(context, target, list, sub, matched);
    return;
  }
  let touched = matched;
  if (matched.length === 0 && target.filter) {
    const created = elementFromFilter(definition, target.filter, target.text);
    created[sub.name] = normalized;
    list.push(checkCreated(target.filter, created, target.text));
    touched = [created];
  } else {
    for (const element of matched) setSubAttribute(definition, element, sub, normalized, where);
  }
  writeList(context, target, list, newestPrimary(touched, new Set()));
}

function mergeIntoMatches(context: PatchContext, target: PatchTarget, list: unknown[], matched: JsonObject[], value: unknown): void {
  const definition = target.attribute.attribute;
  const where = target.attribute.key;
  const raw = singleElement(target, value);
  const cleared = clearedSubAttributes(definition, raw);
  const normalized = normalizeForWrite(context, definition, raw, where, { element: true, clearsSomething: cleared.length > 0 });
  if (normalized === CLEAR && cleared.length === 0) {
    removeFromElements(context, target, list, undefined, matched);
    return;
  }
  const incoming = isJsonObject(normalized) ? normalized : {};
  const dropped = new Set<unknown>();
  let touched = matched;
  if (matched.length === 0 && target.filter) {
    if (normalized === CLEAR) return; // only clears, and nothing to clear
    const created = { ...elementFromFilter(definition, target.filter, target.text), ...incoming };
    list.push(checkCreated(target.filter, created, target.text));
    touched = [created];
  } else {
    for (const element of matched) if (mergeInto(definition, element, incoming, cleared, where)) dropped.add(element);
  }
  writeWithout(context, target, list, dropped, newestPrimary(touched, dropped));
}

/**
 * Removes the matching elements, or a sub-attribute from each of them (every element when
 * `matched` is omitted: `remove emails.display`). An element that loses its `value` goes too.
 */
export function removeFromElements(
  context: PatchContext,
  target: PatchTarget,
  list: unknown[],
  sub: AttributeDefinition | undefined,
  matched: unknown[] = list,
): void {
  const definition = target.attribute.attribute;
  const dropped = new Set<unknown>();
  for (const element of matched) {
    if (!sub) dropped.add(element);
    else if (isJsonObject(element) && removeSubAttribute(definition, element, sub, target.attribute.key)) {
      dropped.add(element);
    }
  }
  writeWithout(context, target, list, dropped);
}

/** The last element this operation left primary: it wins over earlier primaries. */
function newestPrimary(touched: JsonObject[], dropped: ReadonlySet<unknown>): JsonObject | undefined {
  return touched.filter((element) => element.primary === true && !dropped.has(element)).at(-1);
}

/** The value of a filtered add/replace is one element; a one-element array is unwrapped (Entra). */
function singleElement(target: PatchTarget, value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length <= 1) return value[0] ?? null;
  throw ScimError.invalidValue(
    `'${target.text}' addresses elements one at a time: give one value, not ${describe(value)} of ${value.length}`,
  );
}
