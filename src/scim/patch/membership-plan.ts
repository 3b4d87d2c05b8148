import { ScimError } from '../errors.js';
import type { ResolvedFilter } from '../filter/ast.js';
import { resolvePatchPath } from '../filter/filter-resolver.js';
import { parsePatchPath } from '../filter/patch-path-parser.js';
import type { PatchOperation } from '../messages/patch-request.js';
import { GROUP_RESOURCE_TYPE } from '../schema/resource-type.js';
import { describe, isJsonObject } from '../schema/value-normalizer.js';
import { refuseSchemasPath } from './patch-context.js';

/** One change to a Group's member list, in the order the request gives them. */
export type MembershipStep =
  | { readonly kind: 'add'; readonly ids: readonly string[] }
  | { readonly kind: 'remove'; readonly ids: readonly string[] }
  | { readonly kind: 'removeAll' }
  | { readonly kind: 'replace'; readonly ids: readonly string[] };

export interface GroupPatchPlan {
  /** A displayName the request asserts (`null`: it asks to remove it). */
  readonly displayName?: string | null;
  readonly steps: readonly MembershipStep[];
  readonly warnings: readonly string[];
}

/**
 * Reads a PATCH on a Group as membership deltas, so a server can apply it without loading or
 * rewriting the member list (RFC 7644 §3.5.2 semantics, with the IdP dialects):
 * - `add`/`replace` of `members` with a value list; `remove` of `members` with a value list
 *   removes only those members (Entra's default dialect); `remove` of `members` with neither
 *   value nor filter removes all;
 * - `remove` of `members[value eq "id"]` (and `or`-joined ids);
 * - path-less `add`/`replace` whose value holds `members` and/or `displayName`; read-only keys
 *   such as `id` (Okta) are ignored.
 */
export function planGroupPatch(operations: readonly PatchOperation[]): GroupPatchPlan {
  const steps: MembershipStep[] = [];
  const warnings: string[] = [];
  let displayName: string | null | undefined;
  const setDisplayName = (value: unknown) => {
    if (value === null || value === undefined || value === '') displayName = null;
    else if (typeof value === 'string') displayName = value;
    else throw ScimError.invalidValue(`'displayName' must be a string, got ${describe(value)}`);
  };

  operations.forEach((operation, index) => {
    const where = `Operations[${index}]`;
    if (operation.path === undefined) {
      if (operation.op === 'remove') throw ScimError.noTarget(`${where}: a remove operation needs a path`);
      if (!isJsonObject(operation.value)) throw ScimError.invalidValue(`${where}: a path-less ${operation.op} needs an object value`);
      for (const [key, value] of Object.entries(operation.value)) {
        const name = key.toLowerCase();
        if (name === 'members') steps.push(memberStep(operation.op, memberIds(value, where)));
        else if (name === 'displayname') setDisplayName(value);
        else if (name === 'id' || name === 'meta' || name === 'schemas' || name === 'externalid') continue;
        else warnings.push(`ignored unknown Group attribute '${key}'`);
      }
      return;
    }
    refuseSchemasPath(operation.path, `${where}: `);
    const path = resolvePatchPath(parsePatchPath(operation.path), GROUP_RESOURCE_TYPE);
    const attribute = path.attribute.attribute.name;
    if (attribute === 'displayName') {
      if (operation.op === 'remove') {
        // RFC 7644 §3.5.2.2: removing a required attribute is mutability.
        throw ScimError.mutability(`${where}: 'displayName' is required and cannot be removed (RFC 7644 §3.5.2.2)`);
      }
      setDisplayName(operation.value);
      return;
    }
    if (attribute === 'externalId') {
      warnings.push('ignored externalId: Roster roles have no external id');
      return;
    }
    if (attribute !== 'members') throw ScimError.mutability(`${where}: '${operation.path}' is read-only`);
    if (path.subAttribute || path.attribute.subAttribute) {
      throw ScimError.mutability(`${where}: member sub-attributes cannot be changed; add or remove the member`);
    }
    if (path.filter) {
      if (operation.op !== 'remove') {
        throw ScimError.invalidPath(`${where}: ${operation.op} with a members filter is not supported; use add with a value list`);
      }
      steps.push({ kind: 'remove', ids: idsFromFilter(path.filter, where) });
      return;
    }
    if (operation.op === 'remove') {
      const hasValue = operation.value !== undefined && operation.value !== null;
      steps.push(hasValue ? { kind: 'remove', ids: memberIds(operation.value, where) } : { kind: 'removeAll' });
      return;
    }
    steps.push(memberStep(operation.op, memberIds(operation.value, where)));
  });
  return { ...(displayName !== undefined ? { displayName } : {}), steps, warnings };
}

function memberStep(op: 'add' | 'replace', ids: string[]): MembershipStep {
  return op === 'add' ? { kind: 'add', ids } : { kind: 'replace', ids };
}

/** Member ids from `[{"value": id, "display": …, "$ref": null}]`, a single object, or bare id strings. */
export function memberIds(value: unknown, where: string): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    if (typeof item === 'string' && item !== '') return item;
    if (isJsonObject(item)) {
      const entry = Object.entries(item).find(([k]) => k.toLowerCase() === 'value');
      if (entry && typeof entry[1] === 'string' && entry[1] !== '') return entry[1];
    }
    throw ScimError.invalidValue(`${where}: member ${i} needs a string 'value' (the user id), got ${describe(item)}`);
  });
}

/** Ids named by `value eq "id"` comparisons joined with `or`. */
function idsFromFilter(filter: ResolvedFilter, where: string): string[] {
  switch (filter.kind) {
    case 'or':
      return [...idsFromFilter(filter.left, where), ...idsFromFilter(filter.right, where)];
    case 'compare':
      if (filter.op === 'eq' && filter.attribute.subAttribute?.name === 'value' && typeof filter.value === 'string') {
        return [filter.value];
      }
      break;
    default:
      break;
  }
  throw ScimError.invalidPath(`${where}: a members filter must compare 'value eq "<user id>"'`);
}
