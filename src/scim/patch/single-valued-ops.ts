import { ScimError } from '../errors.js';
import { CLEAR, isJsonObject, type JsonObject } from '../schema/value-normalizer.js';
import { clearedSubAttributes, mergeInto, removeSubAttribute, sameScalar, setSubAttribute } from './element-values.js';
import { elementMatches } from './filter-element.js';
import { normalizeForWrite, type OperationName, type PatchContext } from './patch-context.js';
import { deleteAttribute, type PatchTarget, readAttribute, writeAttribute } from './patch-target.js';

/**
 * add/replace/remove on a single-valued attribute (RFC 7644 §3.5.2). `add` acts as `replace`
 * (Entra sends `Add` for `active`); a complex value is merged into the current one
 * (§3.5.2.3: sub-attributes not given are left unchanged); a null or empty value removes.
 * A value filter on a single-valued complex attribute (`…:manager[value eq "m1"]`, sent by Entra)
 * addresses the value when it matches: otherwise add/replace are `noTarget` and remove is a no-op.
 */
export function applySingleValued(context: PatchContext, op: OperationName, target: PatchTarget, value: unknown): void {
  if (target.filter && !elementMatches(target.filter, readAttribute(context.resource, target.attribute))) {
    if (op === 'remove') return;
    throw ScimError.noTarget(`'${target.text}' matches no value`);
  }
  if (target.sub) {
    applyToSubAttribute(context, op, target, value);
    return;
  }
  if (op === 'remove') {
    removeAttribute(context, target);
    return;
  }
  const definition = target.attribute.attribute;
  if (definition.type === 'complex') {
    mergeComplex(context, target, value);
    return;
  }
  const normalized = normalizeForWrite(context, definition, value, target.attribute.key);
  if (normalized === CLEAR) {
    removeAttribute(context, target);
    return;
  }
  const current = readAttribute(context.resource, target.attribute);
  if (definition.mutability === 'immutable' && current !== undefined && !sameScalar(definition, current, normalized)) {
    throw ScimError.mutability(`'${target.attribute.key}' is immutable and cannot change once set`);
  }
  writeAttribute(context.resource, target.attribute, normalized);
}

function removeAttribute(context: PatchContext, target: PatchTarget): void {
  if (readAttribute(context.resource, target.attribute) === undefined) return;
  if (target.attribute.attribute.mutability === 'immutable') {
    throw ScimError.mutability(`'${target.attribute.key}' is immutable and cannot be removed`);
  }
  deleteAttribute(context.resource, target.attribute);
}

function mergeComplex(context: PatchContext, target: PatchTarget, value: unknown): void {
  const definition = target.attribute.attribute;
  const where = target.attribute.key;
  const cleared = clearedSubAttributes(definition, value);
  const normalized = normalizeForWrite(context, definition, value, where, { clearsSomething: cleared.length > 0 });
  if (normalized === CLEAR && cleared.length === 0) {
    removeAttribute(context, target);
    return;
  }
  const current = readAttribute(context.resource, target.attribute);
  const element: JsonObject = isJsonObject(current) ? current : {};
  const incoming = isJsonObject(normalized) ? normalized : {};
  if (mergeInto(definition, element, incoming, cleared, where)) deleteAttribute(context.resource, target.attribute);
  else writeAttribute(context.resource, target.attribute, element);
}

function applyToSubAttribute(context: PatchContext, op: OperationName, target: PatchTarget, value: unknown): void {
  const definition = target.attribute.attribute;
  const sub = target.sub;
  if (!sub) return;
  const where = target.attribute.key;
  const current = readAttribute(context.resource, target.attribute);
  const normalized = op === 'remove' ? CLEAR : normalizeForWrite(context, sub, value, `${where}.${sub.name}`);
  if (normalized === CLEAR) {
    if (isJsonObject(current) && removeSubAttribute(definition, current, sub, where)) {
      deleteAttribute(context.resource, target.attribute);
    }
    return;
  }
  const element: JsonObject = isJsonObject(current) ? current : {};
  setSubAttribute(definition, element, sub, normalized, where);
  writeAttribute(context.resource, target.attribute, element);
}
