import { ScimError } from '../errors.js';
import { CLEAR, type JsonObject, normalizeValue } from '../schema/value-normalizer.js';
import { settlePrimary } from './element-values.js';
import { normalizeContext, normalizeForWrite, type PatchContext } from './patch-context.js';
import { deleteAttribute, type PatchTarget, readAttribute, writeAttribute } from './patch-target.js';

/** The current elements of a multi-valued attribute, as a new array (elements are shared). */
export function readList(context: PatchContext, target: PatchTarget): unknown[] {
  const current = readAttribute(context.resource, target.attribute);
  if (current === undefined || current === null) return [];
  return Array.isArray(current) ? [...current] : [current];
}

/**
 * Stores the elements of a multi-valued attribute: an empty list removes the attribute, and at
 * most one element stays primary (`newest`, the one this operation made primary, wins).
 */
export function writeList(context: PatchContext, target: PatchTarget, list: unknown[], newest?: JsonObject): void {
  if (list.length === 0) {
    deleteAttribute(context.resource, target.attribute);
    return;
  }
  settlePrimary(target.attribute.attribute, list, newest);
  writeAttribute(context.resource, target.attribute, list);
}

/**
 * The normalised elements of a list value (a single value is wrapped); blank → []. For add and
 * replace, content that normalises to nothing is rejected (see normalizeForWrite).
 */
export function normalizeList(context: PatchContext, target: PatchTarget, value: unknown, forWrite = true): unknown[] {
  const { attribute } = target;
  const normalized = forWrite
    ? normalizeForWrite(context, attribute.attribute, value, attribute.key)
    : normalizeValue(attribute.attribute, value, normalizeContext(context, attribute.key));
  const list = normalized === CLEAR ? [] : (normalized as unknown[]);
  if (forWrite) checkIncomingCount(context, target, list);
  return list;
}

/**
 * Refuses an add/replace value list longer than the attribute's `maxItems` before it is merged
 * element by element (each compared with every other): the check after the operation would come
 * too late to bound that work. A list as long as the stored one passes, so a user stored before
 * the limit existed can be sent back unchanged (the check after the operation decides).
 */
function checkIncomingCount(context: PatchContext, target: PatchTarget, incoming: readonly unknown[]): void {
  const max = target.attribute.attribute.maxItems;
  if (max === undefined || incoming.length <= max || incoming.length <= readList(context, target).length) return;
  throw ScimError.invalidValue(`'${target.attribute.key}' has ${incoming.length} values in this operation; at most ${max} are allowed`);
}

/** Removes the given elements from the list (by identity) and stores the rest. */
export function writeWithout(
  context: PatchContext,
  target: PatchTarget,
  list: unknown[],
  dropped: ReadonlySet<unknown>,
  newest?: JsonObject,
): void {
  writeList(
    context,
    target,
    list.filter((element) => !dropped.has(element)),
    newest,
  );
}
