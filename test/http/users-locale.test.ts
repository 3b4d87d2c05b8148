import { describe, expect, it } from 'vitest';
import { newUser, patchOps, USER_SCHEMA } from '../support/scim-server.js';
import { workspaceForSuite } from '../support/suite-setup.js';
import { create, expectScimError, expectUnchanged, q, read } from './helpers.js';

/** preferredLanguage maps onto the supported de-DE / en-GB; timezone must be an IANA name. */
describe('preferredLanguage and timezone', () => {
  const { scim } = workspaceForSuite('locale');
  let counter = 0;

  const userName = () => `locale${++counter}@example.com`;

  it.each([
    ['de-AT', 'de-DE'],
    ['de-CH', 'de-DE'],
    ['de', 'de-DE'],
    ['DE_de', 'de-DE'],
    ['en-US', 'en-GB'],
    ['en', 'en-GB'],
    ['en-GB', 'en-GB'],
    ['fr-FR', 'en-GB'],
    ['ja-JP', 'en-GB'],
  ])('preferredLanguage %s is stored as %s', async (given, stored) => {
    const body = await create(scim, newUser(userName(), { preferredLanguage: given }));
    expect(body.preferredLanguage).toBe(stored);
    expect((await read(scim, body.id)).preferredLanguage).toBe(stored);
  });

  it('maps preferredLanguage on PATCH and PUT as well', async () => {
    const user = await create(scim, newUser(userName()));
    const patched = await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'preferredLanguage', value: 'de-AT' }));
    expect(patched.body.preferredLanguage).toBe('de-DE');
    const put = await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: user.userName, preferredLanguage: 'fr-FR' });
    expect(put.body.preferredLanguage).toBe('en-GB');
  });

  it('finds users by their stored language', async () => {
    const user = await create(scim, newUser(userName(), { preferredLanguage: 'de-AT' }));
    const found = await scim.get(q(`preferredLanguage eq "de-DE" and userName eq "${user.userName}"`));
    expect(found.body.totalResults).toBe(1);
  });

  it.each(['Europe/Berlin', 'America/New_York', 'UTC', 'America/Argentina/Buenos_Aires'])('accepts the timezone %s', async (zone) => {
    const body = await create(scim, newUser(userName(), { timezone: zone }));
    expect(body.timezone).toBe(zone);
  });

  it.each(['Mars/Base', 'Europe/Atlantis', 'Berlin', 'GMT+25', '../../etc/passwd', ' '])(
    'refuses the timezone %j with 400 invalidValue',
    async (zone) => {
      const name = userName();
      const response = await scim.post('/Users', newUser(name, { timezone: zone }));
      expectScimError(response, 400, 'invalidValue');
      expect(response.body.detail).toContain(zone);
      expect((await scim.get(q(`userName eq "${name}"`))).body.totalResults).toBe(0);
    },
  );

  it('an invalid timezone in PATCH or PUT changes nothing', async () => {
    const user = await create(scim, newUser(userName(), { timezone: 'Europe/Berlin' }));
    expectScimError(
      await scim.patch(
        `/Users/${user.id}`,
        patchOps({ op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'timezone', value: 'Mars/Base' }),
      ),
      400,
      'invalidValue',
    );
    await expectUnchanged(scim, user.id, user);
    expectScimError(
      await scim.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: user.userName, timezone: 'Mars/Base' }),
      400,
      'invalidValue',
    );
    await expectUnchanged(scim, user.id, user);
  });
});
