import { ScimError } from '../../scim/errors.js';
import type { ResolvedFilter } from '../../scim/filter/ast.js';
import type { PatchOperation, PatchOperationName } from '../../scim/messages/patch-request.js';
import { compilePatch, normalizeForWrite, type PatchStep } from '../../scim/patch/index.js';
import { GROUP_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { describe, isJsonObject } from '../../scim/schema/value-normalizer.js';

/** One change to a role's member list, in the order the request gives them. */
export type MembershipChange =
  | { readonly kind: 'add'; readonly ids: readonly string[] }
  | { readonly kind: 'remove'; readonly ids: readonly string[] }
  | { readonly kind: 'removeAll' }
  | { readonly kind: 'replace'; readonly ids: readonly string[] };

export interface MembershipPlan {
  /** The displayName the request asserts (the last one); the caller checks it against the role's name. */
  readonly displayName?: string;
  readonly changes: readonly MembershipChange[];
  /** Ignored input, each prefixed with its operation, for the provisioning log. */
  readonly warnings: readonly string[];
}

/** The Group schema's `members` attribute. */
const MEMBERS = (() => {
  const members = GROUP_RESOURCE_TYPE.resolve('members');
  if (!members) throw new TypeError('the Group schema defines no members');
  return members.attribute;
})();

/** A step that addresses an attribute (every kind but removeSchema). */
type TargetStep = Exclude<PatchStep, { kind: 'removeSchema' }>;

/**
 * Reads a Group PATCH as changes to a role's member list, from the steps the PATCH compiler
 * (scim/patch) makes of it, so a role's members are never loaded or rewritten: each change names
 * the users it moves (docs/rules/roles.md). Pure: it reads no storage.
 * - `members`: add, replace or remove the listed users; remove without a value removes every
 *   member; remove through `members[value eq "id"]` (`or`-joined ids) removes those users.
 * - `displayName` is an assertion (roles are renamed only in Roster); removing it is mutability,
 *   as it is required (RFC 7644 §3.5.2.2).
 * - `externalId` is ignored with a warning: roles have none.
 * - Member sub-attributes are mutability (add or remove the member instead); add/replace through
 *   a members filter is invalidPath.
 */
export function planMembership(operations: readonly PatchOperation[]): MembershipPlan {
  const changes: MembershipChange[] = [];
  let displayName: string | undefined;
  const warnings = compilePatch(GROUP_RESOURCE_TYPE, operations, (steps, own) => {
    for (const step of steps) {
      if (step.kind === 'removeSchema') throw new TypeError(`a Group has no schema extension to remove (${step.schemaId})`);
      switch (step.target.attribute.attribute.name) {
        case 'members':
          changes.push(memberChange(step));
          break;
        case 'displayName':
          displayName = assertedName(step);
          break;
        case 'externalId':
          own.push('ignored externalId: Roster roles have no external id');
          break;
        default:
          // The compiler refuses read-only attributes (id, meta), and a Group has no other.
          throw ScimError.mutability(`'${step.target.text}' cannot be changed on a role`);
      }
    }
  });
  return { ...(displayName !== undefined ? { displayName } : {}), changes, warnings };
}

/**
 * The members of a PUT /Groups body, read as a PATCH `replace` of `members` reads them: blank
 * means none, and elements with only read-only parts (`display`) are invalidValue.
 */
export function replaceMembers(value: unknown, warnings: string[]): MembershipChange {
  const normalized = normalizeForWrite(MEMBERS, value, 'members', warnings);
  return { kind: 'replace', ids: Array.isArray(normalized) ? memberIds(normalized) : [] };
}

function memberChange(step: TargetStep): MembershipChange {
  const { target } = step;
  if (target.sub) throw ScimError.mutability('member sub-attributes cannot be changed; add or remove the member');
  switch (step.kind) {
    case 'append':
      return { kind: 'add', ids: memberIds(step.values) };
    case 'replaceAll':
      return { kind: 'replace', ids: memberIds(step.values) };
    case 'removeValues':
      return { kind: 'remove', ids: memberIds(step.values) };
    case 'remove':
      if (!target.filter) return { kind: 'removeAll' };
      if (step.op !== 'remove') refuseFilteredWrite(step.op); // a blank add/replace value through a filter
      return { kind: 'remove', ids: idsFromFilter(target.filter) };
    case 'set':
    case 'merge':
      // The compiler sends add/replace of `members` itself as append/replaceAll: these come through a filter.
      return refuseFilteredWrite(step.op);
    default: {
      const impossible: never = step;
      throw new TypeError(`unknown PATCH step ${JSON.stringify(impossible)}`);
    }
  }
}

function refuseFilteredWrite(op: PatchOperationName): never {
  throw ScimError.invalidPath(`${op} with a members filter is not supported; use add with a value list`);
}

function assertedName(step: TargetStep): string {
  if (step.kind === 'remove') throw ScimError.mutability("'displayName' is required and cannot be removed (RFC 7644 §3.5.2.2)");
  if (step.kind !== 'set' || typeof step.value !== 'string') throw new TypeError(`displayName takes a string, not a ${step.kind} step`);
  return step.value;
}

/** Member ids from canonical member values (`{"value": id, "type": …}`). */
function memberIds(values: readonly unknown[]): string[] {
  return values.map((element, i) => {
    const id = isJsonObject(element) ? element.value : undefined;
    if (typeof id === 'string' && id !== '') return id;
    throw ScimError.invalidValue(`member ${i} needs a string 'value' (the user id), got ${describe(element)}`);
  });
}

/** Ids named by `value eq "id"` comparisons joined with `or`: which users to remove, without reading the role's members. */
function idsFromFilter(filter: ResolvedFilter): string[] {
  switch (filter.kind) {
    case 'or':
      return [...idsFromFilter(filter.left), ...idsFromFilter(filter.right)];
    case 'compare':
      if (filter.op === 'eq' && filter.attribute.subAttribute?.name === 'value' && typeof filter.value === 'string') {
        return [filter.value];
      }
      break;
    case 'and':
    case 'not':
    case 'present':
    case 'valuePath':
      break;
    default: {
      const impossible: never = filter;
      throw new TypeError(`unknown filter ${JSON.stringify(impossible)}`);
    }
  }
  throw ScimError.invalidPath('a members filter must compare \'value eq "<user id>"\'');
}
