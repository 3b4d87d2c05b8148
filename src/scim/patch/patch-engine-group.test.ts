import { describe, expect, it } from 'vitest';
import type { ScimErrorCode } from '../errors.js';
import type { ScimResource } from '../schema/resource-checker.js';
import { GROUP_RESOURCE_TYPE } from '../schema/resource-type.js';
import { patchBody, scimErrorOf, storedGroup } from './patch-test-fixtures.js';

type Json = Record<string, any>;

interface Case {
  readonly name: string;
  readonly start?: () => ScimResource;
  readonly ops: unknown[];
  readonly expect?: (group: Json) => void;
  readonly error?: ScimErrorCode;
  readonly warnings?: number;
}

const unchanged = (): void => {};
const emptyGroup = (): ScimResource => ({ id: 'g2', displayName: 'New role' });

function run(cases: Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const start = (c.start ?? storedGroup)();
    const before = structuredClone(start);
    if (c.error) {
      expect(scimErrorOf(() => patchBody(GROUP_RESOURCE_TYPE, start, ...c.ops)).code).toBe(c.error);
    } else {
      const { resource, warnings } = patchBody(GROUP_RESOURCE_TYPE, start, ...c.ops);
      const expected = structuredClone(start) as Json;
      c.expect?.(expected);
      expect(resource).toStrictEqual(expected);
      expect(warnings).toHaveLength(c.warnings ?? 0);
    }
    expect(start).toStrictEqual(before);
  });
}

describe('Group members', () => {
  run([
    {
      name: 'Entra E-G5: Add members [{"$ref":null,"value":…}]',
      ops: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }],
      expect: (g) => g.members.push({ value: 'f648f8d5ea4e4cd38e9c' }),
    },
    {
      name: 'add members to a group without members',
      start: emptyGroup,
      ops: [{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }] }],
      expect: (g) => (g.members = [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }]),
    },
    {
      name: 'adding an existing member is idempotent (display from Okta is read-only and ignored)',
      ops: [{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'Someone else' }] }],
      expect: unchanged,
    },
    {
      name: 'member values are caseExact: U1 is another member',
      ops: [{ op: 'add', path: 'members', value: { value: 'U1' } }],
      expect: (g) => g.members.push({ value: 'U1' }),
    },
    {
      name: 'adding a member twice in one list adds it once',
      start: emptyGroup,
      ops: [{ op: 'add', path: 'members', value: [{ value: 'u9' }, { value: 'u9', type: 'User' }] }],
      expect: (g) => (g.members = [{ value: 'u9', type: 'User' }]),
    },
    {
      name: 'Entra E-G6: Remove members with a value list removes only those members',
      ops: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }] }],
      expect: (g) => g.members.splice(0, 1),
    },
    {
      name: 'Remove members with a value list naming a non-member is a no-op',
      ops: [{ op: 'Remove', path: 'members', value: [{ value: 'u404' }] }],
      expect: unchanged,
    },
    {
      name: 'Remove members with a value list of only read-only parts removes nothing',
      ops: [{ op: 'Remove', path: 'members', value: [{ display: 'Ann' }] }],
      expect: unchanged,
      warnings: 1,
    },
    {
      name: 'Entra (flag) / Okta: remove members[value eq "…"]',
      ops: [{ op: 'remove', path: 'members[value eq "u2"]' }],
      expect: (g) => g.members.splice(1, 1),
    },
    {
      name: 'remove members[value eq …] compares caseExact',
      ops: [{ op: 'remove', path: 'members[value eq "U2"]' }],
      expect: unchanged,
    },
    {
      name: 'removing the last member removes members (absent, never [])',
      ops: [
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'remove', path: 'members[value eq "u2"]' },
      ],
      expect: (g) => delete g.members,
    },
    {
      name: 'remove members without a value removes all members',
      ops: [{ op: 'remove', path: 'members' }],
      expect: (g) => delete g.members,
    },
    {
      name: 'Okta membership delta: remove by filter, add with display',
      ops: [
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'add', path: 'members', value: [{ value: '23a35c27', display: 'test.user@okta.local' }] },
      ],
      expect: (g) => (g.members = [{ value: 'u2', display: 'Bob', type: 'User' }, { value: '23a35c27' }]),
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
      expect: (g) => (g.members = [{ value: 'u2' }, { value: 'u3' }]),
    },
    {
      name: 'replace members with an empty list removes all members',
      ops: [{ op: 'replace', path: 'members', value: [] }],
      expect: (g) => delete g.members,
    },
    {
      name: 'path-less replace {members:[…]}',
      ops: [{ op: 'replace', value: { members: [{ value: 'u3' }] } }],
      expect: (g) => (g.members = [{ value: 'u3' }]),
    },
    {
      name: 'path-less add {members:[…]} appends',
      ops: [{ op: 'add', value: { members: [{ value: 'u3' }, { value: 'u1' }] } }],
      expect: (g) => g.members.push({ value: 'u3' }),
    },
    {
      name: 'members[value eq "u1"] with a type merges into the member (type was not set yet)',
      ops: [{ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u1', type: 'User' } }],
      expect: (g) => (g.members[0].type = 'User'),
    },
    {
      name: 'changing an existing member value is mutability (members.value is immutable)',
      ops: [{ op: 'replace', path: 'members[value eq "u1"].value', value: 'u9' }],
      error: 'mutability',
    },
    {
      name: 'changing an existing member value through an object is mutability',
      ops: [{ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u9' } }],
      error: 'mutability',
    },
    {
      name: 'changing an immutable member type that is already set is mutability',
      ops: [{ op: 'replace', path: 'members[value eq "u2"].type', value: 'Group' }],
      error: 'mutability',
    },
    {
      name: 'removing an immutable member value is mutability (remove the member instead)',
      ops: [{ op: 'remove', path: 'members[value eq "u1"].value' }],
      error: 'mutability',
    },
    {
      name: 'setting an immutable member value to the same value is allowed',
      ops: [{ op: 'replace', path: 'members[value eq "u1"].value', value: 'u1' }],
      expect: unchanged,
    },
    {
      name: 'a filtered add that matches no member creates it',
      ops: [{ op: 'add', path: 'members[value eq "u7"]', value: { type: 'User' } }],
      expect: (g) => g.members.push({ value: 'u7', type: 'User' }),
    },
    {
      name: 'a filter on read-only display cannot create a member: noTarget',
      ops: [{ op: 'add', path: 'members[display eq "Zed"].type', value: 'User' }],
      error: 'noTarget',
    },
    {
      name: 'members.display is read-only as a path',
      ops: [{ op: 'replace', path: 'members[value eq "u1"].display', value: 'X' }],
      error: 'mutability',
    },
    {
      name: 'an unknown member sub-attribute is invalidPath',
      ops: [{ op: 'remove', path: 'members[value eq "u1"].email' }],
      error: 'invalidPath',
    },
    { name: 'a non-object member is invalidValue', ops: [{ op: 'add', path: 'members', value: [['u1']] }], error: 'invalidValue' },
    {
      name: 'replace members with only read-only display parts is invalidValue (never wipes the group)',
      ops: [{ op: 'replace', path: 'members', value: [{ display: 'Ann' }] }],
      error: 'invalidValue',
    },
    {
      name: 'add members with blank elements changes nothing',
      ops: [{ op: 'add', path: 'members', value: [{ $ref: null, value: null }] }],
      expect: unchanged,
    },
  ]);
});

describe('Group attributes', () => {
  run([
    {
      name: 'Okta: path-less replace {id, displayName} ignores the read-only id',
      ops: [{ op: 'replace', value: { id: 'abf4dd94-0000', displayName: 'Test SCIMv2' } }],
      expect: (g) => (g.displayName = 'Test SCIMv2'),
    },
    {
      name: 'Entra E-G4: Replace displayName',
      ops: [{ op: 'Replace', path: 'displayName', value: '1879db59updatedDisplayName' }],
      expect: (g) => (g.displayName = '1879db59updatedDisplayName'),
    },
    {
      name: 'path-less members.display key is read-only: ignored silently',
      ops: [{ op: 'replace', value: { 'members.display': 'x', externalId: 'ext-1' } }],
      expect: (g) => (g.externalId = 'ext-1'),
    },
    // Issue 13, defect 11: RFC 7644 §3.5.2.2 makes removing a required attribute "mutability".
    { name: 'defect 11: removing displayName is mutability (required)', ops: [{ op: 'remove', path: 'displayName' }], error: 'mutability' },
    {
      name: 'defect 11: replacing displayName with null is mutability (required)',
      ops: [{ op: 'replace', value: { displayName: null } }],
      error: 'mutability',
    },
    { name: 'defect 11: remove schemas is mutability', ops: [{ op: 'remove', path: 'schemas' }], error: 'mutability' },
    { name: 'a User attribute is unknown on a Group', ops: [{ op: 'replace', path: 'userName', value: 'x' }], error: 'invalidPath' },
  ]);

  it('the group request from Entra: one PATCH with several member adds and removes', () => {
    const { resource } = patchBody(
      GROUP_RESOURCE_TYPE,
      storedGroup(),
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
    expect(resource.members).toStrictEqual([{ value: 'u2', display: 'Bob', type: 'User' }, { value: 'u4' }]);
  });
});
