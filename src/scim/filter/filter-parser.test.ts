import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import type { Filter } from './ast.js';
import type { FilterLimits } from './filter-limits.js';
import { isJsonNumber, parseFilter } from './filter-parser.js';

const cmp = (path: string, op: string, value: unknown) => ({ kind: 'compare', path, op, value });
const pr = (path: string) => ({ kind: 'present', path });
const and = (left: unknown, right: unknown) => ({ kind: 'and', left, right });
const or = (left: unknown, right: unknown) => ({ kind: 'or', left, right });
const not = (filter: unknown) => ({ kind: 'not', filter });

/** The ScimError thrown by parsing `text`; fails the test when nothing (or something else) is thrown. */
function parseError(text: string, limits?: FilterLimits): ScimError {
  try {
    parseFilter(text, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    const scimError = error as ScimError;
    expect(scimError.scimType).toBe('invalidFilter');
    expect(scimError.status).toBe(400);
    return scimError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseFilter: attribute expressions', () => {
  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])('reads the %s operator in any case', (op) => {
    expect(parseFilter(`userName ${op} "a"`)).toEqual(cmp('userName', op, 'a'));
    expect(parseFilter(`userName ${op.toUpperCase()} "a"`)).toEqual(cmp('userName', op, 'a'));
    const mixed = op[0]!.toUpperCase() + op.slice(1);
    expect(parseFilter(`userName ${mixed} "a"`)).toEqual(cmp('userName', op, 'a'));
  });

  it('reads pr in any case', () => {
    expect(parseFilter('title pr')).toEqual(pr('title'));
    expect(parseFilter('title PR')).toEqual(pr('title'));
    expect(parseFilter('title Pr')).toEqual(pr('title'));
  });

  it('keeps sub-attribute and URN-prefixed paths whole', () => {
    expect(parseFilter('name.familyName co "O\'Malley"')).toEqual(cmp('name.familyName', 'co', "O'Malley"));
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value';
    expect(parseFilter(`${urn} eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toEqual(cmp(urn, 'eq', '26118915-6090-4610-87e4-49d8ca9f808d'));
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toEqual(
      cmp('urn:ietf:params:scim:schemas:core:2.0:User:userName', 'sw', 'J'),
    );
    expect(parseFilter('members.$ref pr')).toEqual(pr('members.$ref'));
    expect(parseFilter('meta.lastModified gt "2011-05-13T04:42:34Z"')).toEqual(cmp('meta.lastModified', 'gt', '2011-05-13T04:42:34Z'));
  });

  it('reads JSON strings with escapes', () => {
    expect(parseFilter(String.raw`a eq "say \"hi\" \\ \/ \b\f\n\r\t"`)).toEqual(cmp('a', 'eq', 'say "hi" \\ / \b\f\n\r\t'));
    expect(parseFilter(String.raw`a eq "\u00e9\u00C9\ud83d\ude00"`)).toEqual(cmp('a', 'eq', 'éÉ😀'));
    expect(parseFilter('a eq ""')).toEqual(cmp('a', 'eq', ''));
    expect(parseFilter('a eq "(and) [or] not"')).toEqual(cmp('a', 'eq', '(and) [or] not'));
    expect(parseFilter('a eq "ünïcödé 名前"')).toEqual(cmp('a', 'eq', 'ünïcödé 名前'));
  });

  it('reads true, false and null in any case', () => {
    expect(parseFilter('active eq true')).toEqual(cmp('active', 'eq', true));
    expect(parseFilter('active eq FALSE')).toEqual(cmp('active', 'eq', false));
    expect(parseFilter('active eq True')).toEqual(cmp('active', 'eq', true));
    expect(parseFilter('title eq NULL')).toEqual(cmp('title', 'eq', null));
    expect(parseFilter('title ne null')).toEqual(cmp('title', 'ne', null));
  });

  it('reads JSON numbers', () => {
    expect(parseFilter('n eq 0')).toEqual(cmp('n', 'eq', 0));
    expect(parseFilter('n gt -12')).toEqual(cmp('n', 'gt', -12));
    expect(parseFilter('n le 3.25')).toEqual(cmp('n', 'le', 3.25));
    expect(parseFilter('n lt 1e3')).toEqual(cmp('n', 'lt', 1000));
    expect(parseFilter('n lt -2.5E-2')).toEqual(cmp('n', 'lt', -0.025));
    expect(Object.is((parseFilter('n eq -0') as { value: unknown }).value, -0)).toBe(true);
  });

  it('reads an unquoted word as a string (legacy clients)', () => {
    expect(parseFilter('externalId eq jyoung')).toEqual(cmp('externalId', 'eq', 'jyoung'));
    expect(parseFilter('userName eq bjensen@example.com and active eq true')).toEqual(
      and(cmp('userName', 'eq', 'bjensen@example.com'), cmp('active', 'eq', true)),
    );
    // Not JSON numbers, so strings: leading zeros, '+', a trailing dot.
    expect(parseFilter('externalId eq 00123')).toEqual(cmp('externalId', 'eq', '00123'));
    expect(parseFilter('externalId eq +1')).toEqual(cmp('externalId', 'eq', '+1'));
    expect(parseFilter('externalId eq 1.')).toEqual(cmp('externalId', 'eq', '1.'));
  });

  it('accepts any amount of spaces and tabs, and none around parentheses', () => {
    expect(parseFilter('  userName \t eq\t\t"a"   ')).toEqual(cmp('userName', 'eq', 'a'));
    expect(parseFilter('(a pr)and(b pr)')).toEqual(and(pr('a'), pr('b')));
    expect(parseFilter('not(a pr)')).toEqual(not(pr('a')));
  });
});

describe('parseFilter: logical expressions', () => {
  it('gives and precedence over or', () => {
    expect(parseFilter('a pr or b pr and c pr')).toEqual(or(pr('a'), and(pr('b'), pr('c'))));
    expect(parseFilter('a pr and b pr or c pr')).toEqual(or(and(pr('a'), pr('b')), pr('c')));
    expect(parseFilter('a pr and b pr or c pr and d pr')).toEqual(or(and(pr('a'), pr('b')), and(pr('c'), pr('d'))));
  });

  it('gives not precedence over and', () => {
    expect(parseFilter('not (a pr) and b pr')).toEqual(and(not(pr('a')), pr('b')));
    expect(parseFilter('a pr or not (b pr)')).toEqual(or(pr('a'), not(pr('b'))));
  });

  it('reads keywords in any case', () => {
    expect(parseFilter('a pr AND b pr Or NOT (c pr)')).toEqual(or(and(pr('a'), pr('b')), not(pr('c'))));
  });

  it('builds chains left-deep', () => {
    expect(parseFilter('a pr and b pr and c pr')).toEqual(and(and(pr('a'), pr('b')), pr('c')));
    expect(parseFilter('a pr or b pr or c pr')).toEqual(or(or(pr('a'), pr('b')), pr('c')));
  });

  it('lets parentheses override precedence and associativity', () => {
    expect(parseFilter('(a pr or b pr) and c pr')).toEqual(and(or(pr('a'), pr('b')), pr('c')));
    expect(parseFilter('a pr and (b pr and c pr)')).toEqual(and(pr('a'), and(pr('b'), pr('c'))));
    expect(parseFilter('((a pr))')).toEqual(pr('a'));
    expect(parseFilter('not (not (a pr))')).toEqual(not(not(pr('a'))));
  });

  it('reads the RFC 7644 §3.4.2.2 examples', () => {
    expect(parseFilter('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")')).toEqual(
      and(cmp('userType', 'eq', 'Employee'), or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org'))),
    );
    expect(parseFilter('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")')).toEqual(
      and(cmp('userType', 'ne', 'Employee'), not(or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')))),
    );
    // Entra's match filter: a sub-attribute comparison after the value filter joins it with `and`.
    expect(parseFilter('emails[type eq "work"].value eq "a@x"')).toEqual({
      kind: 'valuePath',
      path: 'emails',
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: 'type', op: 'eq', value: 'work' },
        right: { kind: 'compare', path: 'value', op: 'eq', value: 'a@x' },
      },
    });
    expect(() => parseFilter('emails[type eq "work"].value')).toThrow(/comparison operator/);
    expect(parseFilter('userType eq "Employee" and emails[type eq "work" and value co "@example.com"]')).toEqual(
      and(cmp('userType', 'eq', 'Employee'), {
        kind: 'valuePath',
        path: 'emails',
        filter: and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')),
      }),
    );
    expect(parseFilter('emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]')).toEqual(
      or(
        { kind: 'valuePath', path: 'emails', filter: and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')) },
        { kind: 'valuePath', path: 'ims', filter: and(cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com')) },
      ),
    );
  });

  it('reads value paths with parentheses and not inside', () => {
    expect(parseFilter('emails[not (type eq "work") and (value pr)]')).toEqual({
      kind: 'valuePath',
      path: 'emails',
      filter: and(not(cmp('type', 'eq', 'work')), pr('value')),
    });
  });

  it('reads attributes named like keywords', () => {
    expect(parseFilter('not pr')).toEqual(pr('not'));
    expect(parseFilter('NOT eq 1')).toEqual(cmp('NOT', 'eq', 1));
    expect(parseFilter('and pr and or pr')).toEqual(and(pr('and'), pr('or')));
    expect(parseFilter('not[a pr]')).toEqual({ kind: 'valuePath', path: 'not', filter: pr('a') });
  });

  it('parses a chain of 200 terms without reaching the depth limit', () => {
    const terms = Array.from({ length: 200 }, (_, i) => `a${i} eq ${i}`);
    let filter = parseFilter(terms.join(' and '), { maxDepth: 1 });
    for (let i = 199; i > 0; i--) {
      expect(filter.kind).toBe('and');
      const node = filter as Extract<Filter, { kind: 'and' }>;
      expect(node.right).toEqual(cmp(`a${i}`, 'eq', i));
      filter = node.left;
    }
    expect(filter).toEqual(cmp('a0', 'eq', 0));
    expect(parseFilter(terms.join(' OR ')).kind).toBe('or');
  });
});

describe('parseFilter: errors', () => {
  it('names the position and the problem', () => {
    expect(parseError('userName "x"').detail).toBe('expected a comparison operator after \'userName\' at position 9, found the string "x"');
    expect(parseError('userName').detail).toBe(
      "expected a comparison operator after 'userName' at position 8, found the end of the filter",
    );
    expect(parseError('userName xx "a"').detail).toMatch(/comparison operator after 'userName' at position 9, found 'xx'/);
  });

  it.each([
    ['', /empty/],
    ['  \t ', /empty/],
    ['userName eq', /expected a value after 'eq' at position 11/],
    ['userName eq )', /expected a value after 'eq' at position 12, found '\)'/],
    ['userName eq and', /expected a value after 'eq'/],
    ['userName eq "a" title pr', /expected 'and', 'or' or the end of the filter at position 16, found 'title'/],
    ['userName eq "a" and', /expected an attribute path, '\(' or 'not' at position 19, found the end/],
    ['and', /comparison operator after 'and'/],
    ['(userName pr', /closing the '\(' at position 0\) at position 12/],
    ['userName pr)', /position 11, found '\)'/],
    ['()', /attribute path, '\(' or 'not' at position 1/],
    ['not userName pr', /expected '\(' after 'not' at position 4/],
    ['not', /expected '\(' after 'not' at position 3/],
    ['"userName" eq "a"', /attribute path, '\(' or 'not' at position 0, found the string/],
    ['userName eq "a', /unterminated string starting at position 12/],
    ['userName eq "a\\', /unterminated string/],
    [String.raw`userName eq "\x"`, /invalid escape '\\x' in a string at position 13/],
    [String.raw`userName eq "\u12G4"`, /invalid \\u escape at position 13/],
    [String.raw`userName eq "\u12"`, /invalid \\u escape/],
    ['userName eq "a\nb"', /unescaped control character in a string at position 14/],
    ['userName\neq "a"', /control character U\+000A at position 8/],
    ['user name eq "a"', /comparison operator after 'user' at position 5, found 'name'/],
    ['userName+eq+"a"', /'\+' is not allowed/],
    ['1abc eq "a"', /'1abc' at position 0 is not a valid attribute path/],
    ['name.givenName.x eq "a"', /not a valid attribute path/],
    ['name. eq "a"', /not a valid attribute path/],
    ['foo:userName eq "a"', /schema URI .* is malformed/],
    [':userName eq "a"', /not a valid attribute path/],
    ['a eq 1e400', /the number '1e400' at position 5 is out of range/],
    ['emails[type eq "work"', /closing the '\[' at position 6\) at position 21, found the end/],
    ['emails[type eq "work")', /closing the '\['.* found '\)'/],
    ['emails[]', /attribute path, '\(' or 'not' at position 7, found '\]'/],
    ['emails[type eq "a" and x[y pr]]', /value filters cannot be nested: '\[' at position 24/],
    ['emails[type[y pr]]', /value filters cannot be nested/],
    ['emails [type pr] eq "a"', /expected 'and', 'or' or the end of the filter at position 17, found 'eq'/],
    ['[a pr]', /attribute path, '\(' or 'not' at position 0, found '\['/],
  ])('rejects %j', (text, detail) => {
    expect(parseError(text).detail).toMatch(detail);
  });

  it('shortens long excerpts in details', () => {
    const detail = parseError(`${'x'.repeat(500)} "a"`).detail;
    expect(detail.length).toBeLessThan(200);
    expect(detail).toContain('…');
  });
});

describe('parseFilter: limits', () => {
  it('rejects input over maxLength (default 4096 characters)', () => {
    const longest = `userName eq "${'a'.repeat(4096 - 14)}"`;
    expect(longest).toHaveLength(4096);
    expect(parseFilter(longest)).toEqual(cmp('userName', 'eq', 'a'.repeat(4082)));
    expect(parseError(`${longest} `).detail).toBe('the filter is 4097 characters long; at most 4096 are allowed');
    expect(parseError('userName eq "abc"', { maxLength: 10 }).detail).toMatch(/at most 10/);
  });

  it('rejects nesting deeper than maxDepth (default 32)', () => {
    const nested = (depth: number) => `${'('.repeat(depth)}a pr${')'.repeat(depth)}`;
    expect(parseFilter(nested(32))).toEqual(pr('a'));
    expect(parseError(nested(33)).detail).toBe('the filter nests parentheses and value filters more than 32 levels deep (at position 32)');
    const nots = (depth: number) => `${'not ('.repeat(depth)}a pr${')'.repeat(depth)}`;
    expect(parseFilter(nots(32)).kind).toBe('not');
    expect(parseError(nots(33)).detail).toMatch(/more than 32 levels/);
    expect(parseFilter(nested(3), { maxDepth: 3 })).toEqual(pr('a'));
    expect(parseError(nested(4), { maxDepth: 3 }).detail).toMatch(/more than 3 levels/);
    // A value filter's '[' opens a level too.
    expect(parseFilter('emails[type pr]', { maxDepth: 1 })).toEqual({ kind: 'valuePath', path: 'emails', filter: pr('type') });
    expect(parseError('(emails[type pr])', { maxDepth: 1 }).detail).toMatch(/more than 1 level deep \(at position 7\)/);
  });

  it('rejects a maxDepth or maxLength that is not a positive integer as misuse', () => {
    expect(() => parseFilter('a pr', { maxDepth: 0 })).toThrow(TypeError);
    expect(() => parseFilter('a pr', { maxLength: 1.5 })).toThrow(TypeError);
  });
});

describe('isJsonNumber', () => {
  it.each(['0', '-0', '12', '-3.5', '1e5', '1E+5', '2.5e-3'])('accepts %s', (text) => {
    expect(isJsonNumber(text)).toBe(true);
  });
  it.each(['', '-', '01', '+1', '1.', '.5', '1e', '1e+', '0x10', 'NaN', 'Infinity', '1 ', '1_000'])('rejects %j', (text) => {
    expect(isJsonNumber(text)).toBe(false);
  });
});

/**
 * Issue 13, defect 5: a lone surrogate reached the database, where SQLite and PostgreSQL store
 * different replacements. A filter can spell one as a `\uD800` escape or carry it raw.
 */
describe('defect 5 (issue 13): filters must be well-formed Unicode', () => {
  it.each([
    ['an escaped lone high surrogate', 'userName eq "a\\ud800b"'],
    ['an escaped lone low surrogate', 'userName eq "\\udc00"'],
    ['escapes in the wrong order', 'userName eq "\\ude00\\ud83d"'],
    ['a raw lone surrogate in a string', 'userName eq "a\ud800"'],
    ['a raw lone surrogate in an unquoted value', 'userName eq a\udc00'],
    ['a raw lone surrogate in a value filter', 'emails[value eq "\ud800"]'],
  ])('rejects %s with invalidFilter', (_name, text) => {
    expect(parseError(text).detail).toContain('not well-formed Unicode');
  });

  it('keeps a well-formed astral character, escaped or raw', () => {
    expect(parseFilter('nickName eq "\\ud83d\\ude00"')).toEqual(cmp('nickName', 'eq', '\u{1F600}'));
    expect(parseFilter('nickName eq "\u{1F600}"')).toEqual(cmp('nickName', 'eq', '\u{1F600}'));
  });
});
