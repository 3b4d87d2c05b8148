import { beforeAll, describe, expect, it } from 'vitest';
import { expectScimError, expectStatus } from '../support/scim-assertions.js';
import { newUser, patchOps } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import { createUser, filterUsers, freshWorkspace, getUser, logEntryFor, snapshot, type Workspace } from './rules-support.js';

/**
 * The article: preferredLanguage "currently only supports de-DE or en-GB (other en- and de-
 * prefixes will get converted to the supported default value)"; timezone is "the IANA timezone info".
 */
describe('preferredLanguage and timezone', () => {
  const server = serverForSuite();
  let w: Workspace;
  let n = 0;

  beforeAll(async () => {
    w = await freshWorkspace(server, 'lang');
  });

  const nextName = () => `lang${++n}@example.com`;

  describe('preferredLanguage', () => {
    it.each([
      ['de', 'de-DE'],
      ['de-AT', 'de-DE'],
      ['de_CH', 'de-DE'],
      ['DE-de', 'de-DE'],
      ['en', 'en-GB'],
      ['en-US', 'en-GB'],
      ['en_AU', 'en-GB'],
      ['en-GB', 'en-GB'],
    ])('POST %s is stored as %s, with no warning', async (sent, stored) => {
      const response = await w.scim.post('/Users', newUser(nextName(), { preferredLanguage: sent }));
      expectStatus(response, 201);
      expect(response.body.preferredLanguage).toBe(stored);
      expect((await getUser(w.scim, response.body.id)).preferredLanguage).toBe(stored);
      const entry = await logEntryFor(server, w.workspaceId, response);
      expect(entry.warnings.filter((x) => /preferredLanguage/i.test(x))).toEqual([]);
    });

    it('PATCH and PUT convert as well', async () => {
      const user = await createUser(w.scim, newUser(nextName(), { preferredLanguage: 'en-GB' }));
      expectStatus(await w.scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'preferredLanguage', value: 'de-AT' })), 200);
      expect((await getUser(w.scim, user.id)).preferredLanguage).toBe('de-DE');
      expectStatus(await w.scim.put(`/Users/${user.id}`, newUser(user.userName, { preferredLanguage: 'en-US' })), 200);
      expect((await getUser(w.scim, user.id)).preferredLanguage).toBe('en-GB');
      expectStatus(await w.scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', value: { preferredLanguage: 'de_CH' } })), 200);
      expect((await getUser(w.scim, user.id)).preferredLanguage).toBe('de-DE');
    });

    it('fr-FR falls back to the workspace default en-GB, with a warning in the provisioning log', async () => {
      const response = await w.scim.post('/Users', newUser(nextName(), { preferredLanguage: 'fr-FR' }));
      expectStatus(response, 201);
      expect(response.body.preferredLanguage).toBe('en-GB');
      expect((await getUser(w.scim, response.body.id)).preferredLanguage).toBe('en-GB');
      const entry = await logEntryFor(server, w.workspaceId, response);
      expect(entry.status).toBe(201);
      expect(entry.resourceId).toBe(response.body.id);
      expect(entry.warnings.some((x) => x.includes('fr-FR') && x.includes('en-GB'))).toBe(true);

      const patched = await w.scim.patch(`/Users/${response.body.id}`, patchOps({ op: 'replace', path: 'preferredLanguage', value: 'de' }));
      expectStatus(patched, 200);
      const back = await w.scim.patch(`/Users/${response.body.id}`, patchOps({ op: 'replace', path: 'preferredLanguage', value: 'pt-BR' }));
      expectStatus(back, 200);
      expect((await getUser(w.scim, response.body.id)).preferredLanguage).toBe('en-GB');
      expect((await logEntryFor(server, w.workspaceId, back)).warnings.some((x) => x.includes('pt-BR'))).toBe(true);
    });

    it('"" clears the language', async () => {
      const user = await createUser(w.scim, newUser(nextName(), { preferredLanguage: 'de' }));
      expectStatus(await w.scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'preferredLanguage', value: '' })), 200);
      expect((await getUser(w.scim, user.id)).preferredLanguage).toBeUndefined();
    });
  });

  describe('timezone', () => {
    it.each(['Europe/Berlin', 'America/New_York', 'UTC'])('%s is accepted and read back', async (zone) => {
      const created = await createUser(w.scim, newUser(nextName(), { timezone: zone }));
      expect(created.timezone).toBe(zone);
      expect((await getUser(w.scim, created.id)).timezone).toBe(zone);
      expect((await filterUsers(w.scim, `userName eq "${created.userName}" and timezone eq "${zone}"`)).map((u) => u.id)).toEqual([
        created.id,
      ]);
    });

    it.each(['Mars/Olympus', '+02:00', 'Berlin', 'Europe/Berlin; DROP'])(
      'POST with %s is 400 invalidValue and writes nothing',
      async (zone) => {
        const before = await snapshot(w.scim);
        const userName = nextName();
        const response = await w.scim.post('/Users', newUser(userName, { timezone: zone }));
        expectScimError(response, 400, 'invalidValue');
        expect(response.body.detail).toContain(zone);
        expect(await snapshot(w.scim)).toStrictEqual(before);
        expect(await filterUsers(w.scim, `userName eq "${userName}"`)).toEqual([]);
      },
    );

    it('an invalid timezone in PATCH or PUT is 400 invalidValue and changes nothing', async () => {
      const user = await createUser(w.scim, newUser(nextName(), { timezone: 'Europe/Berlin', title: 'Before' }));
      const before = await getUser(w.scim, user.id);
      expectScimError(
        await w.scim.patch(
          `/Users/${user.id}`,
          patchOps({ op: 'replace', path: 'title', value: 'After' }, { op: 'replace', path: 'timezone', value: 'Mars/Olympus' }),
        ),
        400,
        'invalidValue',
      );
      expectScimError(
        await w.scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', value: { timezone: '+02:00' } })),
        400,
        'invalidValue',
      );
      expectScimError(
        await w.scim.put(`/Users/${user.id}`, newUser(user.userName, { title: 'After', timezone: 'Mars/Olympus' })),
        400,
        'invalidValue',
      );
      expect(await getUser(w.scim, user.id)).toStrictEqual(before);
    });

    it('"" clears the timezone (POST stores none; PATCH and PUT remove it)', async () => {
      const none = await createUser(w.scim, newUser(nextName(), { timezone: '' }));
      expect(none.timezone).toBeUndefined();
      expect((await getUser(w.scim, none.id)).timezone).toBeUndefined();

      const user = await createUser(w.scim, newUser(nextName(), { timezone: 'America/New_York' }));
      expectStatus(await w.scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'timezone', value: '' })), 200);
      expect((await getUser(w.scim, user.id)).timezone).toBeUndefined();

      expectStatus(await w.scim.patch(`/Users/${user.id}`, patchOps({ op: 'add', path: 'timezone', value: 'UTC' })), 200);
      expect((await getUser(w.scim, user.id)).timezone).toBe('UTC');
      expectStatus(await w.scim.put(`/Users/${user.id}`, newUser(user.userName, { timezone: '' })), 200);
      expect((await getUser(w.scim, user.id)).timezone).toBeUndefined();
    });
  });
});
