import { ScimError } from '../errors.js';
import { URN } from '../schema/urns.js';
import { describe, isJsonObject } from '../schema/value-normalizer.js';

/** The operations of RFC 7644 §3.5.2, lower-cased. */
export type PatchOperationName = 'add' | 'remove' | 'replace';

/** One PATCH operation as read from the wire: `op` normalised, `path` and `value` as sent. */
export interface PatchOperation {
  op: PatchOperationName;
  path?: string;
  value?: unknown;
}

export interface PatchRequestLimits {
  /** Most operations accepted in one request (default 1000); more → 400 tooMany. */
  maxOperations?: number;
}

export const DEFAULT_MAX_PATCH_OPERATIONS = 1000;

const OPERATION_NAMES: readonly PatchOperationName[] = ['add', 'remove', 'replace'];

/**
 * Reads a PatchOp message body (RFC 7644 §3.5.2). Tolerant where IdPs differ from the RFC:
 * `op` in any case (Entra sends "Add"/"Replace"/"Remove"), member names (`Operations`, `op`,
 * `path`, `value`, `schemas`) in any case, a missing `schemas` list, and `"path": null` read as
 * no path. A `schemas` list that does not name the PatchOp schema is rejected.
 * Only the message shape is checked here; paths and values are checked by the PATCH engine.
 */
export function parsePatchRequest(body: unknown, limits: PatchRequestLimits = {}): PatchOperation[] {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax(`the PATCH body must be a JSON object, got ${describe(body)}`);
  const members = caseInsensitiveMembers(body, 'the PATCH body');
  checkSchemas(members.get('schemas'));

  const operations = members.get('operations');
  if (operations === undefined || operations === null) {
    throw ScimError.invalidSyntax("the PATCH body must have an 'Operations' array");
  }
  if (!Array.isArray(operations)) {
    throw ScimError.invalidSyntax(`'Operations' must be an array, got ${describe(operations)}`);
  }
  if (operations.length === 0) throw ScimError.invalidSyntax("'Operations' must contain at least one operation");
  const max = limits.maxOperations ?? DEFAULT_MAX_PATCH_OPERATIONS;
  if (operations.length > max) {
    throw ScimError.tooMany(`a PATCH request may contain at most ${max} operations, got ${operations.length}`);
  }
  return operations.map((operation, index) => parseOperation(operation, index));
}

function checkSchemas(schemas: unknown): void {
  if (schemas === undefined || schemas === null) return;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string')) {
    throw ScimError.invalidSyntax("'schemas' must be an array of schema URNs");
  }
  const patchOp = URN.patchOp.toLowerCase();
  if (!schemas.some((s: string) => s.trim().toLowerCase() === patchOp)) {
    throw ScimError.invalidSyntax(`a PATCH request must list the schema ${URN.patchOp}`);
  }
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isJsonObject(raw)) throw ScimError.invalidSyntax(`${where} must be an object, got ${describe(raw)}`);
  const members = caseInsensitiveMembers(raw, where);

  const op = members.get('op');
  if (typeof op !== 'string') throw ScimError.invalidSyntax(`${where} needs an 'op' string, got ${describe(op)}`);
  const name = op.trim().toLowerCase() as PatchOperationName;
  if (!OPERATION_NAMES.includes(name)) {
    throw ScimError.invalidSyntax(`${where}: unknown op ${JSON.stringify(op)}; expected "add", "remove" or "replace"`);
  }

  const path = members.get('path');
  if (path !== undefined && path !== null && typeof path !== 'string') {
    throw ScimError.invalidSyntax(`${where}: 'path' must be a string, got ${describe(path)}`);
  }

  const hasValue = members.has('value');
  // RFC 7644 §3.5.2.1/§3.5.2.3: add and replace MUST carry a value (null is a value: "clear").
  if (name !== 'remove' && !hasValue) throw ScimError.invalidSyntax(`${where}: '${name}' needs a 'value'`);

  const operation: PatchOperation = { op: name };
  if (typeof path === 'string') operation.path = path;
  if (hasValue) operation.value = members.get('value');
  return operation;
}

/** Member names folded to lower case; two spellings of one name are ambiguous and rejected. */
function caseInsensitiveMembers(object: Record<string, unknown>, where: string): Map<string, unknown> {
  const members = new Map<string, unknown>();
  for (const [key, value] of Object.entries(object)) {
    const lower = key.toLowerCase();
    if (members.has(lower)) throw ScimError.invalidSyntax(`${where} has the member '${key}' more than once`);
    // `"value": undefined` cannot come from JSON; treat it like an absent member.
    if (value !== undefined) members.set(lower, value);
  }
  return members;
}
