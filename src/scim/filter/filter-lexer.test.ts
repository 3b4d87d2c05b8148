import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { FilterLexer, type Token } from './filter-lexer.js';

function tokens(input: string): Omit<Token, 'text'>[] {
  const lexer = new FilterLexer(input, ScimError.invalidFilter);
  const out: Omit<Token, 'text'>[] = [];
  for (;;) {
    const { text: _text, ...token } = lexer.next();
    out.push(token);
    if (token.kind === 'end') return out;
  }
}

describe('FilterLexer', () => {
  it('splits words, strings and brackets with their offsets', () => {
    expect(tokens('emails[type eq "w\\"k"] and\t(x pr)')).toEqual([
      { kind: 'word', value: 'emails', start: 0, end: 6 },
      { kind: '[', value: '[', start: 6, end: 7 },
      { kind: 'word', value: 'type', start: 7, end: 11 },
      { kind: 'word', value: 'eq', start: 12, end: 14 },
      { kind: 'string', value: 'w"k', start: 15, end: 21 },
      { kind: ']', value: ']', start: 21, end: 22 },
      { kind: 'word', value: 'and', start: 23, end: 26 },
      { kind: '(', value: '(', start: 27, end: 28 },
      { kind: 'word', value: 'x', start: 28, end: 29 },
      { kind: 'word', value: 'pr', start: 30, end: 32 },
      { kind: ')', value: ')', start: 32, end: 33 },
      { kind: 'end', value: '', start: 33, end: 33 },
    ]);
  });

  it('ends a word at a quote and keeps + inside words', () => {
    expect(tokens('a+b"c"').map((t) => t.value)).toEqual(['a+b', 'c', '']);
  });

  it('peeks without consuming', () => {
    const lexer = new FilterLexer('a b', ScimError.invalidFilter);
    expect(lexer.peek().value).toBe('a');
    expect(lexer.peek().value).toBe('a');
    expect(lexer.next().value).toBe('a');
    expect(lexer.next().value).toBe('b');
    expect(lexer.next().kind).toBe('end');
    expect(lexer.next().kind).toBe('end');
  });

  it('reports control characters outside strings as invalidFilter', () => {
    const lexer = new FilterLexer('a\u0000', ScimError.invalidFilter);
    lexer.next();
    expect(() => lexer.next()).toThrow(/control character U\+0000 at position 1/);
  });
});
