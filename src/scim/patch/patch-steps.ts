import { isScimError, ScimError } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/patch-path-parser.js';
import type { PatchOperation, PatchOperationName } from '../messages/patch-request.js';
import type { AttributeDefinition } from '../schema/attribute.js';
import type { ResourceType } from '../schema/resource-type.js';
import { CLEAR, describe, isEmpty, isJsonObject, type JsonObject } from '../schema/value-normalizer.js';
import { isReadOnlyTarget, type PatchTarget, refuseSchemasPath, resolveTarget, schemaNamed, targetFromParsed } from './patch-target.js';
import { clearedSubAttributes, normalizeForWrite, normalizeList, singleElement } from './patch-values.js';

/**
 * The PATCH step compiler (RFC 7644 §3.5.2): it turns each operation into typed steps, with the
 * path resolved against the schema, the values canonical, and the dialects Entra, Okta and
 * OneLogin send settled here, once, for every consumer (the resource applier, apply-steps.ts,
 * and any interpreter that stores a resource differently). Where the RFC is silent or IdPs
 * differ, these choices hold (tests pin each one):
 * - Op names in any case and string booleans ("False") are accepted (patch-request.ts, and the
 *   value normaliser).
 * - add on a single-valued attribute acts as replace; add/replace on a complex single-valued
 *   attribute (name, manager) merges sub-attributes (§3.5.2.3); a blank value (null, "",
 *   `[{"value":null}]`) removes; a value with content that normalises to nothing (only unknown
 *   or read-only members, e.g. `{"managerId": …}`) is invalidValue rather than a silent no-op.
 * - A path-less add/replace value is expanded into one step per key: nested, dotted, filtered
 *   and URN keys, and extension objects; read-only keys and `schemas` are skipped, unknown keys
 *   are skipped with a warning.
 * - Extension attributes need their URN, except a bare name only one extension defines (Entra's
 *   legacy `manager`).
 * - remove of a multi-valued attribute with a `value` removes only the listed values (Entra's
 *   `{"op":"Remove","path":"members","value":[{"value":"id"}]}`); a list that names nothing
 *   removes nothing (warning); no value removes the attribute.
 * The choices that depend on the stored resource (filtered adds that create elements, the
 * mutability of immutable values, the primary rule) are the applier's: see apply-steps.ts.
 */

/**
 * One change a PATCH asks for, tagged by `kind`; `op` is the operation it was compiled from.
 * - `set`: store a scalar in a single-valued simple attribute or in a sub-attribute
 *   (`name.givenName`, `emails[type eq "work"].value`);
 * - `merge`: merge sub-attributes into a complex value (`name`, `manager`) or into the elements a
 *   value filter selects (`emails[type eq "work"]`); `cleared` names sub-attributes sent as null;
 * - `append`: add values to a multi-valued attribute; `replaceAll`: make them its whole list;
 * - `remove`: unassign the target (attribute, sub-attribute, or the elements a filter selects);
 * - `removeValues`: remove the listed values from a multi-valued attribute;
 * - `removeSchema`: remove every attribute of an extension schema.
 * Values are canonical (normalised against the schema) and never blank: blank means `remove`.
 */
export type PatchStep =
  | { readonly kind: 'set'; readonly op: PatchOperationName; readonly target: PatchTarget; readonly value: unknown }
  | {
      readonly kind: 'merge';
      readonly op: PatchOperationName;
      readonly target: PatchTarget;
      readonly value: JsonObject;
      readonly cleared: readonly string[];
    }
  | {
      readonly kind: 'append' | 'replaceAll' | 'removeValues';
      readonly op: PatchOperationName;
      readonly target: PatchTarget;
      readonly values: readonly unknown[];
    }
  | { readonly kind: 'remove'; readonly op: PatchOperationName; readonly target: PatchTarget }
  | { readonly kind: 'removeSchema'; readonly op: PatchOperationName; readonly schemaId: string };

/** What acts on the steps of one operation; it may throw a ScimError and add warnings. */
export type StepConsumer = (steps: readonly PatchStep[], warnings: string[]) => void;

/**
 * Compiles a PATCH request one operation at a time and hands each operation's steps to `consume`
 * before the next operation is read: operations are processed in order and the first error stops
 * the request (RFC 7644 §3.5.2), so the operation reported is the first one that fails, whether
 * the compiler or the consumer refuses it. A ScimError's detail names its operation
 * (`Operations[1] (remove meta.version): …`). Returns the warnings (ignored input, for the
 * provisioning log), each prefixed with its operation.
 */
export function compilePatch(type: ResourceType, operations: readonly PatchOperation[], consume: StepConsumer): string[] {
  const warnings: string[] = [];
  operations.forEach((operation, index) => {
    const own: string[] = [];
    try {
      consume(compileOperation(type, operation, own), own);
    } catch (error) {
      if (!isScimError(error)) throw error;
      throw new ScimError(error.code, `Operations[${index}] (${describeOperation(operation)}): ${error.detail}`);
    }
    for (const warning of own) warnings.push(`Operations[${index}]: ${warning}`);
  });
  return warnings;
}

function compileOperation(type: ResourceType, operation: PatchOperation, warnings: string[]): PatchStep[] {
  const { op, path, value } = operation;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') throw ScimError.invalidSyntax(`unknown op ${JSON.stringify(op)}`);
  if (path !== undefined && typeof path !== 'string') throw ScimError.invalidSyntax("'path' must be a string");
  const compilation: Compilation = { type, op, warnings, steps: [] };

  if (path === undefined) {
    // RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with … "noTarget"".
    if (op === 'remove') throw ScimError.noTarget("'remove' needs a path");
    if (value === undefined) throw ScimError.invalidValue(`'${op}' needs a value`);
    compilePathless(compilation, value);
    return compilation.steps;
  }
  const text = path.trim();
  if (text === '') throw ScimError.invalidPath("'path' is empty");
  refuseSchemasPath(text);

  // A schema URN as the path: the extension's attributes as a whole (`urn:…:enterprise:2.0:User`).
  const schema = schemaNamed(type, text);
  if (schema) {
    if (op === 'remove') removeSchema(compilation, schema.id);
    else if (value === undefined) throw ScimError.invalidValue(`'${op}' needs a value`);
    else compileSchemaValue(compilation, schema.id, value);
    return compilation.steps;
  }

  const target = resolveTarget(type, text);
  if (isReadOnlyTarget(target)) throw ScimError.mutability(`'${text}' is read-only`);
  compileTarget(compilation, target, value);
  return compilation.steps;
}

/** The steps of one operation as they are being compiled. */
interface Compilation {
  readonly type: ResourceType;
  readonly op: PatchOperationName;
  readonly warnings: string[];
  readonly steps: PatchStep[];
}

function describeOperation(operation: PatchOperation): string {
  return typeof operation.path === 'string' ? `${operation.op} ${operation.path}` : `${operation.op} without a path`;
}

/**
 * add/replace without a path (RFC 7644 §3.5.2.1, §3.5.2.3): the value is an object of attributes,
 * and each key compiles like an operation with that key as its path, so RFC-nested
 * `{"name": {"givenName": "x"}}`, dotted `{"name.givenName": "x"}`, full-URN
 * `{"urn:…:enterprise:2.0:User:employeeNumber": "x"}` (Entra) and filtered keys all work.
 * Read-only keys (`id`, `meta`, `groups`, `members.display`) are skipped silently (Okta sends
 * `{"id": …, "displayName": …}`) and `schemas` is ignored; unknown keys are skipped with a warning.
 */
function compilePathless(compilation: Compilation, value: unknown): void {
  if (!isJsonObject(value)) {
    throw ScimError.invalidValue(`'${compilation.op}' without a path needs an object of attributes as its value, got ${describe(value)}`);
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key.toLowerCase() === 'schemas') continue;
    const schema = schemaNamed(compilation.type, key);
    if (schema) compileSchemaValue(compilation, schema.id, inner);
    else compileKey(compilation, key, inner);
  }
}

/**
 * A value for a whole schema: a path-less key or a path that is a schema URN. The core schema's
 * members are top-level attributes; an extension's object is compiled member by member, and
 * null (or `{}`) removes the extension's attributes.
 */
function compileSchemaValue(compilation: Compilation, schemaId: string, value: unknown): void {
  if (schemaId === compilation.type.schema.id) {
    compilePathless(compilation, value);
    return;
  }
  if (isEmpty(value)) {
    removeSchema(compilation, schemaId);
    return;
  }
  if (!isJsonObject(value)) throw ScimError.invalidValue(`'${schemaId}' must be an object, got ${describe(value)}`);
  for (const [key, inner] of Object.entries(value)) compileKey(compilation, `${schemaId}:${key}`, inner);
}

function removeSchema(compilation: Compilation, schemaId: string): void {
  if (schemaId === compilation.type.schema.id) {
    // The core schema holds the required attributes (RFC 7644 §3.5.2.2: removing them is mutability).
    throw ScimError.mutability(`the core schema '${schemaId}' cannot be removed: it holds required attributes`);
  }
  compilation.steps.push({ kind: 'removeSchema', op: compilation.op, schemaId });
}

function compileKey(compilation: Compilation, key: string, value: unknown): void {
  let parsed: PatchPath;
  try {
    parsed = parsePatchPath(key);
  } catch (error) {
    if (!isScimError(error)) throw error;
    compilation.warnings.push(`ignored unknown attribute '${key}'`);
    return;
  }
  if (!compilation.type.resolve(parsed.attributePath)) {
    compilation.warnings.push(`ignored unknown attribute '${key}'`);
    return;
  }
  const target = targetFromParsed(compilation.type, key, parsed);
  if (isReadOnlyTarget(target)) return;
  compileTarget(compilation, target, value);
}

/** One operation on a resolved, writable target. */
function compileTarget(compilation: Compilation, target: PatchTarget, value: unknown): void {
  const { op } = compilation;
  if (op === 'remove') {
    compileRemove(compilation, target, value);
    return;
  }
  if (value === undefined) throw ScimError.invalidValue(`'${op}' of '${target.text}' needs a value`);
  const definition = target.attribute.attribute;
  const key = target.attribute.key;
  if (definition.multiValued && !target.filter) {
    if (target.sub) refuseEveryElement(target, target.sub);
    compileList(compilation, target, value);
  } else if (target.sub) compileScalar(compilation, target, target.sub, value, `${key}.${target.sub.name}`);
  else if (definition.type === 'complex') compileMerge(compilation, target, value);
  else compileScalar(compilation, target, definition, value, key);
}

/**
 * add/replace of a sub-attribute of a multi-valued attribute without a value filter (`emails.type`)
 * would set it on every element: refused, as elements are addressed through a filter. An
 * immutable sub-attribute (`members.value`) cannot be set on elements that exist (RFC 7643 §2.2).
 */
function refuseEveryElement(target: PatchTarget, sub: AttributeDefinition): never {
  const name = target.attribute.key;
  if (sub.mutability === 'immutable') {
    throw ScimError.mutability(`'${target.text}': '${name}.${sub.name}' is immutable; add or remove whole elements of '${name}' instead`);
  }
  throw ScimError.invalidPath(
    `'${target.text}': '${name}' is multi-valued; use a value filter to address its elements, e.g. ${name}[type eq "work"].${sub.name}`,
  );
}

/**
 * remove (RFC 7644 §3.5.2.2). With a `value` on a multi-valued attribute (no filter), only the
 * listed values go: what IdPs mean by it, and a generic rule for every multi-valued attribute.
 */
function compileRemove(compilation: Compilation, target: PatchTarget, value: unknown): void {
  const { attribute } = target;
  const listsValues = attribute.attribute.multiValued && !target.filter && !target.sub && value !== undefined && value !== null;
  if (!listsValues) {
    compilation.steps.push({ kind: 'remove', op: compilation.op, target });
    return;
  }
  const values = normalizeList(attribute.attribute, value, attribute.key, compilation.warnings, false);
  if (values.length === 0) {
    // A value list that names nothing must not wipe the attribute (the group-wipe bug of naive servers).
    compilation.warnings.push(`'remove ${attribute.key}' listed no values to remove; nothing was removed`);
    return;
  }
  compilation.steps.push({ kind: 'removeValues', op: compilation.op, target, values });
}

/** add appends (adding nothing is no step); replace makes the list, and an empty one removes. */
function compileList(compilation: Compilation, target: PatchTarget, value: unknown): void {
  const values = normalizeList(target.attribute.attribute, value, target.attribute.key, compilation.warnings, true);
  if (compilation.op === 'add') {
    if (values.length > 0) compilation.steps.push({ kind: 'append', op: compilation.op, target, values });
  } else if (values.length > 0) compilation.steps.push({ kind: 'replaceAll', op: compilation.op, target, values });
  else compilation.steps.push({ kind: 'remove', op: compilation.op, target });
}

/** A single value: a simple attribute or a sub-attribute; blank removes it. */
function compileScalar(compilation: Compilation, target: PatchTarget, definition: AttributeDefinition, value: unknown, path: string): void {
  const normalized = normalizeForWrite(definition, value, path, compilation.warnings);
  compilation.steps.push(
    normalized === CLEAR ? { kind: 'remove', op: compilation.op, target } : { kind: 'set', op: compilation.op, target, value: normalized },
  );
}

/**
 * An object for a complex value (§3.5.2.3: sub-attributes not given are left unchanged), or for
 * the elements a value filter selects; blank, without sub-attributes to clear, removes.
 */
function compileMerge(compilation: Compilation, target: PatchTarget, value: unknown): void {
  const definition = target.attribute.attribute;
  const element = definition.multiValued;
  const raw = element ? singleElement(target.text, value) : value;
  const cleared = clearedSubAttributes(definition, raw);
  const normalized = normalizeForWrite(definition, raw, target.attribute.key, compilation.warnings, {
    element,
    clearsSomething: cleared.length > 0,
  });
  if (normalized === CLEAR && cleared.length === 0) compilation.steps.push({ kind: 'remove', op: compilation.op, target });
  else compilation.steps.push({ kind: 'merge', op: compilation.op, target, value: isJsonObject(normalized) ? normalized : {}, cleared });
}
