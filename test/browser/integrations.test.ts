import { describe, expect, it } from 'vitest';
import { addAppUser } from '../../src/directory/users/app-users.js';
import {
  BROWSER_AVAILABLE,
  byTestId,
  clickThroughConfirm,
  harnessForSuite,
  scimStatus,
  setUpWorkspace,
  shownText,
  signInWithLink,
  TOKEN_FORMAT,
} from './console-support.js';

/** Integrations: the library, enabling SCIM, the token popup, regenerating and removing. */
describe.skipIf(!BROWSER_AVAILABLE)('console: integrations', () => {
  const harness = harnessForSuite();

  it('enables Okta from the library: the popup shows the base URL and a token that works over SCIM', async () => {
    const { server } = harness;
    const { slug, admin } = await setUpWorkspace(server, 'okta-co');
    const { page } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    await page.goto(`${server.url}/w/${slug}/admin/integrations`);

    for (const provider of ['azure', 'okta', 'onelogin', 'generic']) {
      await expect.poll(() => byTestId(page, `provider-${provider}`).count()).toBe(1);
      expect(await byTestId(byTestId(page, `provider-${provider}`), `enable-${provider}`).count()).toBe(1);
    }
    // SCIM is not enabled yet: no integration in the list.
    expect(await byTestId(page, 'integration-row').count()).toBe(0);

    const dialog = byTestId(page, 'token-dialog');
    await clickThroughConfirm(page, byTestId(page, 'enable-okta'), dialog);
    await dialog.waitFor({ state: 'visible' });
    const baseUrl = await shownText(byTestId(dialog, 'scim-base-url'));
    const token = await shownText(byTestId(dialog, 'scim-token'));
    expect(baseUrl).toBe(`${server.url}/scim/v2`);
    expect(token).toMatch(TOKEN_FORMAT);
    expect(await byTestId(dialog, 'copy-token').isVisible()).toBe(true);
    const guide = byTestId(dialog, 'setup-guide');
    expect(await guide.getAttribute('href')).toMatch(/okta/i);
    // The guide is served by Roster itself (no external site needed).
    const guidePage = await fetch(new URL((await guide.getAttribute('href'))!, server.url));
    expect(guidePage.status).toBe(200);
    expect(await guidePage.text()).toMatch(/Okta/);

    // The copy button puts the token on the clipboard.
    await byTestId(dialog, 'copy-token').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    // A real SCIM call with the token from the popup.
    const response = await fetch(`${baseUrl}/Users`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { schemas: string[]; totalResults: number };
    expect(body.schemas).toContain('urn:ietf:params:scim:api:messages:2.0:ListResponse');

    await byTestId(dialog, 'close-dialog').click();
    await dialog.waitFor({ state: 'hidden' });
    // The list now shows the integration and its "API access" client application.
    await page.reload();
    await expect.poll(() => byTestId(page, 'integration-row').count()).toBe(1);
    expect(await shownText(byTestId(page, 'integration-row'))).toMatch(/okta/i);
    expect(await shownText(byTestId(page, 'client-app-row'))).toContain('API access');
    // The token is shown once: not on the page any more.
    expect(await page.content()).not.toContain(token);
  });

  it('refuses to enable SCIM on a workspace that is not on the enterprise plan, with an explanation', async () => {
    const { server } = harness;
    const { slug, admin } = await setUpWorkspace(server, 'standard-co', { plan: 'standard' });
    const { page } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    await page.goto(`${server.url}/w/${slug}/admin/integrations`);
    await clickThroughConfirm(page, byTestId(page, 'enable-okta'), byTestId(page, 'integration-refused'));
    expect(await shownText(byTestId(page, 'integration-refused'))).toMatch(/enterprise/i);
    expect(await byTestId(page, 'token-dialog').count()).toBe(0);
    expect(await byTestId(page, 'scim-token').count()).toBe(0);
  });

  it('refuses to enable SCIM without single sign-on configured, with an explanation', async () => {
    const { server } = harness;
    const { slug, admin } = await setUpWorkspace(server, 'no-sso-co', { sso: false });
    const { page } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    await page.goto(`${server.url}/w/${slug}/admin/integrations`);
    await clickThroughConfirm(page, byTestId(page, 'enable-azure'), byTestId(page, 'integration-refused'));
    expect(await shownText(byTestId(page, 'integration-refused'))).toMatch(/single sign-on|SSO/i);
    expect(await byTestId(page, 'token-dialog').count()).toBe(0);
    expect(await byTestId(page, 'scim-token').count()).toBe(0);
  });

  it('regenerates the token after confirmation: the old token gets 401, the new one 200', async () => {
    const { server } = harness;
    const { slug, admin, token: oldToken } = await setUpWorkspace(server, 'rotate-co', { scim: 'onelogin' });
    expect(await scimStatus(server, oldToken!)).toBe(200);
    const { page } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    await page.goto(`${server.url}/w/${slug}/admin/integrations`);
    const clientApp = byTestId(page, 'client-app-row');
    await clientApp.waitFor();
    expect(await shownText(clientApp)).toContain('API access');

    const dialog = byTestId(page, 'token-dialog');
    await byTestId(clientApp, 'regenerate-token').click();
    // Regenerating asks for confirmation first, and nothing changes before it.
    await byTestId(page, 'confirm').waitFor();
    expect(await scimStatus(server, oldToken!)).toBe(200);
    await byTestId(page, 'confirm').click();
    await dialog.waitFor({ state: 'visible' });
    const newToken = await shownText(byTestId(dialog, 'scim-token'));
    expect(newToken).toMatch(TOKEN_FORMAT);
    expect(newToken).not.toBe(oldToken);
    expect(await shownText(byTestId(dialog, 'scim-base-url'))).toBe(`${server.url}/scim/v2`);

    expect(await scimStatus(server, oldToken!)).toBe(401);
    expect(await scimStatus(server, newToken)).toBe(200);
  });

  it('removes the integration after confirmation: its token gets 401 and the list is empty', async () => {
    const { server } = harness;
    const { slug, admin, token } = await setUpWorkspace(server, 'remove-co', { scim: 'generic' });
    const { page } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    await page.goto(`${server.url}/w/${slug}/admin/integrations`);
    await byTestId(page, 'integration-row').waitFor();
    await byTestId(page, 'remove-integration').first().click();
    await byTestId(page, 'confirm').waitFor();
    expect(await scimStatus(server, token!)).toBe(200);
    await byTestId(page, 'confirm').click();
    await expect.poll(() => scimStatus(server, token!)).toBe(401);
    await page.goto(`${server.url}/w/${slug}/admin/integrations`);
    await byTestId(page, 'provider-generic').waitFor();
    expect(await byTestId(page, 'integration-row').count()).toBe(0);
    expect(await byTestId(page, 'client-app-row').count()).toBe(0);
  });

  it('keeps the admin pages from users who are not admins', async () => {
    const { server } = harness;
    const { slug } = await setUpWorkspace(server, 'member-co');
    await addAppUser(server.store, slug, { email: 'member@member-co.example', givenName: 'Mem', familyName: 'Ber', role: 'Member' });
    const { page } = await harness.session();
    await signInWithLink(page, server, slug, 'member@member-co.example');
    const response = await page.goto(`${server.url}/w/${slug}/admin/integrations`);
    // Refused (403), or sent away from the admin pages.
    expect(response?.status() === 403 || !page.url().includes('/admin/')).toBe(true);
    expect(await byTestId(page, 'enable-okta').count()).toBe(0);
  });
});
