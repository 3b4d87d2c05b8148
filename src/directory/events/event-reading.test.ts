import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DirectoryError } from '../errors.js';
import { EVENT_TYPES } from './event-model.js';
import { decodeCursor, encodeCursor, expandTypes } from './event-reading.js';

/** The events API's cursors and type globs (docs/api.md): round trips, and refusals that are always clean. */

const uuid = fc.uuid();
const scope = fc.oneof(fc.constant('*'), uuid);
/** What `\d{1,15}` holds: every number a stream reaches in practice. */
const number = fc.integer({ min: 0, max: 999_999_999_999_999 });

/** The error a refused input must give: a DirectoryError `invalidArgument` (400 on the API), nothing else. */
function refusal(run: () => unknown): DirectoryError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryError);
    expect((error as DirectoryError).code).toBe('invalidArgument');
    return error as DirectoryError;
  }
}

describe('event cursors', () => {
  it('decode to the number they were made of, in their own stream', () => {
    fc.assert(
      fc.property(scope, number, (s, n) => {
        const cursor = encodeCursor(s, n);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(cursor, s)).toBe(n);
      }),
      { numRuns: 500 },
    );
  });

  it('are refused in another stream: another workspace, or the instance stream', () => {
    fc.assert(
      fc.property(scope, scope, number, (mine, theirs, n) => {
        fc.pre(mine !== theirs);
        expect(refusal(() => decodeCursor(encodeCursor(theirs, n), mine))?.message).toMatch(/another stream/);
      }),
    );
  });

  it('refuses garbage cleanly, and whatever it accepts is a whole number of the stream', () => {
    const garbage = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ maxLength: 60 }).map((t) => Buffer.from(t, 'utf8').toString('base64url')),
      fc
        .tuple(fc.constantFrom('v1', 'v2', 'u1', 'V1', ''), scope, fc.string({ maxLength: 20 }))
        .map(([v, s, n]) => Buffer.from(`${v}.${s}.${n}`, 'utf8').toString('base64url')),
      fc
        .tuple(scope, fc.constantFrom('-1', '1e3', '1.5', '0x10', ' 1', '1 ', '1234567890123456', '', 'NaN'))
        .map(([s, n]) => Buffer.from(`v1.${s}.${n}`, 'utf8').toString('base64url')),
    );
    fc.assert(
      fc.property(garbage, scope, (cursor, s) => {
        let decoded: number | undefined;
        const refused = refusal(() => {
          decoded = decodeCursor(cursor, s);
        });
        if (refused) {
          // The message quotes at most 100 characters of what was sent.
          expect(refused.message.length).toBeLessThan(200);
          return;
        }
        expect(Number.isSafeInteger(decoded)).toBe(true);
        expect(decoded).toBeGreaterThanOrEqual(0);
        expect(decoded).toBeLessThan(10 ** 15);
      }),
      { numRuns: 500 },
    );
    for (const s of ['*', '019aef0b-2f7e-7c1d-9a3b-4c5d6e7f8091']) {
      for (const bad of ['-1', '1e3', '1.5', '0x10', '1234567890123456', '']) {
        expect(
          refusal(() => decodeCursor(Buffer.from(`v1.${s}.${bad}`).toString('base64url'), s)),
          bad,
        ).toBeDefined();
      }
    }
  });
});

describe('expandTypes', () => {
  const families = [...new Set(EVENT_TYPES.map((t) => t.split('.')[0] as string))];

  it('expands types and family globs to exactly their union, each type once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...EVENT_TYPES),
            fc.constantFrom(...families).map((f) => `${f}.*`),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (patterns) => {
          const expanded = expandTypes(patterns);
          const expected = EVENT_TYPES.filter((t) => patterns.some((p) => p === t || (p.endsWith('.*') && t.startsWith(p.slice(0, -1)))));
          expect([...expanded].sort()).toEqual([...expected].sort());
          expect(new Set(expanded).size).toBe(expanded.length);
        },
      ),
    );
  });

  it('expands * to every type, and user.* to the user events only', () => {
    expect([...expandTypes(['*'])].sort()).toEqual([...EVENT_TYPES].sort());
    expect(expandTypes(['user.*']).every((t) => t.startsWith('user.'))).toBe(true);
    expect(expandTypes(['user.*'])).toHaveLength(EVENT_TYPES.filter((t) => t.startsWith('user.')).length);
    expect(expandTypes(['role.*', 'role.created'])).toEqual(['role.created', 'role.renamed', 'role.deleted']);
  });

  it('refuses, cleanly, any pattern that names no type, also beside valid ones', () => {
    for (const bad of [
      '',
      'user',
      'user.',
      'USER.*',
      'User.created',
      '*.*',
      '.*',
      'u*',
      'user.**',
      ' user.*',
      'user.created ',
      'nothing.real',
    ]) {
      expect(
        refusal(() => expandTypes([bad])),
        bad,
      ).toBeDefined();
      expect(
        refusal(() => expandTypes(['user.*', bad])),
        bad,
      ).toBeDefined();
    }
    fc.assert(
      fc.property(
        fc
          .string({ maxLength: 30 })
          .filter((p) => p !== '*' && !EVENT_TYPES.some((t) => t === p || (p.endsWith('.*') && t.startsWith(p.slice(0, -1))))),
        (pattern) => {
          expect(refusal(() => expandTypes([pattern]))).toBeDefined();
        },
      ),
      { numRuns: 1000 },
    );
  });
});
