import { describe, expect, it } from 'vitest';
import { DIRECTORY_ERROR_CODES, DirectoryError, IdentityProviderFailed, SignInRefused } from '../directory/errors.js';
import { ScimError } from '../scim/errors.js';
import { ConsoleInputRefused, consoleFailure } from './console-errors.js';

/** Issue 13, defect 6: the console's one mapping from error types to pages (a ScimError used to give 500). */
describe('defect 6: consoleFailure maps every error type the console meets', () => {
  it('a ScimError answers its own status (the filter error behind ?q=%00 used to answer 500)', () => {
    expect(consoleFailure(ScimError.invalidFilter("the value for 'userName' contains a NUL character"))).toMatchObject({ status: 400 });
    expect(consoleFailure(ScimError.notFound('gone'))).toMatchObject({ status: 404 });
    expect(consoleFailure(ScimError.uniqueness('taken'))).toMatchObject({ status: 409 });
    expect(consoleFailure(new ScimError('internal', 'boom'))).toBeUndefined();
  });

  it('every DirectoryError code answers a 4xx page with the error message, or 502 for the identity provider', () => {
    for (const code of DIRECTORY_ERROR_CODES) {
      const failure = consoleFailure(new DirectoryError(code, 'm'));
      expect(failure, code).toBeDefined();
      const status = failure?.status ?? 0;
      expect(status >= 400 && status < 500 ? true : code === 'identityProviderFailed' && status === 502, code).toBe(true);
      expect(failure?.message, code).toContain('m');
    }
    expect(consoleFailure(new DirectoryError('teamNotFound', 'gone'))).toMatchObject({ status: 404 });
    expect(consoleFailure(new DirectoryError('roleInUse', 'held'))).toMatchObject({ status: 409 });
    expect(consoleFailure(new DirectoryError('invalidArgument', 'bad'))).toMatchObject({ status: 400 });
  });

  it('sign-in refusals, refused input, identity provider failures and Fastify errors', () => {
    expect(consoleFailure(new SignInRefused('linkInvalid', 'no'))).toMatchObject({ status: 403 });
    expect(consoleFailure(new ConsoleInputRefused('NUL'))).toMatchObject({ status: 400 });
    expect(
      consoleFailure(new IdentityProviderFailed('the issuer’s discovery document could not be fetched', 'ECONNREFUSED')),
    ).toMatchObject({
      status: 502,
    });
    expect(consoleFailure(Object.assign(new Error('Request body is too large'), { statusCode: 413 }))).toMatchObject({ status: 413 });
    expect(consoleFailure(Object.assign(new Error('Too many'), { statusCode: 429 }))).toMatchObject({ status: 429 });
    expect(consoleFailure(Object.assign(new Error('upstream'), { statusCode: 503 }))).toBeUndefined();
    expect(consoleFailure(new TypeError('bug'))).toBeUndefined();
    expect(consoleFailure(null)).toBeUndefined();
    expect(consoleFailure('text')).toBeUndefined();
  });
});
