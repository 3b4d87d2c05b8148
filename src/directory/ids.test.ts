import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('is a UUID version 7 whose first 48 bits are the time in milliseconds (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (now) => {
        const id = newId(now);
        expect(id).toMatch(UUID_V7);
        expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
      }),
    );
    const before = Date.now();
    const id = newId();
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBeGreaterThanOrEqual(before);
  });

  it('sorts by time: an id of a later millisecond is greater (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), fc.integer({ min: 1, max: 10_000 }), (t, later) => {
        fc.pre(t + later < 2 ** 48);
        expect(newId(t) < newId(t + later)).toBe(true);
      }),
    );
  });

  it('draws 74 random bits: 100,000 ids of one millisecond are distinct', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => newId(1_700_000_000_000)));
    expect(ids.size).toBe(100_000);
  });
});
