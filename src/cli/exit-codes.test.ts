import { describe, expect, it } from 'vitest';
import { DIRECTORY_ERROR_CODES } from '../directory/errors.js';
import { EXIT, exitCodeOf } from './exit-codes.js';

describe('CLI exit statuses (issue 14, part 5)', () => {
  it('every directory error code has a documented status other than 0, 1 and 2', () => {
    const documented = new Set<number>(Object.values(EXIT));
    for (const code of DIRECTORY_ERROR_CODES) {
      expect(documented.has(exitCodeOf(code)), code).toBe(true);
      expect(exitCodeOf(code), code).toBeGreaterThan(2);
    }
    expect(exitCodeOf('workspaceNotFound')).toBe(3);
    expect(exitCodeOf('roleExists')).toBe(4);
    expect(exitCodeOf('seatLimit')).toBe(5);
    expect(exitCodeOf('invalidArgument')).toBe(6);
  });
});
