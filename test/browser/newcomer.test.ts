import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeProviderLogin, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';
import { newUser, scimClient } from '../support/scim-server.js';
import {
  BROWSER_AVAILABLE,
  byTestId,
  clickThroughConfirm,
  harnessForSuite,
  setUpWorkspace,
  shownText,
  signInWithLink,
  TOKEN_FORMAT,
  textWhenShown,
} from './console-support.js';

const SLUG = 'newco';

/**
 * The "done when", in one browser: an admin signs in, sets up single sign-on, enables
 * SCIM, watches a provisioned user arrive, and that user signs in through the IdP. The only CLI
 * step is the admin's one-time sign-in link.
 */
describe.skipIf(!BROWSER_AVAILABLE)('console: a newcomer, from sign-in to provisioned users, without the CLI', () => {
  const harness = harnessForSuite();
  let idp: TestOidcProvider;
  beforeAll(async () => {
    idp = await startOidcProvider({ redirectUris: [`${harness.server.url}/w/${SLUG}/sso/callback`] });
  });
  afterAll(async () => idp?.close());

  it('configures SSO in the console, enables SCIM, sees the user arrive, and the user signs in', async () => {
    const { server } = harness;
    const { admin } = await setUpWorkspace(server, SLUG, { sso: false });
    const { page } = await harness.session();
    await signInWithLink(page, server, SLUG, admin!);

    // Enabling SCIM is refused while SSO is missing.
    await page.goto(`${server.url}/w/${SLUG}/admin/integrations`);
    await clickThroughConfirm(page, byTestId(page, 'enable-generic'), byTestId(page, 'integration-refused'));

    // Single sign-on settings: the page shows the redirect URI to register at the IdP.
    await page.goto(`${server.url}/w/${SLUG}/admin/sso`);
    expect(await page.locator('body').textContent()).toContain(`${server.url}/w/${SLUG}/sso/callback`);
    const form = byTestId(page, 'sso-form');
    await form.locator('[name="issuer"]').fill(idp.issuer);
    await form.locator('[name="clientId"]').fill(idp.clientId);
    await form.locator('[name="clientSecret"]').fill(idp.clientSecret);
    await form.locator('[type="submit"]').click();
    await byTestId(page, 'flash-ok').waitFor();
    expect(await page.content()).not.toContain(idp.clientSecret);
    await byTestId(page, 'test-connection').click();
    const result = await textWhenShown(byTestId(page, 'test-result'));
    expect(await byTestId(page, 'test-result').getAttribute('data-status'), result).toBe('ok');

    // Now SCIM can be enabled.
    await page.goto(`${server.url}/w/${SLUG}/admin/integrations`);
    const dialog = byTestId(page, 'token-dialog');
    await clickThroughConfirm(page, byTestId(page, 'enable-generic'), dialog);
    const token = await shownText(byTestId(dialog, 'scim-token'));
    expect(token).toMatch(TOKEN_FORMAT);
    const baseUrl = await shownText(byTestId(dialog, 'scim-base-url'));

    // The IdP provisions a user; the admin sees them arrive, marked as managed by SCIM.
    const email = 'katherine.johnson@newco.example';
    const created = await scimClient(server, token).post(
      '/Users',
      newUser(email, { name: { givenName: 'Katherine', familyName: 'Johnson' } }),
    );
    expect(created.status).toBe(201);
    expect(baseUrl).toBe(server.scimUrl);
    await page.goto(`${server.url}/w/${SLUG}/admin/users`);
    const row = byTestId(page, 'user-row').filter({ hasText: email });
    await row.waitFor();
    expect(await byTestId(row, 'scim-badge').count()).toBe(1);

    // The provisioned user signs in through the IdP, in another browser.
    idp.setAccount(email, { name: 'Katherine Johnson', given_name: 'Katherine', family_name: 'Johnson' });
    const other = await harness.session();
    await other.page.goto(`${server.url}/w/${SLUG}/login`);
    await byTestId(other.page, 'sso-login').click();
    await completeProviderLogin(other.page, idp.issuer, email);
    await byTestId(other.page, 'profile').waitFor();
    expect(await shownText(byTestId(other.page, 'signed-in-as'))).toContain(email);
    expect(await byTestId(other.page, 'managed-by-idp').count()).toBeGreaterThan(0);
    // A member, not an admin: the admin pages stay closed.
    const response = await other.page.goto(`${server.url}/w/${SLUG}/admin/users`);
    expect(response?.status() === 403 || !other.page.url().includes('/admin/')).toBe(true);
  });

  it('lets an admin sign in through SSO too, and reach the admin pages', async () => {
    const { server } = harness;
    const admin = `admin@${SLUG}.example`;
    idp.setAccount(admin, { name: 'Ada Admin' });
    const { page } = await harness.session();
    await page.goto(`${server.url}/w/${SLUG}/login`);
    await byTestId(page, 'sso-login').click();
    await completeProviderLogin(page, idp.issuer, admin);
    await byTestId(page, 'profile').waitFor();
    await page.goto(`${server.url}/w/${SLUG}/admin/integrations`);
    await byTestId(page, 'integration-row').waitFor();
    expect(await shownText(byTestId(page, 'signed-in-as'))).toContain(admin);
  });
});
