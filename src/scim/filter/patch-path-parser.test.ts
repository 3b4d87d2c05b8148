import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { parsePatchPath } from './patch-path-parser.js';

function pathError(text: string): ScimError {
  try {
    parsePatchPath(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).scimType).toBe('invalidPath');
    return error as ScimError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parsePatchPath', () => {
  it('reads a plain attribute path', () => {
    expect(parsePatchPath('displayName')).toEqual({ attributePath: 'displayName' });
    expect(parsePatchPath('name.givenName')).toEqual({ attributePath: 'name.givenName' });
    expect(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value')).toEqual({
      attributePath: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
    });
    expect(parsePatchPath(' title ')).toEqual({ attributePath: 'title' });
  });

  it('reads a value filter', () => {
    expect(parsePatchPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toEqual({
      attributePath: 'members',
      filter: { kind: 'compare', path: 'value', op: 'eq', value: '2819c223-7f76-453a-919d-413861904646' },
    });
    expect(parsePatchPath('emails[type EQ "work" AND not (primary eq false)]')).toEqual({
      attributePath: 'emails',
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: 'type', op: 'eq', value: 'work' },
        right: { kind: 'not', filter: { kind: 'compare', path: 'primary', op: 'eq', value: false } },
      },
    });
  });

  it('reads a value filter followed by a sub-attribute', () => {
    expect(parsePatchPath('addresses[type eq "work"].streetAddress')).toEqual({
      attributePath: 'addresses',
      filter: { kind: 'compare', path: 'type', op: 'eq', value: 'work' },
      subAttribute: 'streetAddress',
    });
  });

  it.each([
    ['', /the path is empty/],
    ['   ', /the path is empty/],
    ['"title"', /expected an attribute path at position 0, found the string/],
    ['[type eq "work"]', /expected an attribute path at position 0, found '\['/],
    ['title eq "x"', /expected '\[' or the end of the path at position 6, found 'eq'/],
    ['name.givenName.x', /not a valid attribute path/],
    ['emails[type eq "work"', /closing the '\[' at position 6/],
    ['emails[type eq "work"] .value', /directly after '\]' .* at position 23/],
    ['emails[type eq "work"]value', /directly after '\]'/],
    ['emails[type eq "work"].', /'\.' at position 22 is not a valid sub-attribute/],
    ['emails[type eq "work"].value.x', /not a valid sub-attribute/],
    ['emails[type eq "work"].value extra', /expected the end of the path at position 29, found 'extra'/],
    ['emails[type eq "work"][value pr]', /found '\['/],
    ['emails[type[value pr]]', /value filters cannot be nested/],
    ['emails[type eq]', /expected a value after 'eq'/],
    ['emails[type eq "a\\q"]', /invalid escape/],
  ])('rejects %j with invalidPath', (text, detail) => {
    expect(pathError(text).detail).toMatch(detail);
  });

  it('applies the length and depth limits', () => {
    expect(pathError(`a${'b'.repeat(4096)}`).detail).toMatch(/4097 characters long; at most 4096/);
    expect(() => parsePatchPath('emails[(type pr)]', { maxDepth: 1 })).toThrow(/more than 1 level deep/);
    expect(parsePatchPath('emails[(type pr)]', { maxDepth: 2 }).filter).toEqual({ kind: 'present', path: 'type' });
  });
});

describe('defect 5 (issue 13): PATCH paths must be well-formed Unicode', () => {
  it.each([
    ['an escaped lone surrogate in a value filter', 'emails[value eq "\\ud800"]'],
    ['a raw lone surrogate in a value filter', 'emails[value eq "\udc00"]'],
    ['a raw lone surrogate in the attribute name', 'title\ud800'],
  ])('rejects %s with invalidPath', (_name, text) => {
    expect(pathError(text).detail).toContain('not well-formed Unicode');
  });

  it('keeps a well-formed astral character in a value filter', () => {
    const path = parsePatchPath('emails[value eq "\\ud83d\\ude00@x"]');
    expect(path.filter).toEqual({ kind: 'compare', path: 'value', op: 'eq', value: '\u{1F600}@x' });
  });
});
