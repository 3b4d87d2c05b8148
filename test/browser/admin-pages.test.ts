import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUserName, seedWorkspace } from '../../bench/lib/bulk-seed.js';
import { addAppUser } from '../../src/directory/users/app-users.js';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';
import { newUser, scimClient } from '../support/scim-server.js';
import {
  BROWSER_AVAILABLE,
  byTestId,
  cli,
  harnessForSuite,
  setUpWorkspace,
  shownText,
  signInWithLink,
  textWhenShown,
} from './console-support.js';

const SEEDED = 130;

/** Users, roles and teams, seats and SSO settings, as an admin uses them. */
describe.skipIf(!BROWSER_AVAILABLE)('console: admin pages', () => {
  const harness = harnessForSuite();
  let idp: TestOidcProvider;
  beforeAll(async () => {
    idp = await startOidcProvider();
  });
  afterAll(async () => idp?.close());

  async function signInAdmin(slug: string, admin: string): Promise<Page> {
    const { page } = await harness.session();
    await signInWithLink(page, harness.server, slug, admin);
    return page;
  }

  const rowTexts = async (page: Page): Promise<string[]> => byTestId(page, 'user-row').allTextContents();

  describe('users', () => {
    const slug = 'big-co';
    const admin = 'admin@big-co.example';
    beforeAll(async () => {
      await seedWorkspace(harness.server.store, { users: SEEDED, slug, teams: 3 });
      await addAppUser(harness.server.store, slug, { email: admin, givenName: 'Ada', familyName: 'Admin', role: 'Admin' });
    });

    it('pages through every user with next and previous', async () => {
      const page = await signInAdmin(slug, admin);
      await page.goto(`${harness.server.url}/w/${slug}/admin/users`);
      await byTestId(page, 'user-row').first().waitFor();
      expect(await shownText(byTestId(page, 'user-total'))).toContain(String(SEEDED + 1));
      const first = await rowTexts(page);
      expect(first.length).toBeGreaterThan(0);
      expect(first.length).toBeLessThan(SEEDED + 1);
      expect(await byTestId(page, 'previous-page').count()).toBe(0);

      const seen = [...first];
      let pages = 1;
      while ((await byTestId(page, 'next-page').count()) > 0) {
        const before = page.url();
        await byTestId(page, 'next-page').click();
        await page.waitForURL((url) => url.href !== before);
        await byTestId(page, 'user-row').first().waitFor();
        seen.push(...(await rowTexts(page)));
        pages++;
        expect(pages).toBeLessThan(50);
      }
      expect(pages).toBeGreaterThan(1);
      // Every user exactly once across the pages.
      expect(seen.length).toBe(SEEDED + 1);
      expect(new Set(seen).size).toBe(SEEDED + 1);

      const last = await rowTexts(page);
      await byTestId(page, 'previous-page').click();
      await byTestId(page, 'user-row').first().waitFor();
      expect(await rowTexts(page)).not.toEqual(last);
    });

    it('searches by user name or email prefix, with the SCIM badge on provisioned users', async () => {
      const page = await signInAdmin(slug, admin);
      await page.goto(`${harness.server.url}/w/${slug}/admin/users`);
      const search = byTestId(page, 'user-search');
      const target = seedUserName(42);
      await search.locator('[name="q"]').fill(target);
      await Promise.all([page.waitForURL((url) => url.searchParams.get('q') === target), search.locator('[name="q"]').press('Enter')]);
      await expect.poll(() => byTestId(page, 'user-row').count()).toBe(1);
      const row = byTestId(page, 'user-row');
      expect(await shownText(row)).toContain(target);
      expect(await byTestId(row, 'scim-badge').count()).toBe(1);

      // The admin was added in the app, not by SCIM: no badge.
      await page.goto(`${harness.server.url}/w/${slug}/admin/users?q=${encodeURIComponent(admin)}`);
      await expect.poll(() => byTestId(page, 'user-row').count()).toBe(1);
      expect(await byTestId(byTestId(page, 'user-row'), 'scim-badge').count()).toBe(0);

      // A prefix of the user name matches several users, and only matching ones.
      await page.goto(`${harness.server.url}/w/${slug}/admin/users?q=GRACE.`);
      await byTestId(page, 'user-row').first().waitFor();
      expect(await byTestId(page, 'user-row').count()).toBeGreaterThan(1);
      for (const text of await rowTexts(page)) expect(text).toMatch(/grace\./i);

      // Deactivated users only: seeded user 99 is the one inactive user among the first 100.
      await page.goto(`${harness.server.url}/w/${slug}/admin/users?status=inactive`);
      await expect.poll(() => byTestId(page, 'user-row').count()).toBe(1);
      expect(await shownText(byTestId(page, 'user-row'))).toContain(seedUserName(99));

      await page.goto(`${harness.server.url}/w/${slug}/admin/users?q=nobody-by-this-name`);
      await byTestId(page, 'user-search').waitFor();
      expect(await byTestId(page, 'user-row').count()).toBe(0);
    });

    it("opens a user's detail page from the list", async () => {
      const page = await signInAdmin(slug, admin);
      const target = seedUserName(7);
      await page.goto(`${harness.server.url}/w/${slug}/admin/users?q=${encodeURIComponent(target)}`);
      const row = byTestId(page, 'user-row');
      await row.waitFor();
      await Promise.all([page.waitForURL(/\/admin\/users\/[^/?]+$/), row.locator('a').first().click()]);
      expect(await page.locator('body').textContent()).toContain(target);
      expect(await byTestId(page, 'managed-by-idp').count()).toBeGreaterThan(0);
    });
  });

  describe('roles and teams', () => {
    it('shows the default role, creates, renames, and refuses to delete a role in use', async () => {
      const { slug, admin } = await setUpWorkspace(harness.server, 'roles-co');
      const page = await signInAdmin(slug, admin!);
      await page.goto(`${harness.server.url}/w/${slug}/admin/roles`);
      const roleRow = (name: string) => byTestId(page, 'role-row').filter({ hasText: name });
      await roleRow('Member').waitFor();
      expect(await byTestId(roleRow('Member'), 'default-role').count()).toBe(1);
      expect(await byTestId(roleRow('Admin'), 'default-role').count()).toBe(0);

      // Create.
      const create = byTestId(page, 'create-role');
      await create.locator('[name="name"]').fill('Auditor');
      if ((await create.locator('[name="level"]').count()) > 0) await create.locator('[name="level"]').fill('50');
      await create.locator('[type="submit"]').first().click();
      await byTestId(page, 'flash-ok').waitFor();
      await roleRow('Auditor').waitFor();
      expect(await roleRow('Auditor').locator('[name="level"]').inputValue()).toBe('50');

      // Set the permission level.
      const level = roleRow('Auditor')
        .locator('form')
        .filter({ has: page.locator('[name="level"]') });
      await level.locator('[name="level"]').fill('60');
      await level.locator('[type="submit"]').click();
      await byTestId(page, 'flash-ok').waitFor();
      expect(await roleRow('Auditor').locator('[name="level"]').inputValue()).toBe('60');

      // Rename.
      const rename = byTestId(roleRow('Auditor'), 'rename-role');
      await rename.locator('[name="name"]').fill('Auditors');
      await rename.locator('[type="submit"]').first().click();
      await byTestId(page, 'flash-ok').waitFor();
      await roleRow('Auditors').waitFor();

      // Delete is refused while users hold the role: the admin holds Admin.
      await byTestId(roleRow('Admin'), 'delete-role').click();
      if ((await byTestId(page, 'confirm').count()) > 0) await byTestId(page, 'confirm').click();
      await byTestId(page, 'flash-error').waitFor();
      expect(await shownText(byTestId(page, 'flash-error'))).toMatch(/in use|member|user/i);
      await page.goto(`${harness.server.url}/w/${slug}/admin/roles`);
      await roleRow('Admin').waitFor();

      // An unused role can be deleted.
      await byTestId(roleRow('Auditors'), 'delete-role').click();
      if ((await byTestId(page, 'confirm').count()) > 0) await byTestId(page, 'confirm').click();
      await byTestId(page, 'flash-ok').waitFor();
      expect(await roleRow('Auditors').count()).toBe(0);
    });

    it('creates a team', async () => {
      const { slug, admin } = await setUpWorkspace(harness.server, 'teams-co');
      const page = await signInAdmin(slug, admin!);
      await page.goto(`${harness.server.url}/w/${slug}/admin/roles`);
      const create = byTestId(page, 'create-team');
      await create.locator('[name="name"]').fill('Research & Development');
      await create.locator('[type="submit"]').first().click();
      await byTestId(page, 'flash-ok').waitFor();
      await byTestId(page, 'team-row').filter({ hasText: 'Research & Development' }).waitFor();
    });
  });

  describe('seats', () => {
    it('shows used and free seats, and warns when provisioning is blocked', async () => {
      const { slug, admin, token } = await setUpWorkspace(harness.server, 'seats-full-co', { seats: 3, scim: 'okta' });
      const scim = scimClient(harness.server, token);
      expect((await scim.post('/Users', newUser('one@seats-full-co.example'))).status).toBe(201);
      expect((await scim.post('/Users', newUser('two@seats-full-co.example'))).status).toBe(201);
      expect((await scim.post('/Users', newUser('three@seats-full-co.example'))).status).toBe(409);
      await harness.server.app.provisioningLog.flush();
      const page = await signInAdmin(slug, admin!);
      await page.goto(`${harness.server.url}/w/${slug}/admin/seats`);
      expect(await shownText(byTestId(page, 'seats-used'))).toMatch(/\b3\b/);
      expect(await shownText(byTestId(page, 'seats-free'))).toMatch(/\b0\b/);
      expect(await byTestId(page, 'seats-warning').isVisible()).toBe(true);
    });

    it('shows no warning while seats are free', async () => {
      const { slug, admin, token } = await setUpWorkspace(harness.server, 'seats-free-co', { seats: 10, scim: 'okta' });
      expect((await scimClient(harness.server, token).post('/Users', newUser('one@seats-free-co.example'))).status).toBe(201);
      const page = await signInAdmin(slug, admin!);
      await page.goto(`${harness.server.url}/w/${slug}/admin/seats`);
      expect(await shownText(byTestId(page, 'seats-used'))).toMatch(/\b2\b/);
      expect(await shownText(byTestId(page, 'seats-free'))).toMatch(/\b8\b/);
      expect(await byTestId(page, 'seats-warning').count()).toBe(0);
    });
  });

  describe('SSO settings', () => {
    it('tests the connection to the configured identity provider, and reports a broken one', async () => {
      const { slug, admin } = await setUpWorkspace(harness.server, 'sso-settings-co');
      await cli(harness.server, [
        'sso',
        'configure',
        slug,
        '--issuer',
        idp.issuer,
        '--client-id',
        idp.clientId,
        '--client-secret',
        idp.clientSecret,
      ]);
      const page = await signInAdmin(slug, admin!);
      await page.goto(`${harness.server.url}/w/${slug}/admin/sso`);
      const form = byTestId(page, 'sso-form');
      await form.waitFor();
      expect(await form.innerHTML()).toContain(idp.issuer);
      expect(await page.content()).not.toContain(idp.clientSecret);

      await byTestId(page, 'test-connection').click();
      const passed = await textWhenShown(byTestId(page, 'test-result'));
      expect(await byTestId(page, 'test-result').getAttribute('data-status'), passed).toBe('ok');
      expect(passed).toContain(idp.issuer);

      // Nothing answers on port 9 of the loopback interface.
      await cli(harness.server, ['sso', 'configure', slug, '--issuer', 'http://127.0.0.1:9', '--client-id', 'x', '--client-secret', 'y']);
      await page.goto(`${harness.server.url}/w/${slug}/admin/sso`);
      await byTestId(page, 'test-connection').click();
      const failed = await textWhenShown(byTestId(page, 'test-result'));
      expect(await byTestId(page, 'test-result').getAttribute('data-status'), failed).toBe('error');
      expect(failed).toContain('127.0.0.1:9');
    });
  });
});
