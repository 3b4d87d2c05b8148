import { isScimError, ScimError } from '../errors.js';
import type { PatchOperation } from '../messages/patch-request.js';
import { checkValueCounts, type ScimResource } from '../schema/resource-checker.js';
import type { ResourceType } from '../schema/resource-type.js';
import { type PatchContext, refuseSchemasPath, schemaNamed } from './patch-context.js';
import { isReadOnlyTarget, resolveTarget } from './patch-target.js';
import { applyPathless, applySchemaValue, removeSchema } from './pathless-ops.js';
import { settleResource } from './resource-invariants.js';
import { applyToTarget } from './target-ops.js';

export interface PatchResult {
  /** The patched resource, canonical (a new object; the input is untouched). */
  readonly resource: ScimResource;
  /** Input that was ignored (unknown attributes), each prefixed with its operation, for the provisioning log. */
  readonly warnings: string[];
}

/**
 * The PATCH engine (RFC 7644 §3.5.2) with the dialects Entra, Okta and OneLogin send.
 * Where the RFC is silent or IdPs differ, these choices hold (tests pin each one):
 * - add on a single-valued attribute acts as replace; add/replace on a complex single-valued
 *   attribute (name, manager) merges sub-attributes (§3.5.2.3); a blank value (null, "",
 *   `[{"value":null}]`) removes; a value with content that normalises to nothing (only unknown
 *   or read-only members, e.g. `{"managerId": …}`) is invalidValue rather than a silent no-op.
 * - Extension attributes need their URN: a bare `manager` is not a core attribute, so it is
 *   invalidPath as a path and an ignored unknown key (with a warning) in a path-less value.
 * - remove `members` with a `value` removes only the listed elements (Entra's default dialect);
 *   a value that lists nothing removes nothing (warning); no value removes the attribute.
 * - A filtered add/replace that matches nothing creates the element described by the filter's
 *   `eq`/`and` comparisons, which must still match after the value is applied; otherwise noTarget.
 *   On a single-valued complex attribute (`…:manager[value eq "m1"]`) a filter that does not
 *   match is noTarget for add/replace and a no-op for remove.
 * - Removing the `value` sub-attribute of an element removes the element; `remove emails.type`
 *   (no filter) removes the sub-attribute from every element; add/replace of it is invalidPath.
 * - Equal elements: same `value` (caseExact per the `value` sub-attribute), else structural
 *   equality. An immutable sub-attribute (members.value/type/$ref) may be set while absent,
 *   re-sent unchanged, or removed with its element, never changed (mutability).
 * - When `value` of a complex value changes, its read-only derived sub-attributes
 *   (manager.displayName, $ref, display) are dropped instead of describing the old value.
 * - One primary per attribute: the element the latest operation made primary wins.
 */

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a copy of a canonical resource, all or nothing:
 * the first bad operation throws a ScimError (its detail names the operation) and nothing is
 * applied. After each operation no multi-valued attribute may hold more values than its
 * `maxItems` (or than the stored resource already had). The result is re-settled: empty values
 * dropped, one primary per multi-valued attribute, required and non-removable attributes present.
 */
export function applyPatch(type: ResourceType, resource: ScimResource, operations: readonly PatchOperation[]): PatchResult {
  const working = structuredClone(resource);
  const warnings: string[] = [];
  operations.forEach((operation, index) => {
    const context: PatchContext = { type, resource: working, warnings: [] };
    try {
      applyOperation(context, operation);
      // After every operation, not only at the end: the lists an operation works on stay bounded.
      checkValueCounts(type, working, resource);
    } catch (error) {
      if (!isScimError(error)) throw error;
      throw new ScimError(error.code, `Operations[${index}] (${describeOperation(operation)}): ${error.detail}`);
    }
    for (const warning of context.warnings) warnings.push(`Operations[${index}]: ${warning}`);
  });
  settleResource(type, working, resource);
  return { resource: working, warnings };
}

function applyOperation(context: PatchContext, operation: PatchOperation): void {
  const { op, path, value } = operation;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') throw ScimError.invalidSyntax(`unknown op ${JSON.stringify(op)}`);
  if (path !== undefined && typeof path !== 'string') throw ScimError.invalidSyntax("'path' must be a string");

  if (path === undefined) {
    // RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with … "noTarget"".
    if (op === 'remove') throw ScimError.noTarget("'remove' needs a path");
    if (value === undefined) throw ScimError.invalidValue(`'${op}' needs a value`);
    applyPathless(context, op, value);
    return;
  }
  const text = path.trim();
  if (text === '') throw ScimError.invalidPath("'path' is empty");
  refuseSchemasPath(text);

  // A schema URN as the path: the extension's attributes as a whole (`urn:…:enterprise:2.0:User`).
  const schema = schemaNamed(context.type, text);
  if (schema) {
    if (op === 'remove') removeSchema(context, schema.id);
    else if (value === undefined) throw ScimError.invalidValue(`'${op}' needs a value`);
    else applySchemaValue(context, op, schema.id, value);
    return;
  }

  const target = resolveTarget(context.type, text);
  if (isReadOnlyTarget(target)) throw ScimError.mutability(`'${text}' is read-only`);
  applyToTarget(context, op, target, value);
}

function describeOperation(operation: PatchOperation): string {
  return typeof operation.path === 'string' ? `${operation.op} ${operation.path}` : `${operation.op} without a path`;
}
