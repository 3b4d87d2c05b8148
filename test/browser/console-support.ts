import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import type { Plan, Provider } from '../../src/directory/model.js';
import { addAppUser } from '../../src/directory/users/app-users.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { type BrowserSession, chromiumAvailable, launchBrowser, newSession } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { startServer, type TestServer } from '../support/scim-server.js';
import { forSuite } from '../support/suite-setup.js';

/**
 * What the browser tests share: a real Roster server over SQLite, Debian's Chromium, and
 * helpers written against the console contract (docs/console.md: addresses and data-testid hooks).
 */
export const BROWSER_AVAILABLE = chromiumAvailable();

export interface Harness {
  readonly server: TestServer;
  readonly browser: Browser;
  /** A fresh browser context and page; closed by `close()` if the test does not. */
  session(): Promise<BrowserSession>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  // The test OpenID provider listens on 127.0.0.1, which Roster refuses as an issuer by default.
  const server = await startServer({ ROSTER_ALLOW_PRIVATE_ISSUERS: '1' });
  const browser = await launchBrowser();
  const sessions: BrowserSession[] = [];
  return {
    server,
    browser,
    async session() {
      const session = await newSession(browser);
      // Native confirm() dialogs of /assets/console.js are accepted, as a person would.
      session.page.on('dialog', (dialog) => void dialog.accept());
      sessions.push(session);
      return session;
    },
    async close() {
      for (const session of sessions) await session.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

/**
 * A harness for the enclosing `describe`: started in its `beforeAll`, closed in its `afterAll`.
 * What it returns is stable, so it can be kept at once; it reaches the harness only inside tests and hooks.
 */
export function harnessForSuite(): Harness {
  const current = forSuite('harness', startHarness);
  return {
    get server() {
      return current().server;
    },
    get browser() {
      return current().browser;
    },
    session: () => current().session(),
    close: () => current().close(),
  };
}

export const byTestId = (scope: Page | Locator, id: string): Locator => scope.locator(`[data-testid="${id}"]`);

/** The status the current document was served with. */
export const documentStatus = (page: Page): Promise<number> =>
  page.evaluate(
    () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { responseStatus: number }).responseStatus,
  );

/** The text a person sees in an element: the value of an input or textarea, else its text. */
export async function shownText(locator: Locator): Promise<string> {
  const tag = await locator.evaluate((element) => element.tagName.toLowerCase());
  if (tag === 'input' || tag === 'textarea') return (await locator.inputValue()).trim();
  return ((await locator.textContent()) ?? '').trim();
}

/** Waits for the element and for it to show some text (a result filled in by a form or script). */
export async function textWhenShown(locator: Locator): Promise<string> {
  await locator.first().waitFor();
  let text = '';
  await expect
    .poll(
      async () => {
        text = await shownText(locator.first());
        return text;
      },
      { timeout: 20_000 },
    )
    .not.toBe('');
  return text;
}

export interface WorkspaceSetup {
  readonly plan?: Plan;
  readonly seats?: number;
  /** Placeholder SSO settings unless false or given. */
  readonly sso?: false | { issuer: string; clientId: string; clientSecret: string };
  /** Enables SCIM with this provider and returns its token. */
  readonly scim?: Provider;
  /** The email of an Admin to create (default admin@<slug>.example). */
  readonly admin?: string | false;
}

export interface SetUpWorkspace {
  readonly slug: string;
  readonly admin: string | undefined;
  readonly token: string | undefined;
}

/** A workspace set up in-process through the directory (fast); the console is what is tested. */
export async function setUpWorkspace(server: TestServer, slug: string, setup: WorkspaceSetup = {}): Promise<SetUpWorkspace> {
  await createWorkspace(server.store, { slug, name: `${slug} Ltd`, plan: setup.plan ?? 'enterprise', seats: setup.seats ?? 1000 });
  if (setup.sso !== false) {
    await configureSso(
      server.store,
      slug,
      setup.sso ?? { issuer: 'https://idp.example.com', clientId: 'placeholder', clientSecret: 'secret' },
    );
  }
  const admin = setup.admin === false ? undefined : (setup.admin ?? `admin@${slug}.example`);
  if (admin) await addAppUser(server.store, slug, { email: admin, givenName: 'Ada', familyName: 'Admin', role: 'Admin' });
  const token = setup.scim ? (await enableScim(server.store, slug, setup.scim)).token : undefined;
  return { slug, admin, token };
}

/** Runs the CLI against the test server's database, with links and base URLs pointing at it. */
export async function cli(server: TestServer, args: readonly string[]) {
  const result = await runCli([...args, '--database', server.database], { ROSTER_PUBLIC_URL: server.url });
  if (result.code !== 0) throw new Error(`roster ${args.join(' ')} failed (${result.code}): ${result.stderr}${result.stdout}`);
  return result;
}

/** `roster admin login-link <slug> <email> --json`: a one-time sign-in URL. */
export async function loginLink(server: TestServer, slug: string, email: string): Promise<string> {
  const { stdout } = await cli(server, ['admin', 'login-link', slug, email, '--json']);
  const printed = JSON.parse(stdout) as { url: string; expiresAt: string };
  expect(printed.url.startsWith(`${server.url}/w/${slug}/login/link/`)).toBe(true);
  expect(Date.parse(printed.expiresAt)).toBeGreaterThan(Date.now());
  return printed.url;
}

/** Signs in with a one-time link: the link page shows a button, which signs in. */
export async function signInWithLink(page: Page, server: TestServer, slug: string, email: string): Promise<void> {
  const url = await loginLink(server, slug, email);
  await page.goto(url);
  await byTestId(page, 'link-continue').click();
  await byTestId(page, 'signed-in-as').waitFor();
  expect(await shownText(byTestId(page, 'signed-in-as'))).toContain(email);
}

/**
 * Clicks a button that may lead to a confirmation page (the button `confirm`) or a native
 * confirm() dialog (accepted by the harness), then waits for `until`.
 */
export async function clickThroughConfirm(page: Page, button: Locator, until: Locator): Promise<void> {
  await button.click();
  const confirm = byTestId(page, 'confirm');
  await expect.poll(async () => (await until.count()) > 0 || (await confirm.count()) > 0, { timeout: 15_000 }).toBe(true);
  if ((await until.count()) === 0) await confirm.click();
  await until.first().waitFor({ timeout: 15_000 });
}

/** GET /scim/v2/Users with a bearer token; the status. */
export async function scimStatus(server: TestServer, token: string): Promise<number> {
  const response = await fetch(`${server.scimUrl}/Users?count=1`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

export const TOKEN_FORMAT = /^roster_scim_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/;
