import { describe, expect, it } from 'vitest';
import { DirectoryError, type DirectoryErrorCode } from '../directory/directory-error.js';
import { StoreConflict } from '../directory/ports.js';
import { SignInRefused } from '../directory/sign-in.js';
import { ScimError } from '../scim/errors.js';
import { SsoProviderError } from '../sso/oidc-relying-party.js';
import { ConsoleInputRefused, consoleFailure, containsNul } from './console-errors.js';

/** Issue 13, defect 6: the console's one mapping from error types to pages (a ScimError used to give 500). */
describe('defect 6: consoleFailure maps every error type the console meets', () => {
  it('a ScimError answers its own status (the filter error behind ?q=%00 used to answer 500)', () => {
    expect(consoleFailure(ScimError.invalidFilter("the value for 'userName' contains a NUL character"))).toMatchObject({ status: 400 });
    expect(consoleFailure(ScimError.notFound('gone'))).toMatchObject({ status: 404 });
    expect(consoleFailure(ScimError.uniqueness('taken'))).toMatchObject({ status: 409 });
    expect(consoleFailure(new ScimError('internal', 'boom'))).toBeUndefined();
  });

  it('a DirectoryError answers 400, 404 or 409 by its code', () => {
    const expected: Record<DirectoryErrorCode, number> = {
      workspaceNotFound: 404,
      roleNotFound: 404,
      teamNotFound: 404,
      userNotFound: 404,
      workspaceExists: 409,
      roleExists: 409,
      teamExists: 409,
      userExists: 409,
      roleInUse: 409,
      teamInUse: 409,
      scimAlreadyEnabled: 409,
      invalidArgument: 400,
      notEnterprise: 400,
      ssoNotConfigured: 400,
      scimNotEnabled: 400,
    };
    for (const [code, status] of Object.entries(expected)) {
      expect(consoleFailure(new DirectoryError(code as DirectoryErrorCode, 'm')), code).toMatchObject({ status, message: 'm' });
    }
  });

  it('sign-in refusals, conflicts, refused input, identity provider failures and Fastify errors', () => {
    expect(consoleFailure(new SignInRefused('linkInvalid', 'no'))).toMatchObject({ status: 403 });
    expect(consoleFailure(new StoreConflict('users_user_name'))).toMatchObject({ status: 409 });
    expect(consoleFailure(new ConsoleInputRefused('NUL'))).toMatchObject({ status: 400 });
    expect(consoleFailure(new SsoProviderError('the issuer’s discovery document could not be fetched', 'ECONNREFUSED'))).toMatchObject({
      status: 502,
    });
    expect(consoleFailure(Object.assign(new Error('Request body is too large'), { statusCode: 413 }))).toMatchObject({ status: 413 });
    expect(consoleFailure(Object.assign(new Error('Too many'), { statusCode: 429 }))).toMatchObject({ status: 429 });
    expect(consoleFailure(Object.assign(new Error('upstream'), { statusCode: 503 }))).toBeUndefined();
    expect(consoleFailure(new TypeError('bug'))).toBeUndefined();
    expect(consoleFailure(null)).toBeUndefined();
    expect(consoleFailure('text')).toBeUndefined();
  });

  it('containsNul finds a NUL in strings, arrays, nested objects and keys', () => {
    expect(containsNul('a\u0000b')).toBe(true);
    expect(containsNul({ q: ['a', 'b\u0000'] })).toBe(true);
    expect(containsNul({ 'k\u0000': 'v' })).toBe(true);
    expect(containsNul({ a: { b: { c: '\u0000' } } })).toBe(true);
    expect(containsNul({ q: 'a', page: '1', list: ['x'] })).toBe(false);
    expect(containsNul(undefined)).toBe(false);
    expect(containsNul('\ud800')).toBe(false);
  });
});
