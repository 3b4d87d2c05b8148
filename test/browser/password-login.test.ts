import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { setUserPassword } from '../../src/directory/sign-in/sign-in.js';
import { addAppUser } from '../../src/directory/users/app-users.js';
import { newUser, scimClient } from '../support/scim-server.js';
import { BROWSER_AVAILABLE, byTestId, cli, documentStatus, harnessForSuite, setUpWorkspace, shownText } from './console-support.js';

const PASSWORD = 'correct horse battery staple';

/**
 * Login policies: under "SSO and password" external users (not managed by the IdP) sign in with
 * a password; users the IdP manages never do; under "SSO only" nobody does.
 */
describe.skipIf(!BROWSER_AVAILABLE)('console: password sign-in and login policies', () => {
  const harness = harnessForSuite();

  async function passwordSignIn(page: Page, slug: string, email: string, password: string): Promise<void> {
    await page.goto(`${harness.server.url}/w/${slug}/login`);
    const form = byTestId(page, 'password-form');
    await form.locator('[name="email"]').fill(email);
    await form.locator('[name="password"]').fill(password);
    await Promise.all([page.waitForURL((url) => url.pathname !== `/w/${slug}/login`), form.locator('[type="submit"]').click()]);
  }

  it('signs in an external user with their password under "SSO and password"', async () => {
    const { server } = harness;
    const { slug } = await setUpWorkspace(server, 'pw-co', { admin: false });
    const email = 'contractor@partner.example';
    await addAppUser(server.store, slug, { email, givenName: 'Con', familyName: 'Tractor' });
    await setUserPassword(server.store, slug, email, PASSWORD);
    const { page } = await harness.session();
    await passwordSignIn(page, slug, email, PASSWORD);
    await byTestId(page, 'profile').waitFor();
    expect(await shownText(byTestId(page, 'signed-in-as'))).toContain(email);
    // Not managed by an IdP: no badge.
    expect(await byTestId(page, 'managed-by-idp').count()).toBe(0);
  });

  it('refuses a wrong password with a 403 page that does not say which part was wrong', async () => {
    const { server } = harness;
    const { slug } = await setUpWorkspace(server, 'pw-wrong-co', { admin: false });
    const email = 'contractor@partner.example';
    await addAppUser(server.store, slug, { email, givenName: 'Con', familyName: 'Tractor' });
    await setUserPassword(server.store, slug, email, PASSWORD);
    const { page } = await harness.session();
    await passwordSignIn(page, slug, email, `${PASSWORD}!`);
    const wrongPassword = await shownText(byTestId(page, 'login-error'));
    expect(await documentStatus(page)).toBe(403);
    await passwordSignIn(page, slug, 'nobody@partner.example', PASSWORD);
    expect(await shownText(byTestId(page, 'login-error'))).toBe(wrongPassword);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(0);
  });

  it('refuses a password to a user the identity provider manages', async () => {
    const { server } = harness;
    const { slug, token } = await setUpWorkspace(server, 'pw-internal-co', { admin: false, scim: 'okta' });
    const email = 'internal@pw-internal-co.example';
    expect((await scimClient(server, token).post('/Users', newUser(email))).status).toBe(201);
    // No password can be set for a user the IdP manages…
    await expect(setUserPassword(server.store, slug, email, PASSWORD)).rejects.toThrow();
    // …and a password sign-in as them is refused.
    const { page } = await harness.session();
    await passwordSignIn(page, slug, email, PASSWORD);
    await byTestId(page, 'login-error').waitFor();
    expect(await documentStatus(page)).toBe(403);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(0);
  });

  it('offers no password form under "SSO only", and refuses a password POST', async () => {
    const { server } = harness;
    const { slug } = await setUpWorkspace(server, 'sso-only-co', { admin: false });
    const email = 'contractor@partner.example';
    await addAppUser(server.store, slug, { email, givenName: 'Con', familyName: 'Tractor' });
    await setUserPassword(server.store, slug, email, PASSWORD);
    await cli(server, ['workspace', 'update', slug, '--login-policy', 'sso_only']);
    const { page } = await harness.session();
    await page.goto(`${server.url}/w/${slug}/login`);
    expect(await byTestId(page, 'sso-login').count()).toBe(1);
    expect(await byTestId(page, 'password-form').count()).toBe(0);

    // A hand-made POST (same origin, as the browser would send it) is refused too.
    const status = await page.evaluate(
      async ({ slug, email, password }) => {
        const response = await fetch(`/w/${slug}/login/password`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email, password }).toString(),
        });
        return response.status;
      },
      { slug, email, password: PASSWORD },
    );
    expect(status).toBe(403);
    await page.goto(`${server.url}/w/${slug}/profile`);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(0);
  });
});
