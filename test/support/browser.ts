import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium (`apt-get install -y chromium`), driven by playwright-core. No browser is
 * ever downloaded. Without it the browser tests are skipped, loudly, except on CI (CI set),
 * where its absence is an error.
 */
export const CHROMIUM_PATH = process.env.ROSTER_TEST_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const SKIP_MESSAGE = 'browser tests skipped: install Debian chromium (apt-get install -y chromium)';

/** Whether the browser tests can run; throws on CI when Chromium is missing. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) {
    throw new Error(`${CHROMIUM_PATH} is missing: the browser tests need Debian's Chromium on CI (apt-get install -y chromium)`);
  }
  process.stderr.write(`\n${'!'.repeat(SKIP_MESSAGE.length)}\n${SKIP_MESSAGE}\n${'!'.repeat(SKIP_MESSAGE.length)}\n\n`);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** A fresh context (own cookies and storage) with one page, for one test. */
export async function newSession(
  browser: Browser,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<BrowserSession> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    // The copy button writes to the clipboard.
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  return { context, page, close: () => context.close() };
}
