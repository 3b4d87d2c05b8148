import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bareUser, ENTERPRISE, PATCH_OP, scimErrorOf, storedUser, TEAMS } from '../../../test/support/patch-fixtures.js';
import { ScimError } from '../errors.js';
import { type PatchOperation, parsePatchRequest } from '../messages/patch-request.js';
import type { ScimResource } from '../schema/resource-checker.js';
import { GROUP_RESOURCE_TYPE, type ResourceType, USER_RESOURCE_TYPE } from '../schema/resource-type.js';
import { applyPatch } from './apply-steps.js';
import { compilePatch, type PatchStep } from './patch-steps.js';

/** A step as a test reads it: its kind, the canonical key of its target and what it carries. */
function summary(step: PatchStep): Record<string, unknown> {
  if (step.kind === 'removeSchema') return { kind: step.kind, schema: step.schemaId };
  const { target } = step;
  const where = `${target.attribute.key}${target.filter ? '[…]' : ''}${target.sub ? `.${target.sub.name}` : ''}`;
  switch (step.kind) {
    case 'set':
      return { kind: step.kind, where, value: step.value };
    case 'merge':
      return { kind: step.kind, where, value: step.value, cleared: step.cleared };
    case 'append':
    case 'replaceAll':
    case 'removeValues':
      return { kind: step.kind, where, values: step.values };
    case 'remove':
      return { kind: step.kind, where };
    default: {
      const impossible: never = step;
      throw new TypeError(`unknown step ${JSON.stringify(impossible)}`);
    }
  }
}

function compile(type: ResourceType, ...operations: unknown[]): { steps: Record<string, unknown>[]; warnings: string[] } {
  const steps: PatchStep[] = [];
  const warnings = compilePatch(type, parsePatchRequest({ schemas: [PATCH_OP], Operations: operations }), (compiled) => {
    steps.push(...compiled);
  });
  return { steps: steps.map(summary), warnings };
}

describe('the step compiler: dialects settled once', () => {
  it.each<[string, unknown, Record<string, unknown>[]]>([
    [
      'Entra: Replace active "False" is a set of false',
      { op: 'Replace', path: 'active', value: 'False' },
      [{ kind: 'set', where: 'active', value: false }],
    ],
    [
      'add on a single-valued attribute is a set',
      { op: 'Add', path: 'nickName', value: 'B' },
      [{ kind: 'set', where: 'nickName', value: 'B' }],
    ],
    [
      'a blank value removes',
      { op: 'replace', path: 'displayName', value: [{ $ref: null, value: null }] },
      [{ kind: 'remove', where: 'displayName' }],
    ],
    [
      'an object for a complex attribute merges, naming the sub-attributes sent as null',
      { op: 'replace', path: 'name', value: { GIVENNAME: 'B', middleName: null } },
      [{ kind: 'merge', where: 'name', value: { givenName: 'B' }, cleared: ['middleName'] }],
    ],
    [
      'Entra: a bare manager id',
      { op: 'add', path: `${ENTERPRISE}:manager`, value: 'm2' },
      [{ kind: 'merge', where: `${ENTERPRISE}:manager`, value: { value: 'm2' }, cleared: [] }],
    ],
    [
      'add of a list appends',
      { op: 'add', path: 'emails', value: { value: 'a@x' } },
      [{ kind: 'append', where: 'emails', values: [{ value: 'a@x' }] }],
    ],
    ['add of nothing is no step', { op: 'add', path: 'emails', value: [] }, []],
    [
      'replace of a list',
      { op: 'replace', path: `${TEAMS}:teams`, value: 'Red' },
      [{ kind: 'replaceAll', where: `${TEAMS}:teams`, values: ['Red'] }],
    ],
    ['replace with an empty list removes', { op: 'replace', path: 'emails', value: [] }, [{ kind: 'remove', where: 'emails' }]],
    [
      'Entra: Remove with a value list removes those values',
      { op: 'Remove', path: 'emails', value: [{ value: 'a@x', display: 'A' }] },
      [{ kind: 'removeValues', where: 'emails', values: [{ value: 'a@x', display: 'A' }] }],
    ],
    ['remove without a value removes the attribute', { op: 'remove', path: 'emails' }, [{ kind: 'remove', where: 'emails' }]],
    [
      'a filtered sub-attribute',
      { op: 'Add', path: 'emails[type eq "work"].value', value: [{ value: 'w@x' }] },
      [{ kind: 'set', where: 'emails[…].value', value: 'w@x' }],
    ],
    [
      'a filtered element with a one-element array (Entra)',
      { op: 'replace', path: 'emails[type eq "work"]', value: [{ value: 'w@x' }] },
      [{ kind: 'merge', where: 'emails[…]', value: { value: 'w@x' }, cleared: [] }],
    ],
    ['remove with the extension URN as the path', { op: 'remove', path: ENTERPRISE }, [{ kind: 'removeSchema', schema: ENTERPRISE }]],
  ])('%s', (_name, operation, expected) => {
    expect(compile(USER_RESOURCE_TYPE, operation).steps).toStrictEqual(expected);
  });

  it('a path-less value becomes one step per key: nested, dotted, URN, filtered keys and extension objects', () => {
    const { steps, warnings } = compile(USER_RESOURCE_TYPE, {
      op: 'replace',
      value: {
        schemas: ['urn:x'],
        id: 'other',
        displayName: 'D',
        'name.givenName': 'G',
        [`${ENTERPRISE}:employeeNumber`]: '7',
        'emails[type eq "work"].value': 'w@x',
        [TEAMS]: null,
        'urn:ietf:params:scim:schemas:core:2.0:User': { title: 'T' },
        colour: 'blue',
      },
    });
    expect(steps).toStrictEqual([
      { kind: 'set', where: 'displayName', value: 'D' },
      { kind: 'set', where: 'name.givenName', value: 'G' },
      { kind: 'set', where: `${ENTERPRISE}:employeeNumber`, value: '7' },
      { kind: 'set', where: 'emails[…].value', value: 'w@x' },
      { kind: 'removeSchema', schema: TEAMS },
      { kind: 'set', where: 'title', value: 'T' },
    ]);
    expect(warnings).toStrictEqual(["Operations[0]: ignored unknown attribute 'colour'"]);
  });

  it('a Group body compiles with the same rules', () => {
    expect(
      compile(
        GROUP_RESOURCE_TYPE,
        { op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }] },
        { op: 'replace', value: { id: 'g', displayName: 'Admin', members: [{ value: 'u2', display: 'B' }] } },
        { op: 'remove', path: 'members[value eq "u3"]' },
      ).steps,
    ).toStrictEqual([
      { kind: 'removeValues', where: 'members', values: [{ value: 'u1' }] },
      { kind: 'set', where: 'displayName', value: 'Admin' },
      { kind: 'replaceAll', where: 'members', values: [{ value: 'u2' }] },
      { kind: 'remove', where: 'members[…]' },
    ]);
  });

  it('hands each operation to the consumer before it reads the next, and names the operation in errors', () => {
    const seen: number[] = [];
    const error = scimErrorOf(() =>
      compilePatch(
        USER_RESOURCE_TYPE,
        [
          { op: 'replace', path: 'title', value: 'T' },
          { op: 'replace', path: 'nickName', value: 'N' },
          { op: 'replace', path: 'nope', value: 1 },
        ],
        (steps) => {
          seen.push(steps.length);
          if (seen.length === 2) throw ScimError.noTarget('refused by the consumer');
        },
      ),
    );
    expect(seen).toStrictEqual([1, 1]);
    expect(error.code).toBe('noTarget');
    expect(error.detail).toBe('Operations[1] (replace nickName): refused by the consumer');
  });
});

/** Writable paths in every spelling a path-less key can take too. */
const WRITABLE_PATHS = [
  'active',
  'displayName',
  'NICKNAME',
  'name',
  'name.givenName',
  'emails',
  'emails[type eq "work"]',
  'emails[type eq "work"].value',
  'emails[type eq "home"].primary',
  'phoneNumbers',
  `${ENTERPRISE}:manager`,
  `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:department`,
  ENTERPRISE,
  `${TEAMS}:teams`,
  'urn:ietf:params:scim:schemas:core:2.0:User:title',
  'manager',
];

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    '',
    'False',
    'x@example.com',
    [{ value: 'a@x', type: 'work', primary: true }],
    { value: 'm2' },
    { givenName: 'G', middleName: null },
    { department: 'Sales' },
    ['Red', 'Blue'],
    [{ $ref: null, value: 'v' }],
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

function outcome(type: ResourceType, resource: ScimResource, operation: PatchOperation): unknown {
  try {
    return applyPatch(type, resource, [operation]).resource;
  } catch (error) {
    if (error instanceof ScimError) return error.code;
    throw error;
  }
}

describe('property: a path and the same path as a path-less key are one change', () => {
  it('{op, path: p, value: v} and {op, value: {p: v}} give the same resource or the same error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(storedUser, bareUser),
        fc.constantFrom<'add' | 'replace'>('add', 'replace'),
        fc.constantFrom(...WRITABLE_PATHS),
        anyValue,
        (start, op, path, value) => {
          const pathed = outcome(USER_RESOURCE_TYPE, start(), { op, path, value });
          const pathless = outcome(USER_RESOURCE_TYPE, start(), { op, value: { [path]: value } });
          expect(pathless).toStrictEqual(pathed);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
