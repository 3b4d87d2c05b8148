import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterAst, filterishText } from '../../../test/support/filter-arbitraries.js';
import { ScimError } from '../errors.js';
import type { Filter } from './ast.js';
import { parseFilter } from './filter-parser.js';
import { printFilter, printFilterValue } from './filter-printer.js';

const pr = (path: string): Filter => ({ kind: 'present', path });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });

describe('printFilter', () => {
  it('prints values as JSON', () => {
    expect(printFilterValue('a "b" \\ \n')).toBe('"a \\"b\\" \\\\ \\n"');
    expect(printFilterValue(-0)).toBe('-0');
    expect(printFilterValue(1.5e300)).toBe('1.5e+300');
    expect(printFilterValue(true)).toBe('true');
    expect(printFilterValue(null)).toBe('null');
  });

  it('prints every node kind', () => {
    expect(printFilter({ kind: 'compare', path: 'userName', op: 'sw', value: 'J' })).toBe('userName sw "J"');
    expect(printFilter({ kind: 'not', filter: pr('a') })).toBe('not (a pr)');
    expect(printFilter({ kind: 'valuePath', path: 'emails', filter: and(pr('type'), pr('value')) })).toBe('emails[type pr and value pr]');
  });

  it('adds parentheses only where precedence and left-deep chains need them', () => {
    expect(printFilter(and(and(pr('a'), pr('b')), pr('c')))).toBe('a pr and b pr and c pr');
    expect(printFilter(and(pr('a'), and(pr('b'), pr('c'))))).toBe('a pr and (b pr and c pr)');
    expect(printFilter(or(and(pr('a'), pr('b')), and(pr('c'), pr('d'))))).toBe('a pr and b pr or c pr and d pr');
    expect(printFilter(and(or(pr('a'), pr('b')), or(pr('c'), pr('d'))))).toBe('(a pr or b pr) and (c pr or d pr)');
    expect(printFilter(or(pr('a'), or(pr('b'), pr('c'))))).toBe('a pr or (b pr or c pr)');
  });

  it('prints a long chain without recursing per term', () => {
    let chain: Filter = pr('a0');
    for (let i = 1; i < 50_000; i++) chain = { kind: 'or', left: chain, right: pr(`a${i}`) };
    const text = printFilter(chain);
    expect(text.startsWith('a0 pr or a1 pr or')).toBe(true);
    expect(text.endsWith('a49999 pr')).toBe(true);
  });
});

describe('printFilter properties', () => {
  it('parse(print(ast)) deep-equals ast for random trees', () => {
    fc.assert(
      fc.property(filterAst, (ast) => {
        expect(parseFilter(printFilter(ast))).toEqual(ast);
      }),
      { numRuns: 1000 },
    );
  });

  it('printing any parsed input gives text that parses to the same tree', () => {
    let parsed = 0;
    fc.assert(
      fc.property(filterishText, (text) => {
        let ast: Filter;
        try {
          ast = parseFilter(text);
        } catch (error) {
          if (error instanceof ScimError) return;
          throw error;
        }
        parsed++;
        expect(parseFilter(printFilter(ast))).toEqual(ast);
      }),
      { numRuns: 3000 },
    );
    // Inputs must reach successful parses, or this property would be vacuous.
    expect(parsed).toBeGreaterThan(300);
  });
});
