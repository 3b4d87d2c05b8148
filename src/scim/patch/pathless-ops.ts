import { isScimError, ScimError } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/patch-path-parser.js';
import { describe, isEmpty, isJsonObject } from '../schema/value-normalizer.js';
import { type PatchContext, schemaNamed, type ValueOperation } from './patch-context.js';
import { isReadOnlyTarget, targetFromParsed } from './patch-target.js';
import { applyToTarget } from './target-ops.js';

/**
 * add/replace without a path (RFC 7644 §3.5.2.1, §3.5.2.3): the value is an object of attributes.
 * Each key is applied like an operation with that key as its path, so all of these work:
 * RFC-nested `{"name": {"givenName": "x"}}`, dotted `{"name.givenName": "x"}` and full-URN
 * `{"urn:…:enterprise:2.0:User:employeeNumber": "x"}` keys (Entra), filtered keys
 * (`emails[type eq "work"].value`), and an extension URN with an object value.
 * Read-only keys (`id`, `meta`, `groups`, `members.display`) are skipped silently — Okta sends
 * `{"id": …, "displayName": …}` — and `schemas` is ignored; unknown keys are skipped with a warning.
 */
export function applyPathless(context: PatchContext, op: ValueOperation, value: unknown): void {
  if (!isJsonObject(value)) {
    throw ScimError.invalidValue(`'${op}' without a path needs an object of attributes as its value, got ${describe(value)}`);
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key.toLowerCase() === 'schemas') continue;
    const schema = schemaNamed(context.type, key);
    if (schema) applySchemaValue(context, op, schema.id, inner);
    else applyKey(context, op, key, inner);
  }
}

/**
 * A value for a whole schema: a path-less key or a path that is a schema URN. The core schema's
 * members are top-level attributes; an extension's object is applied member by member, and
 * null (or `{}`) removes the extension's attributes.
 */
export function applySchemaValue(context: PatchContext, op: ValueOperation, schemaId: string, value: unknown): void {
  if (schemaId === context.type.schema.id) {
    applyPathless(context, op, value);
    return;
  }
  if (isEmpty(value)) {
    removeSchema(context, schemaId);
    return;
  }
  if (!isJsonObject(value)) throw ScimError.invalidValue(`'${schemaId}' must be an object, got ${describe(value)}`);
  for (const [key, inner] of Object.entries(value)) applyKey(context, op, `${schemaId}:${key}`, inner);
}

/** Removes every attribute of an extension schema (remove with the extension URN as the path). */
export function removeSchema(context: PatchContext, schemaId: string): void {
  if (schemaId === context.type.schema.id) {
    // The core schema holds the required attributes (RFC 7644 §3.5.2.2: removing them is mutability).
    throw ScimError.mutability(`the core schema '${schemaId}' cannot be removed: it holds required attributes`);
  }
  delete context.resource[schemaId];
}

function applyKey(context: PatchContext, op: ValueOperation, key: string, value: unknown): void {
  let parsed: PatchPath;
  try {
    parsed = parsePatchPath(key);
  } catch (error) {
    if (!isScimError(error)) throw error;
    context.warnings.push(`ignored unknown attribute '${key}'`);
    return;
  }
  if (!context.type.resolve(parsed.attributePath)) {
    context.warnings.push(`ignored unknown attribute '${key}'`);
    return;
  }
  const target = targetFromParsed(context.type, key, parsed);
  if (isReadOnlyTarget(target)) return;
  applyToTarget(context, op, target, value);
}
