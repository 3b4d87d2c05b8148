import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PATCH_OP, scimErrorOf, storedGroup } from '../../../test/support/patch-fixtures.js';
import type { ScimErrorCode } from '../../scim/errors.js';
import { ScimError } from '../../scim/errors.js';
import { type PatchOperation, parsePatchRequest } from '../../scim/messages/patch-request.js';
import { applyPatch } from '../../scim/patch/index.js';
import { GROUP_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { type MembershipChange, type MembershipPlan, planMembership, replaceMembers } from './group-membership.js';

/** A wire body through the request parser, the PATCH compiler and the interpreter, as PATCH /Groups/{id} does. */
const plan = (...operations: unknown[]): MembershipPlan =>
  planMembership(parsePatchRequest({ schemas: [PATCH_OP], Operations: operations }));

interface Case {
  readonly name: string;
  readonly ops: unknown[];
  readonly changes?: MembershipChange[];
  readonly displayName?: string;
  readonly error?: ScimErrorCode;
  readonly warnings?: number;
}

function run(cases: Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.error) {
      expect(scimErrorOf(() => plan(...c.ops)).code).toBe(c.error);
      return;
    }
    const result = plan(...c.ops);
    expect(result.changes).toStrictEqual(c.changes ?? []);
    expect(result.displayName).toBe(c.displayName);
    expect(result.warnings).toHaveLength(c.warnings ?? 0);
  });
}

describe('Group PATCH as membership changes: members', () => {
  run([
    {
      name: 'Entra E-G5: Add members [{"$ref":null,"value":…}]',
      ops: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }],
      changes: [{ kind: 'add', ids: ['f648f8d5ea4e4cd38e9c'] }],
    },
    {
      name: 'add several members in one operation, in order',
      ops: [{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }] }],
      changes: [{ kind: 'add', ids: ['u1', 'u2', 'u3'] }],
    },
    {
      name: "Okta's read-only display is ignored",
      ops: [{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'Someone else' }] }],
      changes: [{ kind: 'add', ids: ['u1'] }],
    },
    {
      name: 'member ids are kept as sent (members.value is caseExact)',
      ops: [{ op: 'add', path: 'members', value: { value: 'U1' } }],
      changes: [{ kind: 'add', ids: ['U1'] }],
    },
    {
      name: 'a URN-prefixed path and a member name in any case',
      ops: [{ op: 'add', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:members', value: [{ VALUE: 'u5' }] }],
      changes: [{ kind: 'add', ids: ['u5'] }],
    },
    {
      name: 'Entra E-G6: Remove members with a value list removes only those members',
      ops: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }] }],
      changes: [{ kind: 'remove', ids: ['u1'] }],
    },
    {
      name: 'Remove members with a value list of only read-only parts removes nothing (warning)',
      ops: [{ op: 'Remove', path: 'members', value: [{ display: 'Ann' }] }],
      warnings: 1,
    },
    {
      name: 'Remove members with an empty value list removes nothing (warning), never everyone',
      ops: [{ op: 'Remove', path: 'members', value: [] }],
      warnings: 1,
    },
    {
      name: 'Entra (flag) / Okta: remove members[value eq "…"]',
      ops: [{ op: 'remove', path: 'members[value eq "u2"]' }],
      changes: [{ kind: 'remove', ids: ['u2'] }],
    },
    {
      name: 'remove members[value eq …] keeps the id as sent (caseExact)',
      ops: [{ op: 'remove', path: 'members[value eq "U2"]' }],
      changes: [{ kind: 'remove', ids: ['U2'] }],
    },
    {
      name: 'or-joined ids in a members filter',
      ops: [{ op: 'remove', path: 'members[value eq "u1" or value eq "u2"]' }],
      changes: [{ kind: 'remove', ids: ['u1', 'u2'] }],
    },
    {
      name: 'two filtered removes in one request',
      ops: [
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'remove', path: 'members[value eq "u2"]' },
      ],
      changes: [
        { kind: 'remove', ids: ['u1'] },
        { kind: 'remove', ids: ['u2'] },
      ],
    },
    {
      name: 'remove members without a value removes all members',
      ops: [{ op: 'remove', path: 'members' }],
      changes: [{ kind: 'removeAll' }],
    },
    {
      name: 'Okta membership delta: remove by filter, add with display, in order',
      ops: [
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'add', path: 'members', value: [{ value: '23a35c27', display: 'test.user@okta.local' }] },
      ],
      changes: [
        { kind: 'remove', ids: ['u1'] },
        { kind: 'add', ids: ['23a35c27'] },
      ],
    },
    {
      name: 'Okta full push: replace members',
      ops: [
        {
          op: 'replace',
          path: 'members',
          value: [
            { value: 'u2', display: 'Bob' },
            { value: 'u3', display: 'Cid' },
          ],
        },
      ],
      changes: [{ kind: 'replace', ids: ['u2', 'u3'] }],
    },
    {
      name: 'replace members with an empty list removes all',
      ops: [{ op: 'replace', path: 'members', value: [] }],
      changes: [{ kind: 'removeAll' }],
    },
    {
      name: 'replace members with null removes all',
      ops: [{ op: 'replace', path: 'members', value: null }],
      changes: [{ kind: 'removeAll' }],
    },
    {
      name: 'path-less replace {members:[…]}',
      ops: [{ op: 'replace', value: { members: [{ value: 'u3' }] } }],
      changes: [{ kind: 'replace', ids: ['u3'] }],
    },
    {
      name: 'path-less add {members:[…]} adds',
      ops: [{ op: 'add', value: { members: [{ value: 'u3' }, { value: 'u1' }] } }],
      changes: [{ kind: 'add', ids: ['u3', 'u1'] }],
    },
    {
      name: 'add members with blank elements changes nothing',
      ops: [{ op: 'add', path: 'members', value: [{ $ref: null, value: null }] }],
    },
    {
      name: 'add or replace through a members filter is invalidPath (use add with a value list)',
      ops: [{ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u1', type: 'User' } }],
      error: 'invalidPath',
    },
    {
      name: 'a filtered add with a blank value is invalidPath too, not a removal',
      ops: [{ op: 'add', path: 'members[value eq "u1"]', value: null }],
      error: 'invalidPath',
    },
    {
      name: 'a members filter on anything but value is invalidPath',
      ops: [{ op: 'remove', path: 'members[type eq "User"]' }],
      error: 'invalidPath',
    },
    {
      name: 'changing a member value through a filter is mutability',
      ops: [{ op: 'replace', path: 'members[value eq "u1"].value', value: 'u9' }],
      error: 'mutability',
    },
    {
      name: 'removing a member sub-attribute is mutability (remove the member instead)',
      ops: [{ op: 'remove', path: 'members[value eq "u1"].value' }],
      error: 'mutability',
    },
    { name: 'members.value without a filter is mutability', ops: [{ op: 'add', path: 'members.value', value: 'u1' }], error: 'mutability' },
    { name: 'members.display is read-only as a path', ops: [{ op: 'replace', path: 'members.display', value: 'X' }], error: 'mutability' },
    {
      name: 'an unknown member sub-attribute is invalidPath',
      ops: [{ op: 'remove', path: 'members[value eq "u1"].email' }],
      error: 'invalidPath',
    },
    { name: 'a non-object member is invalidValue', ops: [{ op: 'add', path: 'members', value: [['u1']] }], error: 'invalidValue' },
    {
      name: 'a member without a value is invalidValue',
      ops: [{ op: 'add', path: 'members', value: [{ type: 'User', $ref: 'x' }] }],
      error: 'invalidValue',
    },
    {
      name: 'replace members with only read-only display parts is invalidValue (never wipes the role)',
      ops: [{ op: 'replace', path: 'members', value: [{ display: 'Ann' }] }],
      error: 'invalidValue',
    },
  ]);
});

describe('Group PATCH as membership changes: other attributes', () => {
  run([
    {
      name: 'Okta: path-less replace {id, displayName} ignores the read-only id',
      ops: [{ op: 'replace', value: { id: 'abf4dd94-0000', displayName: 'Test SCIMv2' } }],
      displayName: 'Test SCIMv2',
    },
    {
      name: 'Entra E-G4: Replace displayName',
      ops: [{ op: 'Replace', path: 'displayName', value: '1879db59updatedDisplayName' }],
      displayName: '1879db59updatedDisplayName',
    },
    {
      name: 'the last asserted displayName counts',
      ops: [
        { op: 'replace', path: 'displayName', value: 'Owners' },
        { op: 'replace', value: { displayName: 'Admin' } },
      ],
      displayName: 'Admin',
    },
    {
      name: 'path-less members.display is read-only (ignored); externalId is ignored with a warning',
      ops: [{ op: 'replace', value: { 'members.display': 'x', externalId: 'ext-1' } }],
      warnings: 1,
    },
    { name: 'a path to externalId is ignored with a warning', ops: [{ op: 'replace', path: 'externalId', value: 'e' }], warnings: 1 },
    {
      name: 'unknown path-less keys are ignored with a warning each',
      ops: [{ op: 'add', value: { colour: 'red', size: 2 } }],
      warnings: 2,
    },
    // Issue 13, defect 11: RFC 7644 §3.5.2.2 makes removing a required attribute "mutability".
    { name: 'defect 11: removing displayName is mutability (required)', ops: [{ op: 'remove', path: 'displayName' }], error: 'mutability' },
    {
      name: 'defect 11: replacing displayName with null is mutability (required)',
      ops: [{ op: 'replace', value: { displayName: null } }],
      error: 'mutability',
    },
    { name: 'defect 11: remove schemas is mutability', ops: [{ op: 'remove', path: 'schemas' }], error: 'mutability' },
    { name: 'remove id is mutability', ops: [{ op: 'remove', path: 'id' }], error: 'mutability' },
    {
      name: 'the core schema cannot be removed',
      ops: [{ op: 'remove', path: 'urn:ietf:params:scim:schemas:core:2.0:Group' }],
      error: 'mutability',
    },
    { name: 'a User attribute is unknown on a Group', ops: [{ op: 'replace', path: 'userName', value: 'x' }], error: 'invalidPath' },
    { name: 'remove without a path is noTarget', ops: [{ op: 'remove', value: { members: [] } }], error: 'noTarget' },
  ]);

  it('the group request from Entra: several member adds and removes in one PATCH, in order', () => {
    const result = plan(
      {
        op: 'Add',
        path: 'members',
        value: [
          { $ref: null, value: 'u3' },
          { $ref: null, value: 'u4' },
        ],
      },
      {
        op: 'Remove',
        path: 'members',
        value: [
          { $ref: null, value: 'u1' },
          { $ref: null, value: 'u3' },
        ],
      },
    );
    expect(result.changes).toStrictEqual([
      { kind: 'add', ids: ['u3', 'u4'] },
      { kind: 'remove', ids: ['u1', 'u3'] },
    ]);
  });

  it('an error names the first operation that fails, whether the compiler or the interpreter refuses it', () => {
    const interpreter = scimErrorOf(() =>
      plan({ op: 'add', path: 'members', value: [{ value: 'u1' }] }, { op: 'remove', path: 'displayName' }, { op: 'remove', path: 'nope' }),
    );
    expect(interpreter.detail).toMatch(/^Operations\[1\] \(remove displayName\): 'displayName' is required and cannot be removed/);
    const compiler = scimErrorOf(() => plan({ op: 'remove', path: 'nope' }, { op: 'remove', path: 'displayName' }));
    expect(compiler.detail).toMatch(/^Operations\[0\] \(remove nope\): /);
  });

  it('warnings name their operation', () => {
    expect(plan({ op: 'add', path: 'members', value: [] }, { op: 'replace', path: 'externalId', value: 'e' }).warnings).toStrictEqual([
      'Operations[1]: ignored externalId: Roster roles have no external id',
    ]);
  });
});

describe('PUT /Groups members', () => {
  it('reads members as a PATCH replace of members does', () => {
    const warnings: string[] = [];
    expect(replaceMembers([{ value: 'u1', display: 'Ann' }, 'u2', { value: 'u3', colour: 'red' }], warnings)).toStrictEqual({
      kind: 'replace',
      ids: ['u1', 'u2', 'u3'],
    });
    expect(warnings).toHaveLength(1);
    expect(replaceMembers(undefined, [])).toStrictEqual({ kind: 'replace', ids: [] });
    expect(replaceMembers([], [])).toStrictEqual({ kind: 'replace', ids: [] });
    expect(scimErrorOf(() => replaceMembers([{ display: 'Ann' }], [])).code).toBe('invalidValue');
    expect(scimErrorOf(() => replaceMembers([{ type: 'User', $ref: 'x' }], [])).code).toBe('invalidValue');
  });
});

const memberIds = fc.constantFrom('u1', 'u2', 'u3', 'U1', 'u4');
const memberList = fc.array(
  fc.oneof(
    memberIds.map((value) => ({ value })),
    memberIds.map((value) => ({ value, display: 'D', $ref: null })),
    memberIds,
  ),
  { maxLength: 4 },
);
const idFilter = fc
  .uniqueArray(memberIds, { minLength: 1, maxLength: 3 })
  .map((ids) => `members[${ids.map((id) => `value eq "${id}"`).join(' or ')}]`);

/** Operations that change members the way IdPs do, in every form the compiler accepts for them. */
const memberOperation: fc.Arbitrary<PatchOperation> = fc.oneof(
  fc.record({ op: fc.constantFrom<PatchOperation['op']>('add', 'replace', 'remove'), path: fc.constant('members'), value: memberList }),
  fc.record({ op: fc.constant<PatchOperation['op']>('remove'), path: fc.constantFrom('members', 'MEMBERS') }),
  fc.record({ op: fc.constant<PatchOperation['op']>('remove'), path: idFilter }),
  fc.record({ op: fc.constantFrom<PatchOperation['op']>('add', 'replace'), value: memberList.map((members) => ({ members, id: 'g1' })) }),
);

/** What the service does with the changes, on a set of member ids (every id a known user). */
function membersAfter(start: readonly string[], changes: readonly MembershipChange[]): string[] {
  let members = new Set(start);
  for (const change of changes) {
    if (change.kind === 'add') for (const id of change.ids) members.add(id);
    else if (change.kind === 'remove') for (const id of change.ids) members.delete(id);
    else if (change.kind === 'removeAll') members = new Set();
    else members = new Set(change.ids);
  }
  return [...members].sort();
}

describe('property: the membership interpreter and the resource applier read the same steps alike', () => {
  it('the members a plan leaves are those applyPatch leaves on the Group resource', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(memberIds, { maxLength: 4 }),
        fc.array(memberOperation, { minLength: 1, maxLength: 4 }),
        (start, operations) => {
          const group = { ...storedGroup(), members: start.map((value) => ({ value })) };
          if (start.length === 0) delete (group as { members?: unknown }).members;
          const planned = planMembership(operations);
          const applied = applyPatch(GROUP_RESOURCE_TYPE, group, operations).resource;
          const appliedIds = ((applied.members as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
          expect(membersAfter(start, planned.changes)).toStrictEqual(appliedIds);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('any Group PATCH is planned or refused with a ScimError, never anything else', () => {
    const path = fc.constantFrom(
      'members',
      'members.value',
      'members.display',
      'members.type',
      'members[value eq "u1"]',
      'members[value eq "u1"].type',
      'members[type eq "User"]',
      'displayName',
      'externalId',
      'id',
      'meta.lastModified',
      'schemas',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      'urn:ietf:params:scim:schemas:core:2.0:Group:displayName',
      'userName',
    );
    const value = fc.oneof(
      memberList,
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom<unknown>(null, '', 'Admin', { members: [{ value: 'u1' }] }),
    );
    const operation = fc.oneof(
      fc.record({ op: fc.constantFrom<PatchOperation['op']>('add', 'replace', 'remove'), path, value }),
      fc.record({
        op: fc.constantFrom<PatchOperation['op']>('add', 'replace'),
        value: fc.dictionary(path, value, { maxKeys: 3, noNullPrototype: true }),
      }),
    );
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 3 }), (operations) => {
        try {
          planMembership(operations);
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
        }
      }),
      { numRuns: 1500 },
    );
  });
});
