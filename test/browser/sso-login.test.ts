import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam } from '../../src/directory/roles/teams.js';
import { completeProviderLogin, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';
import { newUser, patchOps, type ScimClient, scimClient } from '../support/scim-server.js';
import { BROWSER_AVAILABLE, byTestId, cli, documentStatus, harnessForSuite, setUpWorkspace, shownText } from './console-support.js';

const SLUG = 'sso-co';
const TEAMS_URN = 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User';

/**
 * Single sign-on of users an IdP provisioned over SCIM, against a real OpenID provider: the
 * profile after login, and the refusals (deactivated, unknown, unverified email).
 */
describe.skipIf(!BROWSER_AVAILABLE)('console: single sign-on', () => {
  const harness = harnessForSuite();
  let idp: TestOidcProvider;
  let scim: ScimClient;

  beforeAll(async () => {
    const { server } = harness;
    idp = await startOidcProvider({ redirectUris: [`${server.url}/w/${SLUG}/sso/callback`] });
    const { token } = await setUpWorkspace(server, SLUG, { scim: 'okta', admin: false });
    // The real path an operator takes: `roster sso configure` with the IdP's issuer and client.
    await cli(server, ['sso', 'configure', SLUG, '--issuer', idp.issuer, '--client-id', idp.clientId, '--client-secret', idp.clientSecret]);
    await createTeam(server.store, SLUG, 'Engineering');
    scim = scimClient(server, token);
  });
  afterAll(async () => idp?.close());

  /** Starts SSO on the login page and completes the IdP's login as `email`. */
  async function ssoLogin(page: Page, email: string): Promise<void> {
    await page.goto(`${harness.server.url}/w/${SLUG}/login`);
    await byTestId(page, 'sso-login').click();
    await completeProviderLogin(page, idp.issuer, email);
    await page.waitForLoadState();
  }

  it('signs in a user the IdP provisioned and shows their profile, managed by the IdP', async () => {
    const email = 'grace.hopper@sso-co.example';
    const created = await scim.post('/Users', {
      ...newUser(email, { name: { givenName: 'Grace', familyName: 'Hopper' }, title: 'Rear Admiral', timezone: 'America/New_York' }),
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', TEAMS_URN],
      [TEAMS_URN]: { teams: ['Engineering'] },
    });
    expect(created.status).toBe(201);
    idp.setAccount(email, { name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper' });

    const { page } = await harness.session();
    await ssoLogin(page, email);
    expect(new URL(page.url()).pathname).toBe(`/w/${SLUG}/profile`);
    const profile = byTestId(page, 'profile');
    await profile.waitFor();
    expect(await shownText(byTestId(page, 'signed-in-as'))).toContain(email);
    expect(await shownText(byTestId(profile, 'field-email'))).toContain(email);
    expect(await shownText(byTestId(profile, 'field-role'))).toContain('Member');
    expect(await shownText(byTestId(profile, 'field-teams'))).toContain('Engineering');
    const text = await shownText(profile);
    for (const shown of ['Grace', 'Hopper', 'Rear Admiral', 'America/New_York']) expect(text).toContain(shown);
    expect(await byTestId(page, 'managed-by-idp').first().isVisible()).toBe(true);

    // Sign-out ends the session: the profile is no longer shown.
    await Promise.all([page.waitForURL((url) => url.pathname !== `/w/${SLUG}/profile`), byTestId(page, 'logout').click()]);
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe(`/w/${SLUG}/login`);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(0);
    await page.goto(`${harness.server.url}/w/${SLUG}/profile`);
    expect(await byTestId(page, 'profile').count()).toBe(0);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(0);
  });

  it('refuses a user the IdP deactivated, with a clear page', async () => {
    const email = 'left.company@sso-co.example';
    const created = await scim.post('/Users', newUser(email));
    expect(created.status).toBe(201);
    expect((await scim.patch(`/Users/${created.body.id}`, patchOps({ op: 'replace', value: { active: false } }))).status).toBe(200);
    idp.setAccount(email, { name: 'Left Company' });

    const { page } = await harness.session();
    await ssoLogin(page, email);
    const error = byTestId(page, 'login-error');
    await error.waitFor();
    expect(await shownText(error)).toMatch(/deactivated|disabled|inactive/i);
    expect(await documentStatus(page)).toBe(403);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(0);
    // No session was created: the profile stays closed.
    await page.goto(`${harness.server.url}/w/${SLUG}/profile`);
    expect(await byTestId(page, 'profile').count()).toBe(0);
  });

  it('refuses an email with no account in the workspace', async () => {
    const email = 'stranger@elsewhere.example';
    idp.setAccount(email, { name: 'A Stranger' });
    const { page } = await harness.session();
    await ssoLogin(page, email);
    const error = byTestId(page, 'login-error');
    await error.waitFor();
    expect(await shownText(error)).toContain(email);
    expect(await documentStatus(page)).toBe(403);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(0);
  });

  it('refuses an email the IdP has not verified', async () => {
    const email = 'unverified@sso-co.example';
    expect((await scim.post('/Users', newUser(email))).status).toBe(201);
    idp.setAccount(email, { name: 'Not Verified', email_verified: false });
    const { page } = await harness.session();
    await ssoLogin(page, email);
    const error = byTestId(page, 'login-error');
    await error.waitFor();
    expect(await shownText(error)).toMatch(/verif/i);
    expect(await documentStatus(page)).toBe(403);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(0);
  });

  it('shows the login page with the SSO button to anyone', async () => {
    const { page } = await harness.session();
    await page.goto(`${harness.server.url}/w/${SLUG}/login`);
    expect(await documentStatus(page)).toBe(200);
    expect(await byTestId(page, 'sso-login').isVisible()).toBe(true);
    expect(await byTestId(page, 'login-error').count()).toBe(0);
  });
});
