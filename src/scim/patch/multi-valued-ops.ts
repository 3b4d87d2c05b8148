import { ScimError } from '../errors.js';
import type { AttributeDefinition } from '../schema/attribute.js';
import { isJsonObject, type JsonObject } from '../schema/value-normalizer.js';
import { normalizeList, readList, writeList } from './element-list.js';
import { mergeInto, sameElement } from './element-values.js';
import { applyFiltered, removeFromElements } from './filtered-ops.js';
import type { OperationName, PatchContext } from './patch-context.js';
import type { PatchTarget } from './patch-target.js';

/**
 * add/replace/remove on a multi-valued attribute (RFC 7644 §3.5.2):
 * - add appends, skipping values equal to an existing one (merging the new one's other
 *   sub-attributes into it), so adding a member twice is harmless;
 * - replace without a filter replaces the whole list;
 * - remove without a filter removes only the values listed in `value` when there is one
 *   (Entra's default `{"op":"Remove","path":"members","value":[{"value":"id"}]}`), else the whole list;
 * - with a value filter, see filtered-ops.ts.
 */
export function applyMultiValued(context: PatchContext, op: OperationName, target: PatchTarget, value: unknown): void {
  if (target.filter) {
    applyFiltered(context, op, target, value);
    return;
  }
  if (target.sub) {
    if (op !== 'remove') {
      const name = target.attribute.key;
      throw ScimError.invalidPath(
        `'${target.text}': '${name}' is multi-valued; use a value filter to address its elements, ` +
          `e.g. ${name}[type eq "work"].${target.sub.name}`,
      );
    }
    // remove `emails.display` (no filter): the sub-attribute goes from every element.
    removeFromElements(context, target, readList(context, target), target.sub);
    return;
  }
  switch (op) {
    case 'add':
      addElements(context, target, value);
      return;
    case 'replace':
      replaceElements(context, target, value);
      return;
    case 'remove':
      removeElements(context, target, value);
      return;
    default: {
      const impossible: never = op;
      throw new TypeError(`unknown op ${String(impossible)}`);
    }
  }
}

function addElements(context: PatchContext, target: PatchTarget, value: unknown): void {
  const incoming = normalizeList(context, target, value);
  if (incoming.length === 0) return; // adding nothing
  const list = readList(context, target);
  const newest = appendAll(target.attribute.attribute, list, incoming, target.attribute.key);
  writeList(context, target, list, newest);
}

function replaceElements(context: PatchContext, target: PatchTarget, value: unknown): void {
  const list: unknown[] = [];
  const newest = appendAll(target.attribute.attribute, list, normalizeList(context, target, value), target.attribute.key);
  writeList(context, target, list, newest);
}

function removeElements(context: PatchContext, target: PatchTarget, value: unknown): void {
  const list = readList(context, target);
  if (value === undefined || value === null) {
    writeList(context, target, []);
    return;
  }
  const definition = target.attribute.attribute;
  const listed = normalizeList(context, target, value, false);
  if (listed.length === 0) {
    // A value list that names nothing must not wipe the attribute (the group-wipe bug of naive SPs).
    context.warnings.push(`'remove ${target.attribute.key}' listed no values to remove; nothing was removed`);
    return;
  }
  const kept = list.filter((element) => !listed.some((gone) => sameElement(definition, element, gone)));
  writeList(context, target, kept);
}

/**
 * Appends values, merging each into an equal existing one instead of duplicating it. Returns the
 * last value made primary, which wins over any earlier primary.
 */
function appendAll(definition: AttributeDefinition, list: unknown[], incoming: unknown[], where: string): JsonObject | undefined {
  let newest: JsonObject | undefined;
  for (const element of incoming) {
    const index = list.findIndex((existing) => sameElement(definition, existing, element));
    let result: unknown = element;
    if (index === -1) list.push(element);
    else {
      const existing = list[index];
      if (isJsonObject(existing) && isJsonObject(element)) mergeInto(definition, existing, element, [], where);
      result = existing;
    }
    if (isJsonObject(result) && result.primary === true) newest = result;
  }
  return newest;
}
