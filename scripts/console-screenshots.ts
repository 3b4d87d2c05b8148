/**
 * Screenshots of the admin console for docs/screenshots/ (`npm run screenshots`): a real server
 * on a fresh SQLite database with a seeded demo (300 provisioned users, a provisioning log with
 * some failures), a real OpenID provider, and Debian's Chromium.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { seedUserName, seedWorkspace } from '../bench/lib/bulk-seed.js';
import { disableScim } from '../src/directory/integrations/scim-integration.js';
import { addAppUser } from '../src/directory/users/app-users.js';
import { configureSso, updateWorkspace } from '../src/directory/workspaces/workspaces.js';
import { CHROMIUM_PATH, launchBrowser, newSession } from '../test/support/browser.js';
import { runCli } from '../test/support/cli.js';
import { completeProviderLogin, startOidcProvider } from '../test/support/oidc-provider.js';
import { newUser, patchOps, scimClient, startServer } from '../test/support/scim-server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs/screenshots');
const SLUG = 'acme';
const ADMIN = 'ada.admin@acme-corp.example';

const step = (text: string) => process.stdout.write(`${text}\n`);
const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

/** A PNG of the page: the whole page, or only the window for long lists. */
async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  step(`  docs/screenshots/${name}.png`);
}

mkdirSync(outDir, { recursive: true });
const server = await startServer();
const idp = await startOidcProvider({ redirectUris: [`${server.url}/w/${SLUG}/sso/callback`] });
const browser = await launchBrowser().catch((error: unknown) => {
  throw new Error(`cannot start ${CHROMIUM_PATH} (apt-get install -y chromium): ${String(error)}`);
});
try {
  step('seeding 300 users…');
  // 297 active seeded users (every 100th is deactivated), the admin, and five more over SCIM fill 303 seats.
  const seeded = await seedWorkspace(server.store, { users: 300, slug: SLUG, teams: 6, seats: 303 });
  await updateWorkspace(server.store, SLUG, { name: 'Acme Corp' });
  await addAppUser(server.store, SLUG, { email: ADMIN, givenName: 'Ada', familyName: 'Admin', role: 'Admin' });
  await configureSso(server.store, SLUG, { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
  // The integration is enabled again below, through the console, for the token popup.
  await disableScim(server.store, SLUG);

  const viewport = { width: 1280, height: 800 };
  const visitor = await newSession(browser, { viewport });
  await visitor.page.goto(`${server.url}/w/${SLUG}/login`);
  await shoot(visitor.page, 'login');

  step('signing in with a one-time link…');
  const admin = await newSession(browser, { viewport });
  admin.page.on('dialog', (dialog) => void dialog.accept());
  const link = await runCli(['admin', 'login-link', SLUG, ADMIN, '--json', '--database', server.database], {
    ROSTER_PUBLIC_URL: server.url,
  });
  if (link.code !== 0) throw new Error(`roster admin login-link failed: ${link.stderr}`);
  const { url } = JSON.parse(link.stdout) as { url: string };
  await admin.page.goto(url);
  await shoot(admin.page, 'login-link');
  await testId(admin.page, 'link-continue').click();
  await testId(admin.page, 'signed-in-as').waitFor();

  const base = `${server.url}/w/${SLUG}/admin`;
  await admin.page.goto(`${base}/integrations`);
  await shoot(admin.page, 'integrations');
  await testId(admin.page, 'enable-okta').click();
  const confirm = testId(admin.page, 'confirm');
  if ((await confirm.count()) > 0) await confirm.click();
  await testId(admin.page, 'token-dialog').waitFor({ state: 'visible' });
  const token = ((await testId(admin.page, 'scim-token').textContent()) ?? '').trim();
  await shoot(admin.page, 'integrations-token');

  step('provisioning over SCIM, with some failures…');
  const scim = scimClient(server, token);
  const names: ReadonlyArray<readonly [string, string]> = [
    ['Hedy', 'Lamarr'],
    ['Katherine', 'Johnson'],
    ['Radia', 'Perlman'],
    ['Barbara', 'Liskov'],
    ['Frances', 'Allen'],
  ];
  for (const [given, family] of names) {
    const email = `${given.toLowerCase()}.${family.toLowerCase()}@acme-corp.example`;
    await scim.post('/Users', newUser(email, { name: { givenName: given, familyName: family }, title: 'Engineer' }));
  }
  await scim.post('/Users', newUser('hedy.lamarr@acme-corp.example')); // 409 uniqueness
  await scim.post('/Users', newUser('one.too.many@acme-corp.example')); // 409: no free seat
  await scim.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], name: { givenName: 'No' } }); // 400
  await scim.get('/Users/00000000-0000-7000-8000-000000000000'); // 404
  const someone = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${seedUserName(5)}"`)}`);
  const someoneId = someone.body?.Resources?.[0]?.id as string | undefined;
  if (someoneId) await scim.patch(`/Users/${someoneId}`, patchOps({ op: 'replace', path: 'title', value: 'Head of Research' }));
  await scim.get('/Users?count=100');
  await server.app.provisioningLog.flush();

  await admin.page.goto(`${base}/integrations`);
  await shoot(admin.page, 'integrations-list');
  await admin.page.setViewportSize({ width: 1280, height: 1000 });
  await admin.page.goto(`${base}/users`);
  await shoot(admin.page, 'users', false);
  await admin.page.setViewportSize(viewport);
  await admin.page.goto(`${base}/users?q=grace`);
  await shoot(admin.page, 'users-search');
  if (someoneId) {
    await admin.page.goto(`${base}/users/${someoneId}`);
    await shoot(admin.page, 'user-detail');
  }
  await admin.page.goto(`${base}/roles`);
  await shoot(admin.page, 'roles');
  await admin.page.goto(`${base}/seats`);
  await shoot(admin.page, 'seats');
  await admin.page.goto(`${base}/log`);
  await shoot(admin.page, 'log');
  await admin.page.goto(`${base}/log?status=409`);
  await shoot(admin.page, 'log-filtered');
  await admin.page.goto(`${base}/sso`);
  const test = testId(admin.page, 'test-connection');
  if ((await test.count()) > 0) {
    await test.click();
    await testId(admin.page, 'test-result').waitFor();
  }
  await shoot(admin.page, 'sso');

  step('signing in a provisioned user through SSO…');
  const member = seedUserName(5);
  idp.setAccount(member, {});
  const user = await newSession(browser, { viewport });
  await user.page.goto(`${server.url}/w/${SLUG}/login`);
  await testId(user.page, 'sso-login').click();
  await completeProviderLogin(user.page, idp.issuer, member);
  await testId(user.page, 'profile').waitFor();
  await shoot(user.page, 'profile');

  step('refusing a deactivated user…');
  const gone = seedUserName(299); // every 100th seeded user is deactivated
  idp.setAccount(gone, {});
  const refused = await newSession(browser, { viewport });
  await refused.page.goto(`${server.url}/w/${SLUG}/login`);
  await testId(refused.page, 'sso-login').click();
  await completeProviderLogin(refused.page, idp.issuer, gone);
  await testId(refused.page, 'login-error').waitFor();
  await shoot(refused.page, 'login-refused');
  step(`done: ${seeded.users} seeded users`);
} finally {
  await browser.close();
  await idp.close();
  await server.close();
}
