import { describe, expect, it } from 'vitest';
import { DIRECTORY_ERROR_CODES, DirectoryError } from '../directory/errors.js';
import { ERROR_CATALOGUE } from '../scim/errors.js';
import { scimCodeOf, toScimError } from './error-mapping.js';

describe('directory errors on the SCIM endpoint (issue 14, part 5)', () => {
  it('every directory error code maps to a catalogue code, and the domain error is kept as the cause', () => {
    for (const code of DIRECTORY_ERROR_CODES) {
      expect(Object.keys(ERROR_CATALOGUE), code).toContain(scimCodeOf(code));
      const error = new DirectoryError(code, `the ${code} detail`);
      const mapped = toScimError(error);
      expect(mapped.detail).toBe(`the ${code} detail`);
      expect(mapped.cause).toBe(error);
    }
  });

  it('keeps the statuses and scimTypes the SCIM tests pin', () => {
    const answer = (code: Parameters<typeof scimCodeOf>[0]) => {
      const { status, scimType } = toScimError(new DirectoryError(code, 'x'));
      return [status, scimType];
    };
    expect(answer('seatLimit')).toEqual([409, undefined]);
    expect(answer('userNameTaken')).toEqual([409, 'uniqueness']);
    expect(answer('userExists')).toEqual([409, 'uniqueness']);
    expect(answer('userNotFound')).toEqual([404, undefined]);
    expect(answer('roleNotFound')).toEqual([404, undefined]);
    expect(answer('versionMismatch')).toEqual([412, undefined]);
    expect(answer('invalidValue')).toEqual([400, 'invalidValue']);
    expect(answer('roleRenameRefused')).toEqual([400, 'mutability']);
  });
});
