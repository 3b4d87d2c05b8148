import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { attribute } from './attribute.js';
import { describeSchema } from './discovery.js';
import { checkResource, checkValueCounts } from './resource-checker.js';
import { GROUP_RESOURCE_TYPE, URN, USER_RESOURCE_TYPE } from './resource-type.js';
import { MAX_CONTACTS, MAX_TEAMS, TEAMS_USER_SCHEMA, USER_SCHEMA } from './user-schema.js';

const TEAMS = URN.teamsUser;

function checkError(body: unknown): ScimError {
  try {
    checkResource(USER_RESOURCE_TYPE, body);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    return error as ScimError;
  }
  throw new Error('expected the body to be refused');
}

const user = (extra: Record<string, unknown> = {}) => ({ userName: 'ann@example.com', ...extra });
const list = <T>(count: number, make: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));

/**
 * Issue 13, defect 4: multi-valued attributes are limited (`maxItems`), checked before any SQL:
 * a POST or PUT with thousands of emails or team names answered 500 from the database driver.
 */
describe('defect 4 (issue 13): checkResource enforces maxItems', () => {
  it('the limits are data on the schema: 100 emails, phone numbers and addresses, 500 teams', () => {
    const limits = Object.fromEntries(USER_SCHEMA.attributes.filter((a) => a.maxItems).map((a) => [a.name, a.maxItems]));
    expect(limits).toEqual({ emails: MAX_CONTACTS, phoneNumbers: MAX_CONTACTS, addresses: MAX_CONTACTS });
    expect(MAX_CONTACTS).toBe(100);
    expect(TEAMS_USER_SCHEMA.attributes.find((a) => a.name === 'teams')?.maxItems).toBe(MAX_TEAMS);
    expect(MAX_TEAMS).toBe(500);
  });

  it.each([
    ['emails', list(2300, (i) => ({ value: `e${i}@example.com` })), 'emails', 2300, 100],
    ['phoneNumbers', list(101, (i) => ({ value: `+${i}` })), 'phoneNumbers', 101, 100],
    ['addresses', list(101, (i) => ({ locality: `L${i}` })), 'addresses', 101, 100],
  ])('refuses too many %s with invalidValue naming the attribute, the count and the limit', (name, values, key, count, limit) => {
    const error = checkError(user({ [name]: values }));
    expect(error.code).toBe('invalidValue');
    expect(error.detail).toBe(`'${key}' has ${count} values; at most ${limit} are allowed`);
  });

  it('refuses 70,000 team names (in the extension object or as a URN key)', () => {
    const teams = list(70_000, (i) => `u${i}`);
    expect(checkError(user({ [TEAMS]: { teams } })).detail).toBe(`'${TEAMS}:teams' has 70000 values; at most 500 are allowed`);
    expect(checkError(user({ [`${TEAMS}:teams`]: teams })).code).toBe('invalidValue');
  });

  it('accepts exactly the limits', () => {
    const { resource } = checkResource(
      USER_RESOURCE_TYPE,
      user({
        emails: list(100, (i) => ({ value: `e${i}@example.com` })),
        phoneNumbers: list(100, (i) => ({ value: `+${i}` })),
        addresses: list(100, (i) => ({ locality: `L${i}` })),
        [TEAMS]: { teams: list(500, (i) => `T${i}`) },
      }),
    );
    expect(resource.emails).toHaveLength(100);
    expect((resource[TEAMS] as { teams: unknown[] }).teams).toHaveLength(500);
  });

  it('counts values after normalisation: blank elements and repeated team names do not count', () => {
    const { resource, warnings } = checkResource(
      USER_RESOURCE_TYPE,
      user({
        emails: [...list(100, (i) => ({ value: `e${i}@example.com` })), { value: '' }, null],
        [TEAMS]: { teams: list(600, () => 'Sales') },
      }),
    );
    expect(resource.emails).toHaveLength(100);
    expect(resource[TEAMS]).toEqual({ teams: ['Sales'] });
    expect(warnings).toEqual([`ignored 599 repeated values of '${TEAMS}:teams'`]);
  });

  it('Group members have no limit: roles may hold any number of users', () => {
    expect(GROUP_RESOURCE_TYPE.schema.attributes.find((a) => a.name === 'members')?.maxItems).toBeUndefined();
  });

  it('checkValueCounts with a baseline lets a list stored over the limit stay or shrink, not grow', () => {
    const stored = { userName: 'x', emails: list(150, (i) => ({ value: `e${i}` })) };
    expect(() => checkValueCounts(USER_RESOURCE_TYPE, stored, stored)).not.toThrow();
    expect(() => checkValueCounts(USER_RESOURCE_TYPE, { ...stored, emails: stored.emails.slice(1) }, stored)).not.toThrow();
    expect(() => checkValueCounts(USER_RESOURCE_TYPE, { ...stored, emails: [...stored.emails, { value: 'new' }] }, stored)).toThrow(
      "'emails' has 151 values; at most 100 are allowed",
    );
    expect(() => checkValueCounts(USER_RESOURCE_TYPE, stored)).toThrow(ScimError);
  });

  it('maxItems is only for multi-valued attributes, and a positive integer', () => {
    expect(() => attribute('x', 'string', { maxItems: 3 })).toThrow(TypeError);
    expect(() => attribute('x', 'string', { multiValued: true, maxItems: 0 })).toThrow(TypeError);
    expect(() => attribute('x', 'string', { multiValued: true, maxItems: 1.5 })).toThrow(TypeError);
    expect(attribute('x', 'string', { multiValued: true, maxItems: 2 }).maxItems).toBe(2);
  });

  it('/Schemas states each limit in the description, without a non-standard characteristic', () => {
    const described = describeSchema(USER_SCHEMA, 'https://roster.example/scim/v2') as { attributes: Record<string, unknown>[] };
    const emails = described.attributes.find((a) => a.name === 'emails') as Record<string, unknown>;
    expect(emails.description).toMatch(/At most 100 values\.$/);
    expect(described.attributes.find((a) => a.name === 'phoneNumbers')?.description).toBe('At most 100 values.');
    expect(emails).not.toHaveProperty('maxItems');
    expect(described.attributes.find((a) => a.name === 'active')).not.toHaveProperty('removable');
  });
});

/**
 * Issue 13, defect 11 (the POST/PUT side): `active` always has a value in Roster. A body that
 * clears it (`null`, `""`) was accepted and ignored; it is refused with invalidValue.
 */
describe('defect 11 (issue 13): checkResource refuses clearing an attribute Roster always holds', () => {
  it.each([
    ['null', null],
    ['""', ''],
    ['[]', []],
  ])('active: %s is invalidValue', (_name, value) => {
    const error = checkError(user({ active: value }));
    expect(error.code).toBe('invalidValue');
    expect(error.detail).toContain("'active' cannot be null or empty");
  });

  it('active left out, true or false is fine', () => {
    expect(checkResource(USER_RESOURCE_TYPE, user()).resource.active).toBeUndefined();
    expect(checkResource(USER_RESOURCE_TYPE, user({ active: false })).resource.active).toBe(false);
    expect(checkResource(USER_RESOURCE_TYPE, user({ active: 'True' })).resource.active).toBe(true);
  });

  it('other attributes may still be cleared with null', () => {
    expect(checkResource(USER_RESOURCE_TYPE, user({ title: null, emails: [] })).resource).toEqual({
      userName: 'ann@example.com',
      title: null,
      emails: null,
    });
  });
});
