import { describe, expect, it } from 'vitest';
import { newUser, scimClient } from '../support/scim-server.js';
import { BROWSER_AVAILABLE, byTestId, harnessForSuite, setUpWorkspace, shownText, signInWithLink } from './console-support.js';

/** The provisioning log page: where an admin pastes the trace id an IdP showed them. */
describe.skipIf(!BROWSER_AVAILABLE)('console: provisioning log', () => {
  const harness = harnessForSuite();

  it('finds exactly the failed request by its trace id, with the error detail', async () => {
    const { server } = harness;
    const { slug, admin, token } = await setUpWorkspace(server, 'log-co', { scim: 'azure' });
    const scim = scimClient(server, token);
    // Some traffic around the failure, so that the search has something to leave out.
    for (let i = 0; i < 5; i++) expect((await scim.post('/Users', newUser(`user${i}@log-co.example`))).status).toBe(201);
    const failed = await scim.post('/Users', newUser('user3@log-co.example'));
    expect(failed.status).toBe(409);
    const trace = failed.headers.get('x-trace-id');
    expect(trace).toBeTruthy();
    expect((await scim.get('/Users?count=2')).status).toBe(200);
    await server.app.provisioningLog.flush();

    const { page } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    await page.goto(`${server.url}/w/${slug}/admin/log`);
    // Newest first, all requests.
    await byTestId(page, 'log-row').first().waitFor();
    expect(await byTestId(page, 'log-row').count()).toBeGreaterThanOrEqual(7);
    expect(await shownText(byTestId(byTestId(page, 'log-row').first(), 'log-status'))).toContain('200');

    const filter = byTestId(page, 'log-filter');
    await filter.locator('[name="trace"]').fill(trace!);
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('trace') === trace),
      filter.locator('[type="submit"]').first().click(),
    ]);
    const rows = byTestId(page, 'log-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await shownText(byTestId(rows, 'log-trace'))).toContain(trace!);
    expect(await shownText(byTestId(rows, 'log-status'))).toContain('409');
    const detail = await shownText(byTestId(rows, 'log-detail'));
    // The log keeps the error's detail without its trace id suffix.
    expect(detail).toContain(String(failed.body.detail).replace(/ \(trace id [^)]+\)$/, ''));

    // The address alone finds it too (an admin can share the link).
    await page.goto(`${server.url}/w/${slug}/admin/log?trace=${encodeURIComponent(trace!)}`);
    await expect.poll(() => byTestId(page, 'log-row').count()).toBe(1);
  });

  it('filters by status and by user', async () => {
    const { server } = harness;
    const { slug, admin, token } = await setUpWorkspace(server, 'log-filter-co', { scim: 'okta', seats: 3 });
    const scim = scimClient(server, token);
    expect((await scim.post('/Users', newUser('one@log-filter-co.example'))).status).toBe(201);
    const two = await scim.post('/Users', newUser('two@log-filter-co.example'));
    expect(two.status).toBe(201);
    // The admin holds the third seat: this one is refused for lack of seats.
    expect((await scim.post('/Users', newUser('three@log-filter-co.example'))).status).toBe(409);
    expect((await scim.get('/Users/does-not-exist')).status).toBe(404);
    await server.app.provisioningLog.flush();

    const { page } = await harness.session();
    await signInWithLink(page, server, slug, admin!);
    await page.goto(`${server.url}/w/${slug}/admin/log?status=409`);
    await expect.poll(() => byTestId(page, 'log-row').count()).toBe(1);
    expect(await shownText(byTestId(page, 'log-status'))).toContain('409');
    expect(await shownText(byTestId(page, 'log-detail'))).toMatch(/seat/i);

    await page.goto(`${server.url}/w/${slug}/admin/log?status=404`);
    await expect.poll(() => byTestId(page, 'log-row').count()).toBe(1);

    // The user filter takes the user's id (the log's resourceId)…
    await page.goto(`${server.url}/w/${slug}/admin/log?user=${encodeURIComponent(two.body.id)}`);
    await expect.poll(() => byTestId(page, 'log-row').count()).toBe(1);
    expect(await shownText(byTestId(page, 'log-status'))).toContain('201');
    // Or by the user's email.
    await page.goto(`${server.url}/w/${slug}/admin/log?user=${encodeURIComponent('two@log-filter-co.example')}`);
    await expect.poll(() => byTestId(page, 'log-row').count()).toBe(1);
    expect(await shownText(byTestId(page, 'log-status'))).toContain('201');

    // An unknown trace id finds nothing.
    await page.goto(`${server.url}/w/${slug}/admin/log?trace=00000000-0000-4000-8000-000000000000`);
    await byTestId(page, 'log-filter').waitFor();
    expect(await byTestId(page, 'log-row').count()).toBe(0);
  });
});
