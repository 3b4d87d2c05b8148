/**
 * Hostile input: whatever the text, parsing, resolving and evaluating either succeed or throw
 * a ScimError of the right scimType, and cost time linear in the input length.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterishText, mutated, userPatchPathText } from '../../../test/support/filter-arbitraries.js';
import { ScimError } from '../errors.js';
import { USER_RESOURCE_TYPE } from '../schema/resource-type.js';
import { matchesResource } from './filter-evaluator.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter, resolvePatchPath } from './filter-resolver.js';
import { parsePatchPath } from './patch-path-parser.js';

const RESOURCE = {
  userName: 'bjensen',
  active: true,
  emails: [{ value: 'b@x.org', type: 'work', primary: true }, null, 'junk'],
  name: { givenName: 'Barbara' },
  meta: { lastModified: '2011-05-13T04:42:34Z', created: 17 },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'm' } },
  'urn:ietf:params:scim:schemas:extension:Teams:2.0:User': { teams: ['a', 3] },
};

/** Runs `action`; a ScimError must carry `scimType`, anything else thrown fails the test. */
function onlyScimErrors(scimType: 'invalidFilter' | 'invalidPath', action: () => void): 'ok' | 'rejected' {
  try {
    action();
    return 'ok';
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    expect(error.scimType).toBe(scimType);
    expect(error.status).toBe(400);
    expect(error.detail.length).toBeGreaterThan(0);
    return 'rejected';
  }
}

describe('robustness', () => {
  it('filters: random input only ever throws invalidFilter', () => {
    const outcomes = { parsed: 0, resolved: 0 };
    fc.assert(
      fc.property(filterishText, (text) => {
        onlyScimErrors('invalidFilter', () => {
          const filter = parseFilter(text);
          outcomes.parsed++;
          const resolved = resolveFilter(filter, USER_RESOURCE_TYPE);
          outcomes.resolved++;
          expect(typeof matchesResource(resolved, RESOURCE)).toBe('boolean');
          expect(typeof matchesResource(resolved, {})).toBe('boolean');
        });
      }),
      { numRuns: 5000 },
    );
    expect(outcomes.parsed).toBeGreaterThan(200);
    expect(outcomes.resolved).toBeGreaterThan(20);
  });

  it('PATCH paths: random input only ever throws invalidPath', () => {
    let accepted = 0;
    const pathish = fc.oneof(filterishText, mutated(userPatchPathText));
    fc.assert(
      fc.property(pathish, (text) => {
        if (onlyScimErrors('invalidPath', () => resolvePatchPath(parsePatchPath(text), USER_RESOURCE_TYPE)) === 'ok') {
          accepted++;
        }
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(20);
  });
});

describe('linear time', () => {
  const pad = (unit: string, length = 4000) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

  /** Inputs of about 4000 characters in shapes that make naive parsers backtrack or recurse. */
  const PATHOLOGICAL: readonly string[] = [
    pad('('),
    `${pad('(', 2000)}a pr${pad(')', 1990)}`,
    pad('not ('),
    pad(')'),
    pad('['),
    pad('a['),
    pad('a'),
    pad('a.'),
    pad('urn:a:'),
    pad(' '),
    pad('"'),
    `a eq "${pad('\\"', 3990)}"`,
    `a eq "${pad('\\u0041', 3990)}"`,
    `a eq "${pad('x', 3990)}`,
    `a eq ${pad('1', 3990)}`,
    `a eq ${pad('1', 3990)}.`,
    `a eq -${pad('0', 3990)}e`,
    pad('a eq 1 and '),
    `${pad('a eq 1 and ', 3980)}a eq 1`,
    `${pad('userName pr or ', 3980)}title pr`,
    `${pad('emails[type eq "w"] and ', 3970)}title pr`,
    `${pad('(a pr) or ', 3980)}b pr`,
    `${pad('not (a pr) and ', 3980)}b pr`,
    `emails[${pad('type eq "w" and ', 3980)}value pr]`,
    `meta.lastModified gt "${pad('2', 3990)}"`,
    `meta.lastModified gt "2011-05-13T04:42:34.${pad('1', 3950)}Z"`,
    pad('eq '),
    pad('and '),
    pad('\\'),
    pad('+'),
  ];

  it('handles pathological 4000-character inputs quickly', () => {
    const started = performance.now();
    for (const text of PATHOLOGICAL) {
      expect(text.length).toBeLessThanOrEqual(4096);
      onlyScimErrors('invalidFilter', () => {
        const filter = resolveFilter(parseFilter(text), USER_RESOURCE_TYPE);
        matchesResource(filter, RESOURCE);
      });
      onlyScimErrors('invalidPath', () => resolvePatchPath(parsePatchPath(text), USER_RESOURCE_TYPE));
    }
    // Each input takes well under a millisecond; the bound is generous so a slow machine can't flake.
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('scales to inputs 50 to 100 times longer', () => {
    const limits = { maxLength: 500_000, maxDepth: 10 };
    const huge = [
      `${'userName pr and title eq "x" or '.repeat(6_000)}active eq true`,
      `a eq "${'\\"'.repeat(200_000)}"`,
      `emails[${'type eq "w" or '.repeat(12_000)}value pr]`,
      '('.repeat(400_000),
      'a'.repeat(400_000),
      `a eq "${'x'.repeat(400_000)}`,
    ];
    const started = performance.now();
    for (const text of huge) {
      onlyScimErrors('invalidFilter', () => {
        const filter = resolveFilter(parseFilter(text, limits), USER_RESOURCE_TYPE);
        matchesResource(filter, RESOURCE);
      });
    }
    // Linear work takes ~100 ms here; a quadratic step on 200 000+ characters would take minutes.
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
