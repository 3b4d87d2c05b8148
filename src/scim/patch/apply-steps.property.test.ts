import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bareUser, ENTERPRISE, storedGroup, storedUser, TEAMS } from '../../../test/support/patch-fixtures.js';
import { ScimError } from '../errors.js';
import type { PatchOperation } from '../messages/patch-request.js';
import type { ScimResource } from '../schema/resource-checker.js';
import { GROUP_RESOURCE_TYPE, type ResolvedAttribute, type ResourceType, USER_RESOURCE_TYPE } from '../schema/resource-type.js';
import { isJsonObject, normalizeValue } from '../schema/value-normalizer.js';
import { applyPatch } from './apply-steps.js';
import { isBlank } from './patch-values.js';

type Json = Record<string, any>;

const USER_PATHS = [
  'active',
  'ACTIVE',
  'userName',
  'displayName',
  'nickName',
  'externalId',
  'name',
  'name.givenName',
  'NAME.middleName',
  'emails',
  'emails.value',
  'emails.display',
  'emails[type eq "work"]',
  'emails[type eq "work"].value',
  'emails[type eq "home"].primary',
  'emails[type eq "work" and primary eq true].value',
  'emails[type eq "work" or type eq "home"].display',
  'emails[value co "@"]',
  'emails[not (type eq "home")].type',
  'phoneNumbers',
  'addresses[type eq "home"].locality',
  'groups',
  'id',
  'meta',
  'meta.created',
  `${ENTERPRISE}:manager`,
  `${ENTERPRISE}:manager[value eq "m1"]`,
  `${ENTERPRISE}:manager[value eq "m1"].value`,
  `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:employeeNumber`,
  ENTERPRISE,
  `${TEAMS}:teams`,
  'urn:ietf:params:scim:schemas:core:2.0:User:title',
  'manager',
  'manager[value eq "m1"]',
  'unknownThing',
  'name.unknown',
  'emails[type eq',
  'emails[type eq "work"].value.x',
  'urn:x:y',
  '',
  'constructor',
  '__proto__',
  'toString',
];

const GROUP_PATHS = [
  'displayName',
  'externalId',
  'members',
  'members.value',
  'members.display',
  'members[value eq "u1"]',
  'members[value eq "u2"].value',
  'members[value eq "u3"].type',
  'members[type eq "User"]',
  'members[display eq "Ann"]',
  'id',
  'meta.lastModified',
  'userName',
  'members[',
  'constructor',
  '__proto__',
];

/** Values that exercise the coercions (most of them fit some path), plus arbitrary JSON. */
const interestingValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      null,
      '',
      'False',
      'true',
      true,
      'Sales',
      'x@example.com',
      [],
      {},
      [{ value: 'u1' }],
      [{ $ref: null, value: 'u3' }],
      { value: 'a@b', type: 'work', primary: true },
      [
        { value: 'a@b', primary: true },
        { value: 'c@d', primary: true },
      ],
      [
        { value: 'c@d', type: 'home' },
        { value: 'e@f', display: 'E' },
      ],
      { givenName: 'G', middleName: null },
      { type: 'User' },
      { value: 'm2' },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

function operationArbitrary(paths: string[]): fc.Arbitrary<PatchOperation> {
  const op = fc.constantFrom<PatchOperation['op']>('add', 'remove', 'replace');
  const path = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...paths) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...paths) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
  const pathlessValue = fc.dictionary(key, interestingValue, { maxKeys: 4, noNullPrototype: true });
  const withPath = fc
    .record({ op, path, value: fc.option(interestingValue, { nil: undefined, freq: 6 }) })
    .map(({ op: name, path: p, value }): PatchOperation => (value === undefined ? { op: name, path: p } : { op: name, path: p, value }));
  const withoutPath = fc
    .record({
      op: fc.constantFrom<PatchOperation['op']>('add', 'replace', 'add', 'replace', 'remove'),
      value: fc.oneof({ weight: 5, arbitrary: pathlessValue }, { weight: 1, arbitrary: interestingValue }),
    })
    .map(({ op: name, value }): PatchOperation => ({ op: name, value }));
  return fc.oneof({ weight: 3, arbitrary: withPath }, { weight: 1, arbitrary: withoutPath });
}

/** What every successful PATCH result must satisfy. */
function expectSettled(type: ResourceType, before: ScimResource, after: ScimResource): void {
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) {
      expect(value.length, where).toBeGreaterThan(0);
      for (const [i, item] of value.entries()) walk(item, `${where}[${i}]`);
    } else if (isJsonObject(value)) {
      expect(Object.keys(value).length, where).toBeGreaterThan(0);
      for (const [key, inner] of Object.entries(value)) walk(inner, `${where}.${key}`);
    } else {
      expect(value === null || value === undefined || value === '', where).toBe(false);
    }
  };
  walk(after, '$');
  for (const attribute of type.schema.attributes) {
    if (attribute.required) expect(typeof after[attribute.name]).toBe('string');
    // Issue 13, defect 11: a PATCH never removes an attribute that is not removable (active).
    if (attribute.removable === false && before[attribute.name] !== undefined) expect(after[attribute.name]).toBeDefined();
  }
  // Read-only attributes never change.
  for (const name of ['id', 'meta', 'groups']) expect(after[name]).toStrictEqual(before[name]);
  for (const schemaId of type.schemaIds) {
    const container = schemaId === type.schema.id ? after : after[schemaId];
    if (!isJsonObject(container)) continue;
    for (const value of Object.values(container)) {
      if (Array.isArray(value)) expect(value.filter((e) => isJsonObject(e) && e.primary === true).length).toBeLessThanOrEqual(1);
    }
  }
}

function checkNeverThrowsOtherwise(type: ResourceType, starts: (() => ScimResource)[], paths: string[]): void {
  fc.assert(
    fc.property(fc.constantFrom(...starts), fc.array(operationArbitrary(paths), { minLength: 1, maxLength: 3 }), (start, operations) => {
      const resource = start();
      const resourceBefore = JSON.stringify(resource);
      const operationsBefore = JSON.stringify(operations);
      let after: ScimResource | undefined;
      try {
        after = applyPatch(type, resource, operations).resource;
      } catch (error) {
        if (!(error instanceof ScimError)) throw error;
      }
      expect(JSON.stringify(resource)).toBe(resourceBefore);
      expect(JSON.stringify(operations)).toBe(operationsBefore);
      if (after) {
        expect(after).not.toBe(resource);
        expectSettled(type, resource, after);
      }
    }),
    { numRuns: 2000 },
  );
}

const text = fc.string({ minLength: 1, maxLength: 12 });

const EMAIL_PATHS = [
  'emails',
  'emails[type eq "work"]',
  'emails[type eq "home"]',
  'emails[type eq "work"].primary',
  'emails[type eq "home"].primary',
  'emails[type eq "other"].value',
  'emails[primary eq true]',
  'emails[value eq "a@x"]',
  'emails[value eq "a@x"].primary',
];

const emailValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(true, 'True', false, 'a@x', 'b@x', null),
  fc.array(
    fc.record(
      {
        value: fc.constantFrom('a@x', 'A@X', 'b@x', 'c@x'),
        type: fc.constantFrom('work', 'home', 'other'),
        primary: fc.constantFrom(true, false, 'true'),
      },
      { requiredKeys: ['value'], noNullPrototype: true },
    ),
    { maxLength: 3 },
  ),
  fc.record(
    { value: fc.constantFrom('a@x', 'b@x'), type: fc.constantFrom('work', 'home'), primary: fc.boolean() },
    { requiredKeys: [], noNullPrototype: true },
  ),
);

const emailOperation: fc.Arbitrary<PatchOperation> = fc
  .record({
    op: fc.constantFrom<PatchOperation['op']>('add', 'replace', 'remove'),
    path: fc.constantFrom(...EMAIL_PATHS),
    value: emailValue,
  })
  .map(({ op, path, value }) => ({ op, path, value }));

describe('property: arbitrary operations', () => {
  it('User: only ScimErrors, the input is never mutated, results are settled', () => {
    checkNeverThrowsOtherwise(USER_RESOURCE_TYPE, [storedUser, bareUser], USER_PATHS);
  });

  it('Group: only ScimErrors, the input is never mutated, results are settled', () => {
    checkNeverThrowsOtherwise(GROUP_RESOURCE_TYPE, [storedGroup, () => ({ displayName: 'G' })], GROUP_PATHS);
  });

  it('emails: any sequence of element operations leaves at most one primary, the newest', () => {
    fc.assert(
      fc.property(fc.constantFrom(storedUser, bareUser), fc.array(emailOperation, { minLength: 1, maxLength: 6 }), (start, operations) => {
        const user = start();
        let after: ScimResource;
        try {
          after = applyPatch(USER_RESOURCE_TYPE, user, operations).resource;
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
          return;
        }
        expectSettled(USER_RESOURCE_TYPE, user, after);
        // The newest primary wins: when the last operation made an element primary, it still is.
        const last = operations.at(-1);
        if (last && last.op !== 'remove' && last.path === 'emails[type eq "home"].primary' && String(last.value).toLowerCase() === 'true') {
          const home = (after.emails as Json[]).filter((e) => e.type === 'home');
          expect(home.length).toBeGreaterThan(0);
          expect(home.at(-1)?.primary).toBe(true);
          expect((after.emails as Json[]).filter((e) => e.primary === true)).toHaveLength(1);
        }
      }),
      { numRuns: 1500 },
    );
  });
});

const emailElement = fc.record(
  {
    value: text,
    type: fc.constantFrom('work', 'home', 'other'),
    display: text,
    primary: fc.constant(false),
  },
  { requiredKeys: ['value'], noNullPrototype: true },
);

const userWithEmails = fc
  .tuple(fc.constantFrom(storedUser, bareUser), fc.uniqueArray(emailElement, { selector: (e) => e.value.toLowerCase(), maxLength: 3 }))
  .map(([start, emails]) => {
    const user = start();
    if (emails.length > 0) user.emails = [...((user.emails as unknown[]) ?? []), ...emails];
    return user;
  })
  .filter((user) => {
    const values = ((user.emails as Json[]) ?? []).map((e) => String(e.value).toLowerCase());
    return new Set(values).size === values.length;
  });

describe('property: add then remove by value filter restores the original', () => {
  it('emails (value compared case-insensitively)', () => {
    fc.assert(
      fc.property(userWithEmails, emailElement, (user, email) => {
        const existing = ((user.emails as Json[]) ?? []).map((e) => String(e.value).toLowerCase());
        fc.pre(!existing.includes(email.value.toLowerCase()));
        const added = applyPatch(USER_RESOURCE_TYPE, user, [{ op: 'add', path: 'emails', value: email }]).resource;
        expect(added.emails).toHaveLength(existing.length + 1);
        const path = `emails[value eq ${JSON.stringify(email.value)}]`;
        const restored = applyPatch(USER_RESOURCE_TYPE, added, [{ op: 'remove', path }]).resource;
        expect(restored).toStrictEqual(user);
      }),
      { numRuns: 500 },
    );
  });

  it('group members (value compared exactly)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(text, { maxLength: 4 }), text, (ids, id) => {
        fc.pre(!ids.includes(id));
        const group: ScimResource = { id: 'g', displayName: 'G', ...(ids.length ? { members: ids.map((value) => ({ value })) } : {}) };
        const added = applyPatch(GROUP_RESOURCE_TYPE, group, [{ op: 'add', path: 'members', value: [{ value: id, $ref: null }] }]).resource;
        expect(added.members).toHaveLength(ids.length + 1);
        const restored = applyPatch(GROUP_RESOURCE_TYPE, added, [
          { op: 'remove', path: `members[value eq ${JSON.stringify(id)}]` },
        ]).resource;
        expect(restored).toStrictEqual(group);
      }),
      { numRuns: 500 },
    );
  });
});

const addOperation: fc.Arbitrary<PatchOperation> = fc.oneof(
  fc
    .array(
      fc.record(
        { value: text, type: fc.constantFrom('work', 'home'), primary: fc.boolean(), display: text },
        { requiredKeys: ['value'], noNullPrototype: true },
      ),
      {
        maxLength: 3,
      },
    )
    .map((value) => ({ op: 'add' as const, path: 'emails', value })),
  fc
    .tuple(
      fc.constantFrom('work', 'home', 'other'),
      fc.constantFrom('value', 'display', 'primary'),
      fc.oneof(text, fc.constantFrom('true', 'False')),
    )
    .map(([type, sub, value]) => ({ op: 'add' as const, path: `emails[type eq "${type}"].${sub}`, value })),
  fc
    .record({ givenName: text, familyName: fc.option(text, { nil: null }) }, { requiredKeys: [], noNullPrototype: true })
    .map((value) => ({ op: 'add' as const, path: 'name', value })),
  fc
    .record(
      { displayName: text, 'name.givenName': text, active: fc.constantFrom(true, 'False'), [`${ENTERPRISE}:department`]: text },
      { requiredKeys: [], noNullPrototype: true },
    )
    .map((value) => ({ op: 'add' as const, value })),
  fc.array(text, { maxLength: 3 }).map((value) => ({ op: 'add' as const, path: `${TEAMS}:teams`, value })),
  text.map((value) => ({ op: 'add' as const, path: `${ENTERPRISE}:manager`, value })),
  fc.oneof(text, fc.constant(null)).map((value) => ({ op: 'add' as const, path: 'nickName', value })),
);

describe('property: add is idempotent', () => {
  it('applying the same add twice equals applying it once', () => {
    fc.assert(
      fc.property(userWithEmails, addOperation, (user, operation) => {
        let once: ScimResource;
        try {
          once = applyPatch(USER_RESOURCE_TYPE, user, [operation]).resource;
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
          const again = (() => {
            try {
              applyPatch(USER_RESOURCE_TYPE, user, [operation, operation]);
            } catch (second) {
              return second;
            }
            return undefined;
          })();
          expect(again).toBeInstanceOf(ScimError);
          expect((again as ScimError).code).toBe(error.code);
          return;
        }
        const twice = applyPatch(USER_RESOURCE_TYPE, user, [operation, operation]).resource;
        expect(twice).toStrictEqual(once);
        expect(applyPatch(USER_RESOURCE_TYPE, once, [operation]).resource).toStrictEqual(once);
      }),
      { numRuns: 800 },
    );
  });
});

const SIMPLE_PATHS = [
  'active',
  'Active',
  'userName',
  'displayName',
  'nickName',
  'title',
  'timezone',
  'externalId',
  'name.givenName',
  'NAME.FAMILYNAME',
  `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE.toUpperCase()}:Department`,
  `${ENTERPRISE}:manager.value`,
  'urn:ietf:params:scim:schemas:core:2.0:User:locale',
];

const replaceValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.boolean(),
  fc.constantFrom<unknown>('True', 'FALSE', ' false ', 'TRUE', 'yes', null, '', [null], [{ value: null, $ref: null }], { value: 'v' }),
  fc.integer(),
  fc.double({ noNaN: true }),
  text.map((value) => [{ value, $ref: null }]),
  fc.jsonValue({ maxDepth: 2 }),
);

function read(resource: ScimResource, resolved: ResolvedAttribute): unknown {
  const container = resolved.inExtension ? resource[resolved.schemaId] : resource;
  if (!isJsonObject(container)) return undefined;
  const value = container[resolved.attribute.name];
  if (!resolved.subAttribute) return value;
  return isJsonObject(value) ? value[resolved.subAttribute.name] : undefined;
}

describe('property: replace then read', () => {
  it('reading a replaced simple path gives the normalised value; nothing else changes', () => {
    fc.assert(
      fc.property(fc.constantFrom(storedUser, bareUser), fc.constantFrom(...SIMPLE_PATHS), replaceValue, (start, path, value) => {
        const user = start();
        const resolved = USER_RESOURCE_TYPE.resolve(path);
        if (!resolved) throw new Error(`test path ${path} does not resolve`);
        let expected: unknown;
        try {
          // Blank values (null, "", [null], [{"value": null}]) mean "clear"; everything else is normalised.
          expected = isBlank(value) ? null : normalizeValue(resolved.definition, value, { path, warnings: [] });
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
          const code = (() => {
            try {
              applyPatch(USER_RESOURCE_TYPE, user, [{ op: 'replace', path, value }]);
            } catch (thrown) {
              return thrown instanceof ScimError ? thrown.code : 'not a ScimError';
            }
            return 'nothing thrown';
          })();
          expect(code).toBe(error.code);
          return;
        }
        // Clearing a required or non-removable attribute (userName, active) is refused (issue 13, defect 11).
        if (expected === null && (resolved.attribute.required || resolved.attribute.removable === false)) {
          const attempt = () => applyPatch(USER_RESOURCE_TYPE, user, [{ op: 'replace', path, value }]);
          expect(attempt).toThrow(ScimError);
          return;
        }
        const after = applyPatch(USER_RESOURCE_TYPE, user, [{ op: 'replace', path, value }]).resource;
        const got = read(after, resolved);
        if (expected === null) expect(got).toBeUndefined();
        else {
          expect(got).toStrictEqual(expected);
          expect(typeof got).toBe(resolved.definition.type === 'boolean' ? 'boolean' : 'string');
        }
        // Everything outside the replaced top-level attribute is untouched.
        const strip = (resource: ScimResource): Json => {
          const copy = structuredClone(resource) as Json;
          const container = resolved.inExtension ? copy[resolved.schemaId] : copy;
          if (isJsonObject(container)) delete container[resolved.attribute.name];
          if (resolved.inExtension && isJsonObject(container) && Object.keys(container).length === 0) delete copy[resolved.schemaId];
          return copy;
        };
        expect(strip(after)).toStrictEqual(strip(user));
      }),
      { numRuns: 1000 },
    );
  });
});
