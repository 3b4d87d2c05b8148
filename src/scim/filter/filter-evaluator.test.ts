import { describe, expect, it } from 'vitest';
import { attribute } from '../schema/attribute.js';
import { GROUP_RESOURCE_TYPE, ResourceType, USER_RESOURCE_TYPE } from '../schema/resource-type.js';
import { matchesElement, matchesResource } from './filter-evaluator.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter, resolvePatchPath } from './filter-resolver.js';
import { parsePatchPath } from './patch-path-parser.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TEAMS = 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User';

const BJENSEN = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'BJensen-1',
  userName: 'Bjensen@Example.com',
  name: { familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: '',
  nickName: null,
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  phoneNumbers: [],
  addresses: [{}],
  meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34.000Z' },
  [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'MGR-1', displayName: 'John' } },
  [TEAMS]: { teams: ['Red', 'Blue'] },
};

const matches = (text: string, resource: Record<string, unknown> = BJENSEN, type = USER_RESOURCE_TYPE) =>
  matchesResource(resolveFilter(parseFilter(text), type), resource);

/** Asserts that `text` matches and its negation `not (text)` does not, or the other way round. */
function expectMatch(text: string, expected: boolean, resource: Record<string, unknown> = BJENSEN) {
  expect(matches(text, resource), text).toBe(expected);
  expect(matches(`not (${text})`, resource), `not (${text})`).toBe(!expected);
}

describe('matchesResource: string operators', () => {
  it.each([
    ['userName eq "bjensen@example.com"', true],
    ['userName eq "BJENSEN@EXAMPLE.COM"', true],
    ['userName eq "bjensen"', false],
    ['userName ne "bjensen@example.com"', false],
    ['userName ne "someone"', true],
    ['userName co "JENSEN@"', true],
    ['userName co "jensen@x"', false],
    ['userName sw "bjen"', true],
    ['userName sw "jensen"', false],
    ['userName ew ".COM"', true],
    ['userName ew ".org"', false],
    ['userName gt "a"', true],
    ['userName gt "c"', false],
    ['userName ge "bjensen@example.com"', true],
    ['userName lt "c"', true],
    ['userName le "b"', false],
    ['name.familyName eq "jensen"', true],
    ['name.givenName sw "X"', false],
  ])('%s → %s (case-insensitive attribute)', (text, expected) => {
    expectMatch(text, expected);
  });

  it('compares caseExact attributes exactly', () => {
    expectMatch('externalId eq "BJensen-1"', true);
    expectMatch('externalId eq "bjensen-1"', false);
    expectMatch('externalId co "jensen"', false);
    expectMatch('id sw "2819C223"', false);
    expectMatch(`${ENTERPRISE}:manager.value eq "MGR-1"`, true);
    expectMatch(`${ENTERPRISE}:manager.value eq "mgr-1"`, false);
    expectMatch(`${ENTERPRISE}:manager.displayName eq "JOHN"`, true);
  });
});

describe('matchesResource: presence, null and missing attributes', () => {
  it.each([
    ['userName pr', true],
    ['title pr', false], // ""
    ['nickName pr', false], // null
    ['locale pr', false], // missing
    ['phoneNumbers pr', false], // []
    ['addresses pr', false], // [{}]
    ['name pr', true],
    ['emails pr', true],
    ['emails.primary pr', true],
    ['addresses.locality pr', false],
    [`${ENTERPRISE}:manager pr`, true],
    [`${ENTERPRISE}:costCenter pr`, false],
    [`${TEAMS}:teams pr`, true],
    ['active pr', true],
  ])('%s → %s', (text, expected) => {
    expectMatch(text, expected);
  });

  it('treats a missing attribute as not equal to anything', () => {
    expectMatch('locale ne "en"', true);
    expectMatch('locale eq "en"', false);
    expectMatch('locale co ""', false);
    expectMatch('locale gt "a"', false);
    expectMatch('nickName ne "x"', true);
    expectMatch(`${ENTERPRISE}:costCenter ne "1"`, true);
    expect(matches('userName ne "x"', {})).toBe(true);
    expect(matches(`${ENTERPRISE}:department ne "x"`, { [ENTERPRISE]: 'not an object' })).toBe(true);
  });

  it('compares with null', () => {
    expectMatch('nickName eq null', true);
    expectMatch('locale eq null', true);
    expectMatch('userName eq null', false);
    expectMatch('userName ne null', true);
    expectMatch('locale ne null', false);
    expectMatch('title eq null', false); // "" is a value
  });

  it('does not read inherited properties', () => {
    expect(matches('displayName pr', Object.create({ displayName: 'x' }) as Record<string, unknown>)).toBe(false);
  });
});

describe('matchesResource: booleans, dateTimes, numbers', () => {
  it('compares booleans', () => {
    expectMatch('active eq true', true);
    expectMatch('active eq false', false);
    expectMatch('active ne false', true);
    expectMatch('active eq "TRUE"', true);
    expect(matches('active eq true', { active: 'true' })).toBe(false);
    expect(matches('active ne true', { active: 'true' })).toBe(true);
  });

  it('compares dateTimes chronologically whatever their notation', () => {
    expectMatch('meta.lastModified eq "2011-05-13T04:42:34Z"', true);
    expectMatch('meta.lastModified eq "2011-05-13T06:42:34+02:00"', true);
    expectMatch('meta.lastModified gt "2011-05-13T04:42:33.999Z"', true);
    expectMatch('meta.lastModified gt "2011-05-13T04:42:34Z"', false);
    expectMatch('meta.lastModified ge "2011-05-13T04:42:34Z"', true);
    expectMatch('meta.lastModified lt "2011-05-13T05:42:34+00:30"', true);
    expectMatch('meta.created le "2010-01-23"', false);
    expectMatch('meta.created gt "2010-01-23"', true);
    expect(matches('meta.created eq "2010-01-23T04:56:22Z"', { meta: { created: new Date('2010-01-23T04:56:22Z') } })).toBe(true);
    expect(matches('meta.created gt "2000-01-01"', { meta: { created: 'garbage' } })).toBe(false);
  });

  it('compares integers and decimals numerically', () => {
    const gadget = new ResourceType({
      name: 'Gadget',
      endpoint: '/Gadgets',
      description: '',
      schema: {
        id: 'urn:example:Gadget',
        name: 'Gadget',
        description: '',
        attributes: [attribute('count', 'integer'), attribute('weight', 'decimal', { multiValued: true })],
      },
    });
    const item = { count: 10, weight: [1.5, 20] };
    const check = (text: string) => matches(text, item, gadget);
    expect(check('count eq 10')).toBe(true);
    expect(check('count gt 9')).toBe(true); // numerically, where "10" < "9" as strings
    expect(check('count lt 9')).toBe(false);
    expect(check('count ge 10.0')).toBe(true);
    expect(check('count le 9.99')).toBe(false);
    expect(check('count ne 10')).toBe(false);
    expect(check('weight gt 19')).toBe(true);
    expect(check('weight lt 1')).toBe(false);
    expect(matches('count eq 10', { count: '10' }, gadget)).toBe(false);
  });
});

describe('matchesResource: multi-valued attributes', () => {
  it('matches when any value matches', () => {
    expectMatch('emails.value eq "babs@jensen.org"', true);
    expectMatch('emails.type eq "home"', true);
    expectMatch('emails.type eq "other"', false);
    expectMatch('emails eq "BABS@jensen.org"', true);
    expectMatch('emails co "@example.com"', true);
    expectMatch('emails.primary eq true', true);
    expectMatch(`${TEAMS}:teams eq "Red"`, true);
    expectMatch(`${TEAMS}:teams eq "red"`, false); // caseExact
    expectMatch(`${TEAMS}:teams ne "Red"`, true); // "Blue" is not "Red"
    expect(matches(`${TEAMS}:teams ne "Red"`, { [TEAMS]: { teams: ['Red'] } })).toBe(false);
  });

  it('evaluates a value filter on each element as a whole', () => {
    expectMatch('emails[type eq "work" and value co "@example.com"]', true);
    // Both conditions hold, but on different elements.
    expectMatch('emails[type eq "home" and value co "@example.com"]', false);
    expectMatch('emails.type eq "home" and emails.value co "@example.com"', true);
    expectMatch('emails[not (primary eq true)]', true);
    expectMatch('emails[primary eq true and type eq "home"]', false);
    expectMatch('phoneNumbers[type pr]', false);
    expectMatch('ADDRESSES[locality pr]', false);
  });

  it('applies a value filter to a single-valued complex attribute', () => {
    expectMatch(`${ENTERPRISE}:manager[value eq "MGR-1"]`, true);
    expectMatch(`${ENTERPRISE}:manager[value eq "MGR-2"]`, false);
    expectMatch('name[givenName sw "bar" and familyName pr]', true);
  });

  it('matches Group members', () => {
    const group = { displayName: 'Admins', members: [{ value: 'u1', display: 'Ann' }, { value: 'u2' }] };
    expect(matches('members[value eq "u2"]', group, GROUP_RESOURCE_TYPE)).toBe(true);
    expect(matches('members eq "U2"', group, GROUP_RESOURCE_TYPE)).toBe(false); // members.value is caseExact
    expect(matches('members.display eq "ann"', group, GROUP_RESOURCE_TYPE)).toBe(true);
  });
});

describe('matchesResource: logic', () => {
  it('combines with and, or, not and precedence', () => {
    expectMatch('userName sw "b" and active eq true', true);
    expectMatch('userName sw "x" and active eq true', false);
    expectMatch('userName sw "x" or active eq true', true);
    expectMatch('userName sw "x" or active eq false', false);
    // and binds tighter: x or (y and z)
    expectMatch('userName sw "b" or active eq false and title pr', true);
    expectMatch('(userName sw "b" or active eq false) and title pr', false);
    expectMatch('not (userName sw "x") and not (title pr)', true);
  });

  it('evaluates long chains', () => {
    const many = Array.from({ length: 400 }, () => 'userName pr').join(' and ');
    const filter = resolveFilter(parseFilter(`${many} and title pr`, { maxLength: 100_000 }), USER_RESOURCE_TYPE);
    expect(matchesResource(filter, BJENSEN)).toBe(false);
    const filter2 = resolveFilter(parseFilter(`${many} or title pr`, { maxLength: 100_000 }), USER_RESOURCE_TYPE);
    expect(matchesResource(filter2, BJENSEN)).toBe(true);
  });
});

describe('matchesElement', () => {
  it('evaluates the value filter of a PATCH path on one element', () => {
    const { filter } = resolvePatchPath(parsePatchPath('emails[type eq "WORK" and primary eq true]'), USER_RESOURCE_TYPE);
    expect(filter).toBeDefined();
    expect(BJENSEN.emails.map((element) => matchesElement(filter!, element))).toEqual([true, false]);
    expect(matchesElement(filter!, {})).toBe(false);
  });

  it('evaluates ne, pr and null on an element', () => {
    const { filter: ne } = resolvePatchPath(parsePatchPath('emails[type ne "work"]'), USER_RESOURCE_TYPE);
    expect(matchesElement(ne!, { value: 'a' })).toBe(true);
    expect(matchesElement(ne!, { type: 'Work' })).toBe(false);
    const { filter: present } = resolvePatchPath(parsePatchPath('emails[display pr or type eq null]'), USER_RESOURCE_TYPE);
    expect(matchesElement(present!, { display: 'x', type: 'work' })).toBe(true);
    expect(matchesElement(present!, { display: '', type: 'work' })).toBe(false);
    expect(matchesElement(present!, { display: '' })).toBe(true);
  });

  it('rejects a value path, which cannot occur inside another', () => {
    const filter = resolveFilter(parseFilter('emails[type pr]'), USER_RESOURCE_TYPE);
    expect(() => matchesElement(filter, {})).toThrow(TypeError);
  });
});
