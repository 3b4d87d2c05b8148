import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BROWSER_AVAILABLE, byTestId, harnessForSuite, loginLink, setUpWorkspace, signInWithLink } from './console-support.js';

/**
 * Forms are protected against CSRF and the session cookie is HttpOnly and SameSite. The browser
 * signs in; the forged requests are plain fetches carrying the session cookie.
 */
describe.skipIf(!BROWSER_AVAILABLE)('console: CSRF and cookies', () => {
  const harness = harnessForSuite();

  /** The form's action and its hidden fields (the CSRF token among them). */
  async function formOf(page: Page, testId: string): Promise<{ action: string; hidden: [string, string][] }> {
    const form = byTestId(page, testId);
    await form.waitFor({ state: 'attached' });
    return form.evaluate((element) => {
      const f = element.tagName === 'FORM' ? (element as HTMLFormElement) : (element.closest('form') ?? element.querySelector('form'));
      if (!f) throw new Error('no form');
      const hidden = [...f.querySelectorAll('input[type="hidden"]')].map((input) => [
        (input as HTMLInputElement).name,
        (input as HTMLInputElement).value,
      ]);
      return { action: f.action, hidden: hidden as [string, string][] };
    });
  }

  it('refuses a form POST without the csrf token (403) and accepts it with the token', async () => {
    const { server } = harness;
    const { slug, admin } = await setUpWorkspace(server, 'csrf-co');
    const { page, context } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    const cookies = await context.cookies(`${server.url}/w/${slug}/profile`);
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');

    await page.goto(`${server.url}/w/${slug}/admin/roles`);
    const { action, hidden } = await formOf(page, 'create-role');
    expect(hidden.length).toBeGreaterThan(0);
    const post = (fields: [string, string][]) =>
      fetch(action, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });

    const role: [string, string][] = [
      ['name', 'Forged'],
      ['level', '50'],
    ];
    expect((await post(role)).status).toBe(403);
    const wrongToken = hidden.map(([name, value]): [string, string] => [name, `${value}x`]);
    expect((await post([...wrongToken, ...role])).status).toBe(403);

    await page.goto(`${server.url}/w/${slug}/admin/roles`);
    expect(await byTestId(page, 'role-row').filter({ hasText: 'Forged' }).count()).toBe(0);

    // The same request with the form's token goes through.
    const accepted = await post([...hidden, ...role]);
    expect(accepted.status).toBeLessThan(400);
    await page.goto(`${server.url}/w/${slug}/admin/roles`);
    expect(await byTestId(page, 'role-row').filter({ hasText: 'Forged' }).count()).toBe(1);

    // Sign-out is a POST with the token too: without it the session survives.
    const logout = await fetch(`${server.url}/w/${slug}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(logout.status).toBe(403);
    await page.goto(`${server.url}/w/${slug}/profile`);
    expect(await byTestId(page, 'signed-in-as').count()).toBe(1);
  });

  it('sets the session cookie HttpOnly and SameSite, not Secure over plain http', async () => {
    const { server } = harness;
    const { slug, admin } = await setUpWorkspace(server, 'cookie-co');
    const { page, context } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    const cookies = await context.cookies(`${server.url}/w/${slug}/profile`);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie.httpOnly, cookie.name).toBe(true);
      expect(['Lax', 'Strict'], cookie.name).toContain(cookie.sameSite);
      expect(cookie.secure, cookie.name).toBe(false);
    }
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('sends a signed-out visitor of an admin page to the sign-in page', async () => {
    const { server } = harness;
    const { slug } = await setUpWorkspace(server, 'anon-co');
    const { page } = await harness.session();
    await page.goto(`${server.url}/w/${slug}/admin/users`);
    expect(new URL(page.url()).pathname).toBe(`/w/${slug}/login`);
    expect(await byTestId(page, 'sso-login').count()).toBe(1);
    expect(await byTestId(page, 'user-row').count()).toBe(0);
  });

  it('accepts a one-time sign-in link only once', async () => {
    const { server } = harness;
    const { slug, admin } = await setUpWorkspace(server, 'link-co');
    const url = await loginLink(server, slug, admin!);
    const first = await harness.session();
    await first.page.goto(url);
    await byTestId(first.page, 'link-continue').click();
    await byTestId(first.page, 'signed-in-as').waitFor();

    const second = await harness.session();
    await second.page.goto(url);
    if ((await byTestId(second.page, 'link-continue').count()) > 0) await byTestId(second.page, 'link-continue').click();
    await byTestId(second.page, 'login-error').waitFor();
    expect(await byTestId(second.page, 'signed-in-as').count()).toBe(0);
  });
});
