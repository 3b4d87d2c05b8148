/**
 * The evaluator agrees with scim2-parse-filter on the fragment where both semantics coincide:
 * eq/ne/co/sw/pr with and/or/not over single-valued, case-insensitive string attributes that
 * are all present, non-empty and lower case (the oracle is case-sensitive, treats a missing
 * attribute as failing `ne`, and counts "" as present).
 */
import fc from 'fast-check';
import { filter as oracleFilter, parse as oracleParse } from 'scim2-parse-filter';
import { describe, expect, it } from 'vitest';
import { USER_RESOURCE_TYPE } from '../schema/resource-type.js';
import type { Filter } from './ast.js';
import { matchesResource } from './filter-evaluator.js';
import { parseFilter } from './filter-parser.js';
import { printFilter } from './filter-printer.js';
import { resolveFilter } from './filter-resolver.js';

const ATTRIBUTES = ['userName', 'displayName', 'title', 'nickName', 'locale'] as const;
const text = (minLength: number) => fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength, maxLength: 3 });

const resource = fc.record(Object.fromEntries(ATTRIBUTES.map((name) => [name, text(1)])) as Record<string, fc.Arbitrary<string>>);

const flatFilter: fc.Arbitrary<Filter> = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.oneof(
    { maxDepth: 5, depthSize: 'small' },
    fc.record({
      kind: fc.constant('compare' as const),
      path: fc.constantFrom(...ATTRIBUTES),
      op: fc.constantFrom('eq' as const, 'ne' as const, 'co' as const, 'sw' as const),
      value: text(0),
    }),
    fc.record({ kind: fc.constant('present' as const), path: fc.constantFrom(...ATTRIBUTES) }),
    fc.record({ kind: fc.constant('and' as const), left: tie('filter'), right: tie('filter') }),
    fc.record({ kind: fc.constant('or' as const), left: tie('filter'), right: tie('filter') }),
    fc.record({ kind: fc.constant('not' as const), filter: tie('filter') }),
  ),
})).filter;

describe('matchesResource agrees with scim2-parse-filter', () => {
  it('on flat string filters over lower-case resources', () => {
    const outcomes = new Set<boolean>();
    fc.assert(
      fc.property(flatFilter, fc.array(resource, { minLength: 1, maxLength: 5 }), (ast, resources) => {
        const filterText = printFilter(ast);
        const ours = resolveFilter(parseFilter(filterText), USER_RESOURCE_TYPE);
        const theirs = oracleFilter(oracleParse(filterText));
        for (const item of resources) {
          const expected = theirs(item);
          outcomes.add(expected);
          expect(matchesResource(ours, item), `${filterText} on ${JSON.stringify(item)}`).toBe(expected);
        }
      }),
      { numRuns: 2000 },
    );
    expect(outcomes).toEqual(new Set([true, false]));
  });

  it('on hand-picked filters with upper-case operators and values', () => {
    const item = { userName: 'bjensen', title: 'boss', displayName: 'babs' };
    for (const filterText of [
      'userName EQ "bjensen"',
      'userName sw "bj" AND title co "os"',
      'NOT (title eq "boss") OR displayName sw "b"',
      'userName ne "bjensen" or not (title pr)',
    ]) {
      const expected = oracleFilter(oracleParse(filterText))(item);
      expect(matchesResource(resolveFilter(parseFilter(filterText), USER_RESOURCE_TYPE), item), filterText).toBe(expected);
    }
  });
});
