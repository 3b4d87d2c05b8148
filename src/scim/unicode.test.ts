import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStorableInput, isStorableText, isWellFormed } from './unicode.js';

describe('storable text', () => {
  it('refuses a NUL or a lone surrogate, accepts any other text (fast-check)', () => {
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('a\ud800b')).toBe(false);
    expect(isStorableText('\udc00')).toBe(false);
    expect(isStorableText('😀 Zoë')).toBe(true);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(isStorableText(text)).toBe(!text.includes('\u0000') && isWellFormed(text));
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(isStorableText(text)).toBe(!text.includes('\u0000'));
      }),
    );
  });

  it('finds bad text in values, arrays, nested objects and member names', () => {
    expect(isStorableInput('a\u0000b')).toBe(false);
    expect(isStorableInput({ q: ['a', 'b\u0000'] })).toBe(false);
    expect(isStorableInput({ q: ['a', 'b\ud800'] })).toBe(false);
    expect(isStorableInput({ 'k\u0000': 'v' })).toBe(false);
    expect(isStorableInput({ a: { b: { c: '\u0000' } } })).toBe(false);
    expect(isStorableInput({ q: 'a', page: '1', list: ['x'] })).toBe(true);
    expect(isStorableInput(undefined)).toBe(true);
    expect(isStorableInput(null)).toBe(true);
    expect(isStorableInput(42)).toBe(true);
  });
});
