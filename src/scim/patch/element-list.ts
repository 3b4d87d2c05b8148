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
  return normalized === CLEAR ? [] : (normalized as unknown[]);
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
