import { describe, expect, it } from 'vitest';
import { bareUser, ENTERPRISE, patchBody, scimErrorOf, storedGroup, storedUser, TEAMS } from '../../../test/support/patch-fixtures.js';
import type { ScimErrorCode } from '../errors.js';
import type { ScimResource } from '../schema/resource-checker.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../schema/resource-type.js';
import { applyPatch } from './apply-steps.js';

type Json = Record<string, any>;

interface Case {
  readonly name: string;
  readonly start?: () => ScimResource;
  readonly ops: unknown[];
  /** Edits a copy of the start resource into the expected result. */
  readonly expect?: (resource: Json) => void;
  readonly error?: ScimErrorCode;
  readonly warnings?: number;
}

const unchanged = (): void => {};

/** Every case goes through parsePatchRequest + applyPatch with the exact wire operations. */
function run(cases: Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const start = (c.start ?? storedUser)();
    const before = structuredClone(start);
    if (c.error) {
      expect(scimErrorOf(() => patchBody(USER_RESOURCE_TYPE, start, ...c.ops)).code).toBe(c.error);
    } else {
      const { resource, warnings } = patchBody(USER_RESOURCE_TYPE, start, ...c.ops);
      const expected = structuredClone(start) as Json;
      c.expect?.(expected);
      expect(resource).toStrictEqual(expected);
      expect(warnings).toHaveLength(c.warnings ?? 0);
    }
    expect(start).toStrictEqual(before);
  });
}

describe('single-valued attributes', () => {
  run([
    {
      name: 'Entra disable: Replace active "False" (string boolean)',
      ops: [{ op: 'Replace', path: 'active', value: 'False' }],
      expect: (u) => (u.active = false),
    },
    {
      name: 'Entra enable: Add active "true" (add acts as replace)',
      start: () => ({ ...storedUser(), active: false }),
      ops: [{ op: 'Add', path: 'active', value: 'true' }],
      expect: (u) => (u.active = true),
    },
    {
      name: 'replace active with a JSON boolean',
      ops: [{ op: 'replace', path: 'active', value: false }],
      expect: (u) => (u.active = false),
    },
    {
      name: 'path names are case-insensitive (ACTIVE)',
      ops: [{ op: 'replace', path: 'ACTIVE', value: 'FALSE' }],
      expect: (u) => (u.active = false),
    },
    { name: 'a non-boolean for active is invalidValue', ops: [{ op: 'replace', path: 'active', value: 'no' }], error: 'invalidValue' },
    {
      name: 'Add nickName sets a single-valued string',
      ops: [{ op: 'Add', path: 'nickName', value: 'Babs' }],
      expect: (u) => (u.nickName = 'Babs'),
    },
    {
      name: 'Entra E-U6: replace userName',
      ops: [{ op: 'Replace', path: 'userName', value: '5b50642d@testuser.com' }],
      expect: (u) => (u.userName = '5b50642d@testuser.com'),
    },
    {
      name: 'old .NET SDK shape [{"$ref":null,"value":x}] for a single-valued string',
      ops: [{ op: 'replace', path: 'displayName', value: [{ $ref: null, value: 'Barbara J.' }] }],
      expect: (u) => (u.displayName = 'Barbara J.'),
    },
    {
      name: 'a URN-prefixed core path',
      ops: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:title', value: 'CTO' }],
      expect: (u) => (u.title = 'CTO'),
    },
    {
      name: 'replace name.familyName changes only that sub-attribute',
      ops: [{ op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' }],
      expect: (u) => (u.name.familyName = 'updatedFamilyName'),
    },
    {
      name: 'add name with an object merges sub-attributes',
      ops: [{ op: 'add', path: 'name', value: { givenName: 'Barb', honorificPrefix: 'Ms.' } }],
      expect: (u) => Object.assign(u.name, { givenName: 'Barb', honorificPrefix: 'Ms.' }),
    },
    {
      name: 'replace name merges too (RFC 7644 §3.5.2.3), and a null sub-attribute clears it',
      ops: [{ op: 'replace', path: 'name', value: { GIVENNAME: 'Barb', middleName: null } }],
      expect: (u) => {
        u.name.givenName = 'Barb';
        delete u.name.middleName;
      },
    },
    {
      name: 'add name.givenName on a user without a name creates the name',
      start: bareUser,
      ops: [{ op: 'add', path: 'name.givenName', value: 'New' }],
      expect: (u) => (u.name = { givenName: 'New' }),
    },
    {
      name: 'replace with null removes the attribute',
      ops: [{ op: 'replace', path: 'displayName', value: null }],
      expect: (u) => delete u.displayName,
    },
    {
      name: 'replace with "" removes the attribute',
      ops: [{ op: 'replace', path: 'externalId', value: '' }],
      expect: (u) => delete u.externalId,
    },
    {
      name: 'add with null removes a single-valued attribute',
      ops: [{ op: 'add', path: 'name', value: null }],
      expect: (u) => delete u.name,
    },
    {
      name: 'remove a single-valued attribute',
      ops: [{ op: 'remove', path: 'displayName' }],
      expect: (u) => delete u.displayName,
    },
    {
      name: 'remove of an absent attribute is a no-op',
      ops: [
        { op: 'remove', path: 'nickName' },
        { op: 'remove', path: 'name.honorificSuffix' },
      ],
      expect: unchanged,
    },
    {
      name: 'removing the last sub-attributes of name removes name (never {})',
      ops: [
        { op: 'remove', path: 'name.givenName' },
        { op: 'remove', path: 'name.familyName' },
        { op: 'remove', path: 'name.middleName' },
      ],
      expect: (u) => delete u.name,
    },
    {
      name: 'integer-looking and boolean values for a string attribute are stored as strings',
      ops: [{ op: 'replace', path: 'title', value: 42 }],
      expect: (u) => (u.title = '42'),
    },
    {
      name: 'an object for a string attribute is invalidValue',
      ops: [{ op: 'replace', path: 'title', value: { a: 1 } }],
      error: 'invalidValue',
    },
    {
      name: 'a complex value with only unknown members is invalidValue (not a silent removal)',
      ops: [{ op: 'replace', path: 'name', value: { nickname: 'B' } }],
      error: 'invalidValue',
    },
    {
      name: "OneLogin's {managerId} manager shape sets the manager's value",
      ops: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: { managerId: 'm2', displayName: 'Max' } }],
      expect: (u) => (u[ENTERPRISE].manager = { value: 'm2' }),
    },
    {
      name: 'a blank old-SDK value [{"$ref":null,"value":null}] clears the attribute',
      ops: [{ op: 'replace', path: 'displayName', value: [{ $ref: null, value: null }] }],
      expect: (u) => delete u.displayName,
    },
  ]);
});

describe('required, read-only and unknown paths', () => {
  run([
    // Issue 13, defect 11: RFC 7644 §3.5.2.2 makes removing a required attribute "mutability".
    { name: 'defect 11: remove userName is mutability (required)', ops: [{ op: 'remove', path: 'userName' }], error: 'mutability' },
    {
      name: 'defect 11: replace userName with null is mutability (required)',
      ops: [{ op: 'replace', path: 'userName', value: null }],
      error: 'mutability',
    },
    { name: 'replace id is mutability', ops: [{ op: 'replace', path: 'id', value: 'x' }], error: 'mutability' },
    {
      name: 'add id is mutability even with the same value',
      ops: [{ op: 'add', path: 'id', value: '2819c223-7f76-453a-919d-413861904646' }],
      error: 'mutability',
    },
    { name: 'remove meta is mutability', ops: [{ op: 'remove', path: 'meta' }], error: 'mutability' },
    {
      name: 'replace meta.created is mutability',
      ops: [{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }],
      error: 'mutability',
    },
    { name: 'add groups is mutability', ops: [{ op: 'add', path: 'groups', value: [{ value: 'g2' }] }], error: 'mutability' },
    { name: 'remove groups[value eq "g1"] is mutability', ops: [{ op: 'remove', path: 'groups[value eq "g1"]' }], error: 'mutability' },
    {
      name: 'the manager displayName is read-only',
      ops: [{ op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'X' }],
      error: 'mutability',
    },
    { name: 'an unknown attribute is invalidPath', ops: [{ op: 'replace', path: 'favouriteColour', value: 'red' }], error: 'invalidPath' },
    { name: 'an unknown sub-attribute is invalidPath', ops: [{ op: 'replace', path: 'name.nickName', value: 'x' }], error: 'invalidPath' },
    {
      name: 'an unknown schema URN is invalidPath',
      ops: [{ op: 'replace', path: 'urn:example:custom:1.0:User:shoeSize', value: '9' }],
      error: 'invalidPath',
    },
    { name: 'a malformed path is invalidPath', ops: [{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }], error: 'invalidPath' },
    { name: 'an empty path is invalidPath', ops: [{ op: 'replace', path: '  ', value: 'x' }], error: 'invalidPath' },
    {
      name: 'an unknown sub-attribute in a filter is invalidPath',
      ops: [{ op: 'remove', path: 'emails[kind eq "work"]' }],
      error: 'invalidPath',
    },
    {
      // manager lives in the enterprise extension: a bare `manager` is not a core attribute, so it
      // is an unknown path. The URN-prefixed form is required (see the manager cases below).
      // Entra's legacy path: a bare name only the enterprise extension defines resolves to it.
      name: 'bare manager (not URN-prefixed) resolves to the enterprise manager',
      ops: [{ op: 'add', path: 'manager', value: [{ $ref: null, value: 'm2' }] }],
      expect: (u) => (u[ENTERPRISE].manager = { value: 'm2' }),
    },
    {
      name: 'bare manager[value eq "m1"] remove removes the enterprise manager',
      ops: [{ op: 'remove', path: 'manager[value eq "m1"]' }],
      expect: (u) => delete u[ENTERPRISE].manager,
    },
    { name: 'remove without a path is noTarget', ops: [{ op: 'remove' }], error: 'noTarget' },
    {
      name: 'add emails.value (sub-attribute of a multi-valued attribute, no filter) is invalidPath',
      ops: [{ op: 'add', path: 'emails.value', value: 'x@y' }],
      error: 'invalidPath',
    },
    { name: 'replace emails.type is invalidPath', ops: [{ op: 'replace', path: 'emails.type', value: 'work' }], error: 'invalidPath' },
    {
      name: 'a value filter on a simple attribute is invalidPath',
      ops: [{ op: 'remove', path: 'userName[value eq "x"]' }],
      error: 'invalidPath',
    },
    {
      name: 'all or nothing: a bad second op fails the request',
      ops: [
        { op: 'replace', path: 'title', value: 'CTO' },
        { op: 'replace', path: 'nope', value: 1 },
      ],
      error: 'invalidPath',
    },
  ]);

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('the path %s is invalidPath (no prototype lookups)', (path) => {
    for (const op of ['add', 'replace', 'remove']) {
      expect(scimErrorOf(() => patchBody(USER_RESOURCE_TYPE, storedUser(), { op, path, value: 'x' })).code).toBe('invalidPath');
    }
  });

  it('path-less keys named like Object.prototype members are unknown keys (warnings)', () => {
    const operation = JSON.parse('{"op":"replace","value":{"__proto__":{"polluted":1},"constructor":"y","toString":"z","title":"T"}}');
    const { resource, warnings } = patchBody(USER_RESOURCE_TYPE, storedUser(), operation);
    expect(resource).toStrictEqual({ ...storedUser(), title: 'T' });
    expect(warnings).toHaveLength(3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the failing operation in the error detail', () => {
    const error = scimErrorOf(() =>
      patchBody(USER_RESOURCE_TYPE, storedUser(), { op: 'replace', path: 'title', value: 'x' }, { op: 'Remove', path: 'meta.version' }),
    );
    expect(error.code).toBe('mutability');
    expect(error.detail).toMatch(/^Operations\[1\] \(remove meta\.version\): /);
  });
});

describe('operations without a path', () => {
  run([
    {
      name: 'Okta deactivate: replace {"active":false}',
      ops: [{ op: 'replace', value: { active: false } }],
      expect: (u) => (u.active = false),
    },
    {
      name: 'Entra path-less replace with dotted and full URN keys',
      ops: [
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Aklq',
          },
        },
      ],
      expect: (u) => {
        u.displayName = 'Bjfe';
        u.name.givenName = 'Kkom';
        u[ENTERPRISE].employeeNumber = 'Aklq';
      },
    },
    {
      name: 'RFC-nested keys merge (add name {givenName})',
      ops: [{ op: 'add', value: { name: { givenName: 'Barb' }, nickName: 'B' } }],
      expect: (u) => {
        u.name.givenName = 'Barb';
        u.nickName = 'B';
      },
    },
    {
      name: 'an extension URN key with an object value (other extension attributes kept)',
      ops: [{ op: 'add', value: { [ENTERPRISE]: { department: 'Sales', manager: 'm7' } } }],
      expect: (u) => {
        u[ENTERPRISE].department = 'Sales';
        u[ENTERPRISE].manager = { value: 'm7' };
      },
    },
    {
      name: 'an extension URN key in another case',
      ops: [{ op: 'replace', value: { [ENTERPRISE.toUpperCase()]: { DEPARTMENT: 'Ops' } } }],
      expect: (u) => (u[ENTERPRISE].department = 'Ops'),
    },
    {
      name: 'an extension URN key with null removes the extension',
      ops: [{ op: 'replace', value: { [ENTERPRISE]: null } }],
      expect: (u) => delete u[ENTERPRISE],
    },
    {
      name: 'the core schema URN as a key holds top-level attributes',
      ops: [{ op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User': { nickName: 'Bee' } } }],
      expect: (u) => (u.nickName = 'Bee'),
    },
    {
      name: 'read-only keys (id, meta, groups) and schemas are ignored silently',
      ops: [
        {
          op: 'replace',
          value: { schemas: ['urn:x'], id: 'other', meta: { version: 'W/"9"' }, groups: [], 'meta.created': 'x', title: 'CEO' },
        },
      ],
      expect: (u) => (u.title = 'CEO'),
    },
    {
      name: 'unknown keys are ignored with a warning each',
      ops: [{ op: 'replace', value: { password: 'secret', roles: [], nope: 'm2', title: 'CEO' } }],
      expect: (u) => (u.title = 'CEO'),
      warnings: 3,
    },
    {
      name: 'a filtered key applies like a filtered path',
      ops: [{ op: 'replace', value: { 'emails[type eq "work"].value': 'new@example.com' } }],
      expect: (u) => (u.emails[0].value = 'new@example.com'),
    },
    {
      name: 'a null value removes the keyed attribute',
      ops: [{ op: 'replace', value: { displayName: null, 'name.middleName': null } }],
      expect: (u) => {
        delete u.displayName;
        delete u.name.middleName;
      },
    },
    {
      name: 'an empty value object changes nothing',
      ops: [{ op: 'replace', value: {} }],
      expect: unchanged,
    },
    { name: 'a non-object value is invalidValue', ops: [{ op: 'replace', value: 'active' }], error: 'invalidValue' },
    { name: 'an array value is invalidValue', ops: [{ op: 'add', value: [{ active: false }] }], error: 'invalidValue' },
    { name: 'a bad value for a known key is invalidValue', ops: [{ op: 'replace', value: { active: 'maybe' } }], error: 'invalidValue' },
    {
      name: 'a known key for a multi-valued sub-attribute without filter is invalidPath',
      ops: [{ op: 'add', value: { 'emails.value': 'x@y' } }],
      error: 'invalidPath',
    },
    {
      name: 'defect 11: removing the required userName is mutability',
      ops: [{ op: 'replace', value: { userName: null } }],
      error: 'mutability',
    },
  ]);
});

describe('multi-valued attributes', () => {
  run([
    {
      name: 'add a single email object appends it',
      ops: [{ op: 'add', path: 'emails', value: { value: 'b@other.example', type: 'other' } }],
      expect: (u) => u.emails.push({ value: 'b@other.example', type: 'other' }),
    },
    {
      name: 'add an existing email (different case) merges instead of duplicating',
      ops: [{ op: 'add', path: 'emails', value: [{ value: 'BJensen@Example.com', display: 'Work' }] }],
      expect: (u) => Object.assign(u.emails[0], { value: 'BJensen@Example.com', display: 'Work' }),
    },
    {
      name: 'add a primary email makes the earlier primary non-primary',
      ops: [{ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'work', primary: 'True' }] }],
      expect: (u) => {
        u.emails[0].primary = false;
        u.emails.push({ value: 'new@example.com', type: 'work', primary: true });
      },
    },
    {
      name: 'two primaries in one value are invalidValue',
      ops: [
        {
          op: 'add',
          path: 'emails',
          value: [
            { value: 'a@x', primary: true },
            { value: 'b@x', primary: true },
          ],
        },
      ],
      error: 'invalidValue',
    },
    {
      name: 'add with an empty list changes nothing',
      ops: [{ op: 'add', path: 'emails', value: [] }],
      expect: unchanged,
    },
    {
      name: 'replace emails replaces the whole list',
      ops: [{ op: 'replace', path: 'emails', value: [{ value: 'only@example.com', type: 'work' }] }],
      expect: (u) => (u.emails = [{ value: 'only@example.com', type: 'work' }]),
    },
    {
      name: 'replace emails with null removes them',
      ops: [{ op: 'replace', path: 'emails', value: null }],
      expect: (u) => delete u.emails,
    },
    {
      name: 'replace emails[type eq "work"] merges the object into the match',
      ops: [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'w@example.com', display: 'W' } }],
      expect: (u) => Object.assign(u.emails[0], { value: 'w@example.com', display: 'W' }),
    },
    {
      name: 'Entra E-U5: Replace emails[type eq "work"].value and name.familyName',
      ops: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
      expect: (u) => {
        u.emails[0].value = 'updatedEmail@microsoft.com';
        u.name.familyName = 'updatedFamilyName';
      },
    },
    {
      name: 'filter values compare case-insensitively for caseExact=false sub-attributes',
      ops: [{ op: 'replace', path: 'EMAILS[TYPE eq "WORK"].VALUE', value: 'w@example.com' }],
      expect: (u) => (u.emails[0].value = 'w@example.com'),
    },
    {
      name: 'Entra: Add emails[type eq "work"].value on a user without emails creates the element',
      start: bareUser,
      ops: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'x@y' }],
      expect: (u) => (u.emails = [{ type: 'work', value: 'x@y' }]),
    },
    {
      name: 'Replace with a filter that matches nothing creates the element too',
      ops: [{ op: 'Replace', path: 'emails[type eq "other"].value', value: 'o@example.com' }],
      expect: (u) => u.emails.push({ type: 'other', value: 'o@example.com' }),
    },
    {
      name: 'an and-filter of eq comparisons describes the new element',
      start: bareUser,
      ops: [{ op: 'add', path: 'emails[type eq "work" and primary eq true].value', value: 'p@example.com' }],
      expect: (u) => (u.emails = [{ type: 'work', primary: true, value: 'p@example.com' }]),
    },
    {
      name: 'a filtered path without sub-attribute creates filter + object value',
      start: bareUser,
      ops: [{ op: 'add', path: 'emails[type eq "home"]', value: { value: 'h@example.com', display: 'Home' } }],
      expect: (u) => (u.emails = [{ type: 'home', value: 'h@example.com', display: 'Home' }]),
    },
    {
      name: 'Entra: an array under a filtered sub-attribute path is unwrapped',
      start: bareUser,
      ops: [{ op: 'Add', path: 'emails[type eq "other"].value', value: [{ value: 'o@example.com' }] }],
      expect: (u) => (u.emails = [{ type: 'other', value: 'o@example.com' }]),
    },
    {
      name: 'a two-element array for a filtered path is invalidValue',
      ops: [{ op: 'replace', path: 'emails[type eq "work"]', value: [{ value: 'a@x' }, { value: 'b@x' }] }],
      error: 'invalidValue',
    },
    {
      name: 'an or-filter matching nothing cannot create an element: noTarget',
      start: bareUser,
      ops: [{ op: 'add', path: 'emails[type eq "work" or type eq "home"].value', value: 'x@y' }],
      error: 'noTarget',
    },
    {
      name: 'a ne-filter matching nothing is noTarget',
      start: bareUser,
      ops: [{ op: 'replace', path: 'emails[type ne "work"].value', value: 'x@y' }],
      error: 'noTarget',
    },
    {
      name: 'a not-filter matching nothing is noTarget',
      start: bareUser,
      ops: [{ op: 'replace', path: 'emails[not (type eq "work")].value', value: 'x@y' }],
      error: 'noTarget',
    },
    {
      name: 'a value contradicting the filter of a new element is noTarget',
      start: bareUser,
      ops: [{ op: 'add', path: 'emails[value eq "a@x"].value', value: 'b@x' }],
      error: 'noTarget',
    },
    {
      name: 'replace emails[type eq "home"].primary true: the newest primary wins',
      ops: [{ op: 'replace', path: 'emails[type eq "home"].primary', value: 'true' }],
      expect: (u) => {
        u.emails[0].primary = false;
        u.emails[1].primary = true;
      },
    },
    {
      name: 'the newest primary wins even when it comes first in the list',
      start: () => ({
        ...bareUser(),
        emails: [
          { value: 'w@x', type: 'work' },
          { value: 'h@x', type: 'home', primary: true },
        ],
      }),
      ops: [{ op: 'add', path: 'emails[type eq "work"].primary', value: true }],
      expect: (u) => {
        u.emails[0].primary = true;
        u.emails[1].primary = false;
      },
    },
    {
      name: 'remove emails[type eq "home"] removes the matching element',
      ops: [{ op: 'remove', path: 'emails[type eq "home"]' }],
      expect: (u) => u.emails.splice(1, 1),
    },
    {
      name: 'remove with a filter that matches nothing is a no-op',
      ops: [{ op: 'remove', path: 'emails[type eq "fax"]' }],
      expect: unchanged,
    },
    {
      name: 'remove emails[type eq "home"].display removes the sub-attribute',
      ops: [{ op: 'remove', path: 'emails[type eq "home"].display' }],
      expect: (u) => delete u.emails[1].display,
    },
    {
      name: 'remove emails[type eq "work"].value removes the whole work email',
      ops: [{ op: 'remove', path: 'emails[type eq "work"].value' }],
      expect: (u) => u.emails.splice(0, 1),
    },
    {
      name: 'replace emails[type eq "home"].value with null removes the home email',
      ops: [{ op: 'replace', path: 'emails[type eq "home"].value', value: null }],
      expect: (u) => u.emails.splice(1, 1),
    },
    {
      name: 'remove emails.display (no filter) removes it from every element',
      ops: [{ op: 'remove', path: 'emails.display' }],
      expect: (u) => delete u.emails[1].display,
    },
    {
      name: 'remove emails with a value list removes only the listed elements',
      ops: [{ op: 'remove', path: 'emails', value: [{ value: 'BABS@jensen.example' }] }],
      expect: (u) => u.emails.splice(1, 1),
    },
    {
      name: 'remove emails without a value removes them all',
      ops: [{ op: 'remove', path: 'emails' }],
      expect: (u) => delete u.emails,
    },
    {
      name: 'remove emails with an empty value list removes nothing (and warns)',
      ops: [{ op: 'remove', path: 'emails', value: [] }],
      expect: unchanged,
      warnings: 1,
    },
    {
      name: 'addresses (no value sub-attribute): an equal address is not added twice',
      start: () => ({ ...bareUser(), addresses: [{ locality: 'Berlin', type: 'work' }] }),
      ops: [{ op: 'add', path: 'addresses', value: [{ locality: 'Berlin', type: 'work' }, { locality: 'Bonn' }] }],
      expect: (u) => u.addresses.push({ locality: 'Bonn' }),
    },
    {
      name: 'a simple multi-valued extension attribute (teams, caseExact): add dedupes exactly',
      ops: [{ op: 'add', path: `${TEAMS}:teams`, value: ['Red', 'red', 'Blue'] }],
      expect: (u) => u[TEAMS].teams.push('red', 'Blue'),
    },
    {
      name: 'teams: a single string is wrapped',
      start: bareUser,
      ops: [{ op: 'add', path: `${TEAMS}:teams`, value: 'Blue' }],
      expect: (u) => (u[TEAMS] = { teams: ['Blue'] }),
    },
    {
      name: 'teams: remove a listed value; removing the last one removes the extension',
      ops: [{ op: 'remove', path: `${TEAMS}:teams`, value: ['Red'] }],
      expect: (u) => delete u[TEAMS],
    },
    {
      name: 'teams takes no value filter (not complex)',
      ops: [{ op: 'remove', path: `${TEAMS}:teams[value eq "Red"]` }],
      error: 'invalidPath',
    },
  ]);
});

describe('the enterprise manager', () => {
  run([
    {
      name: 'Entra: add the manager as a bare string id (old displayName dropped)',
      ops: [{ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: '2c2f6fb8' }],
      expect: (u) => (u[ENTERPRISE].manager = { value: '2c2f6fb8' }),
    },
    {
      name: 'Entra legacy: a one-element [{"$ref", "value"}] array ($ref is read-only, dropped)',
      start: bareUser,
      ops: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: [{ $ref: 'http://x/scim/Users/m3', value: 'm3' }] }],
      expect: (u) => (u[ENTERPRISE] = { manager: { value: 'm3' } }),
    },
    {
      name: 'Entra: remove manager[value eq "m1"] (URN form) removes the matching manager',
      ops: [{ op: 'remove', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "m1"]' }],
      expect: (u) => delete u[ENTERPRISE].manager,
    },
    {
      name: 'remove manager[value eq …] that does not match is a no-op',
      ops: [{ op: 'remove', path: `${ENTERPRISE}:manager[value eq "M1"]` }],
      expect: unchanged,
    },
    {
      name: 'replace manager[value eq "m1"].value changes the manager',
      ops: [{ op: 'replace', path: `${ENTERPRISE}:manager[value eq "m1"].value`, value: 'm2' }],
      expect: (u) => (u[ENTERPRISE].manager = { value: 'm2' }),
    },
    {
      name: 'replace manager[value eq …] that does not match is noTarget',
      ops: [{ op: 'replace', path: `${ENTERPRISE}:manager[value eq "zz"].value`, value: 'm2' }],
      error: 'noTarget',
    },
    {
      name: 'replace manager.value (dotted)',
      ops: [{ op: 'replace', path: `${ENTERPRISE}:manager.value`, value: 'm9' }],
      expect: (u) => (u[ENTERPRISE].manager = { value: 'm9' }),
    },
    {
      name: 'remove manager.value removes the manager',
      ops: [{ op: 'remove', path: `${ENTERPRISE}:manager.value` }],
      expect: (u) => delete u[ENTERPRISE].manager,
    },
    {
      name: 'replace an extension attribute by URN path',
      ops: [{ op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Aklq' }],
      expect: (u) => (u[ENTERPRISE].employeeNumber = 'Aklq'),
    },
    {
      name: 'the legacy URN spelling without the colon before User is accepted',
      ops: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User:department', value: 'R&D' }],
      expect: (u) => (u[ENTERPRISE].department = 'R&D'),
    },
    {
      name: 'removing the last extension attributes removes the extension object',
      ops: [
        { op: 'remove', path: `${ENTERPRISE}:employeeNumber` },
        { op: 'remove', path: `${ENTERPRISE}:manager` },
      ],
      expect: (u) => delete u[ENTERPRISE],
    },
    {
      name: 'remove with the extension URN as the path removes all its attributes',
      ops: [{ op: 'remove', path: ENTERPRISE }],
      expect: (u) => delete u[ENTERPRISE],
    },
    {
      name: 'add with the extension URN as the path applies the object member by member',
      ops: [{ op: 'add', path: ENTERPRISE, value: { costCenter: '42' } }],
      expect: (u) => (u[ENTERPRISE].costCenter = '42'),
    },
  ]);
});

describe('applyPatch', () => {
  it('returns a new object and never touches its input', () => {
    const start = Object.freeze(storedUser());
    const result = applyPatch(USER_RESOURCE_TYPE, start, [{ op: 'replace', path: 'name.givenName', value: 'X' }]);
    expect(result.resource).not.toBe(start);
    expect(result.resource.name).not.toBe(start.name);
    expect(start).toStrictEqual(storedUser());
  });

  it('applies operations in order (later ones see earlier ones)', () => {
    const { resource } = applyPatch(USER_RESOURCE_TYPE, bareUser(), [
      { op: 'add', path: 'emails[type eq "work"].value', value: 'a@x' },
      { op: 'replace', path: 'emails[value eq "a@x"].primary', value: true },
      { op: 'replace', path: 'active', value: false },
    ]);
    expect(resource).toStrictEqual({
      id: 'u-bare',
      userName: 'new.user@example.com',
      active: false,
      emails: [{ type: 'work', value: 'a@x', primary: true }],
    });
  });

  it('settles an already invalid stored list to one primary (the last)', () => {
    const start = {
      ...bareUser(),
      emails: [
        { value: 'a@x', primary: true },
        { value: 'b@x', primary: true },
      ],
    };
    const { resource } = applyPatch(USER_RESOURCE_TYPE, start, [{ op: 'replace', path: 'title', value: 'T' }]);
    expect(resource.emails).toStrictEqual([
      { value: 'a@x', primary: false },
      { value: 'b@x', primary: true },
    ]);
  });

  it('prefixes warnings with the operation index', () => {
    const { warnings } = applyPatch(USER_RESOURCE_TYPE, storedUser(), [
      { op: 'replace', path: 'title', value: 'T' },
      { op: 'add', path: 'emails', value: { value: 'x@y', colour: 'blue' } },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Operations\[1\]: .*colour/);
  });
});

/**
 * Issue 13, defect 11: `remove active` answered 200 and changed nothing. RFC 7644 §3.5.2.2 says a
 * removed attribute becomes unassigned, and that unassigning a required or read-only attribute
 * is 400 mutability. Roster always holds `active` (no third state), so every way of unassigning
 * it is refused with mutability instead of being ignored or read as false.
 */
describe('defect 11 (issue 13): removing an attribute Roster always holds is mutability, never a silent no-op', () => {
  run([
    { name: 'remove active', ops: [{ op: 'remove', path: 'active' }], error: 'mutability' },
    {
      name: 'remove active by its URN path',
      ops: [{ op: 'remove', path: 'urn:ietf:params:scim:schemas:core:2.0:User:active' }],
      error: 'mutability',
    },
    { name: 'Remove ACTIVE (any case)', ops: [{ op: 'Remove', path: 'ACTIVE' }], error: 'mutability' },
    { name: 'replace active with null', ops: [{ op: 'replace', path: 'active', value: null }], error: 'mutability' },
    { name: 'add active with ""', ops: [{ op: 'add', path: 'active', value: '' }], error: 'mutability' },
    { name: 'path-less replace {active: null}', ops: [{ op: 'replace', value: { active: null } }], error: 'mutability' },
    { name: 'remove schemas', ops: [{ op: 'remove', path: 'schemas' }], error: 'mutability' },
    { name: 'replace schemas', ops: [{ op: 'replace', path: 'schemas', value: ['urn:x'] }], error: 'mutability' },
    { name: 'remove the core schema', ops: [{ op: 'remove', path: 'urn:ietf:params:scim:schemas:core:2.0:User' }], error: 'mutability' },
    { name: 'remove id', ops: [{ op: 'remove', path: 'id' }], error: 'mutability' },
    { name: 'remove meta.version', ops: [{ op: 'remove', path: 'meta.version' }], error: 'mutability' },
    {
      name: 'remove active then set it again in the same request is fine (checked on the result)',
      ops: [
        { op: 'remove', path: 'active' },
        { op: 'add', path: 'active', value: false },
      ],
      expect: (u) => (u.active = false),
    },
    {
      name: 'remove emails removes them (the account-email rule is the directory’s)',
      ops: [{ op: 'remove', path: 'emails' }],
      expect: (u) => delete u.emails,
    },
    { name: 'remove externalId removes it', ops: [{ op: 'remove', path: 'externalId' }], expect: (u) => delete u.externalId },
  ]);

  it('the error names the attribute and what to do instead', () => {
    const error = scimErrorOf(() => applyPatch(USER_RESOURCE_TYPE, storedUser(), [{ op: 'remove', path: 'active' }]));
    expect(error.detail).toContain("'active' cannot be removed");
    expect(error.detail).toContain('true or false');
    const required = scimErrorOf(() => applyPatch(USER_RESOURCE_TYPE, storedUser(), [{ op: 'remove', path: 'userName' }]));
    expect(required.detail).toContain("'userName' is required and cannot be removed");
  });

  it('a resource that never had active (not a stored user) may stay without it', () => {
    const start: ScimResource = { id: 'u', userName: 'x@y' };
    expect(applyPatch(USER_RESOURCE_TYPE, start, [{ op: 'replace', path: 'title', value: 'T' }]).resource).toStrictEqual({
      ...start,
      title: 'T',
    });
  });
});

/**
 * Issue 13, defect 4: a PATCH adding thousands of emails reached SQL and failed there with 500.
 * The engine checks the limits of multi-valued attributes (`maxItems`) after every operation.
 */
describe('defect 4 (issue 13): the PATCH engine enforces maxItems after every operation', () => {
  const emails = (count: number, prefix = 'e') => Array.from({ length: count }, (_, i) => ({ value: `${prefix}${i}@x.example` }));

  it('one add of 2,300 emails is invalidValue, naming the attribute, the count and the limit', () => {
    const error = scimErrorOf(() => applyPatch(USER_RESOURCE_TYPE, storedUser(), [{ op: 'add', path: 'emails', value: emails(2300) }]));
    expect(error.code).toBe('invalidValue');
    expect(error.detail).toMatch(/^Operations\[0\] \(add emails\): 'emails' has 2300 values.*at most 100/);
  });

  it('adds that pass the limit together fail at the operation that does', () => {
    const error = scimErrorOf(() =>
      applyPatch(USER_RESOURCE_TYPE, storedUser(), [
        { op: 'add', path: 'emails', value: emails(50, 'a') },
        { op: 'add', path: 'emails', value: emails(48, 'b') }, // with the stored 2: 100
        { op: 'add', path: 'emails', value: emails(1, 'c') },
      ]),
    );
    expect(error.code).toBe('invalidValue');
    expect(error.detail).toMatch(/^Operations\[2\] .*'emails' has 101 values; at most 100 are allowed/);
  });

  it('up to the limit is fine, also path-less and through the extension URN', () => {
    const start = storedUser();
    const { resource } = applyPatch(USER_RESOURCE_TYPE, start, [
      { op: 'add', path: 'emails', value: emails(98) },
      { op: 'replace', value: { phoneNumbers: Array.from({ length: 100 }, (_, i) => ({ value: `+${i}` })) } },
      { op: 'replace', path: TEAMS, value: { teams: Array.from({ length: 500 }, (_, i) => `T${i}`) } },
    ]);
    expect(resource.emails).toHaveLength(100);
    expect(resource.phoneNumbers).toHaveLength(100);
    expect((resource[TEAMS] as { teams: string[] }).teams).toHaveLength(500);
  });

  it('501 teams through a path-less extension object is invalidValue naming the URN attribute', () => {
    const teams = Array.from({ length: 501 }, (_, i) => `T${i}`);
    const error = scimErrorOf(() => applyPatch(USER_RESOURCE_TYPE, storedUser(), [{ op: 'add', value: { [TEAMS]: { teams } } }]));
    expect(error.code).toBe('invalidValue');
    expect(error.detail).toContain(`'${TEAMS}:teams' has 501 values`);
  });

  it('a list stored over the limit (before the limit existed) may stay or shrink, but not grow', () => {
    const start = { ...storedUser(), emails: emails(150) };
    expect(applyPatch(USER_RESOURCE_TYPE, start, [{ op: 'replace', path: 'title', value: 'T' }]).resource.emails).toHaveLength(150);
    expect(applyPatch(USER_RESOURCE_TYPE, start, [{ op: 'replace', path: 'emails', value: emails(150) }]).resource.emails).toHaveLength(
      150,
    );
    expect(applyPatch(USER_RESOURCE_TYPE, start, [{ op: 'remove', path: 'emails[value eq "e0@x.example"]' }]).resource.emails).toHaveLength(
      149,
    );
    const error = scimErrorOf(() =>
      applyPatch(USER_RESOURCE_TYPE, start, [{ op: 'add', path: 'emails', value: { value: 'new@x.example' } }]),
    );
    expect(error.detail).toContain("'emails' has 151 values");
  });

  it('an add value list longer than the limit is refused before it is merged, even if it would collapse', () => {
    const same = Array.from({ length: 5000 }, () => ({ value: 'same@x.example' }));
    const error = scimErrorOf(() => applyPatch(USER_RESOURCE_TYPE, storedUser(), [{ op: 'add', path: 'emails', value: same }]));
    expect(error.detail).toContain("'emails' has 5000 values in this operation; at most 100 are allowed");
  });

  it('a remove value list is not limited (it only shortens the list)', () => {
    const { resource } = applyPatch(USER_RESOURCE_TYPE, storedUser(), [
      { op: 'remove', path: 'emails', value: [...emails(5000), { value: 'babs@jensen.example' }] },
    ]);
    expect(resource.emails).toStrictEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
  });
});

/**
 * The applier follows the schema, so immutable sub-attributes are pinned on the one schema that
 * has them: the Group's members (value, type, $ref). Production reads Group PATCHes as membership
 * changes instead (directory/group-membership.ts); these cases pin the rule itself.
 */
describe('immutable sub-attributes (Group members as a resource)', () => {
  it.each<[string, unknown[], ((group: Json) => void) | ScimErrorCode]>([
    [
      'adding an existing member is idempotent (display is read-only)',
      [{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'X' }] }],
      () => {},
    ],
    [
      'member values are caseExact: U1 is another member',
      [{ op: 'add', path: 'members', value: { value: 'U1' } }],
      (g) => g.members.push({ value: 'U1' }),
    ],
    [
      'an immutable sub-attribute may be set while absent',
      [{ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u1', type: 'User' } }],
      (g) => (g.members[0].type = 'User'),
    ],
    ['or re-sent unchanged', [{ op: 'replace', path: 'members[value eq "u1"].value', value: 'u1' }], () => {}],
    ['changing it is mutability', [{ op: 'replace', path: 'members[value eq "u1"].value', value: 'u9' }], 'mutability'],
    [
      'changing it through an object is mutability',
      [{ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u9' } }],
      'mutability',
    ],
    ['changing a type already set is mutability', [{ op: 'replace', path: 'members[value eq "u2"].type', value: 'Group' }], 'mutability'],
    ['removing it is mutability (remove the element instead)', [{ op: 'remove', path: 'members[value eq "u1"].value' }], 'mutability'],
    ['setting it on every element is mutability', [{ op: 'add', path: 'members.type', value: 'User' }], 'mutability'],
    [
      'a filtered add that matches nothing creates the element',
      [{ op: 'add', path: 'members[value eq "u7"]', value: { type: 'User' } }],
      (g) => g.members.push({ value: 'u7', type: 'User' }),
    ],
    [
      'a filter on read-only display cannot create an element: noTarget',
      [{ op: 'add', path: 'members[display eq "Zed"].type', value: 'User' }],
      'noTarget',
    ],
  ])('%s', (_name, ops, expected) => {
    const start = storedGroup();
    if (typeof expected === 'string') {
      expect(scimErrorOf(() => patchBody(GROUP_RESOURCE_TYPE, start, ...ops)).code).toBe(expected);
      return;
    }
    const wanted = structuredClone(start) as Json;
    expected(wanted);
    expect(patchBody(GROUP_RESOURCE_TYPE, start, ...ops).resource).toStrictEqual(wanted);
  });
});
