import { beforeAll, describe, expect, it } from 'vitest';
import { newUser, scimClient } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import { consoleGet, signInAdmin } from './console-session.js';

/**
 * Issue 13, defect 7: a token holder requested GET /scim/v2/Users/..%2Fintegrations%2Fremove and
 * the admin's provisioning-log page linked to /w/<slug>/admin/users/../integrations/remove.
 */
describe('defect 7: provisioning-log links only to real users, path-encoded', () => {
  const server = serverForSuite();
  let admin: string;
  let token: string;

  beforeAll(async () => {
    token = await server.workspace('acme');
    admin = await signInAdmin(server, 'acme');
  });

  const hrefs = (page: string): string[] => [...page.matchAll(/\b(?:href|action)="([^"]*)"/g)].map((m) => m[1] as string);

  it('a crafted id in a SCIM request path gives no link containing ../ or to a non-user', async () => {
    const scim = scimClient(server, token);
    const real = await scim.post('/Users', newUser('real@acme.example'));
    expect(real.status).toBe(201);
    const crafted = [
      '..%2Fintegrations%2Fremove',
      '..%2F..%2F..%2Flogout',
      '%2E%2E%2Fintegrations%2Fremove',
      'x%3Fq%3D1%23frag',
      '00000000-0000-7000-8000-000000000000',
    ];
    for (const id of crafted) {
      const response = await scim.get(`/Users/${id}`);
      expect(response.status, id).toBe(404);
    }
    expect((await scim.get(`/Users/${real.body.id}`)).status).toBe(200);
    await server.app.provisioningLog.flush();

    const response = await consoleGet(server, '/w/acme/admin/log', admin);
    expect(response.status).toBe(200);
    const page = await response.text();
    // The crafted requests are in the log …
    expect(page).toContain('integrations%2Fremove');
    const links = hrefs(page);
    // … but no link or form target climbs out of its path or points at a non-user.
    for (const link of links) {
      expect(link, link).not.toMatch(/\.\.\//);
      expect(decodeURIComponent(link.split('?')[0] ?? ''), link).not.toMatch(/\/\.\.(\/|$)/);
    }
    const userLinks = links.filter((link) => link.startsWith('/w/acme/admin/users/'));
    expect([...new Set(userLinks)]).toEqual([`/w/acme/admin/users/${real.body.id}`]);
    expect(page).not.toContain('/w/acme/admin/users/../');
    expect(page).not.toContain('/w/acme/admin/users/00000000-0000-7000-8000-000000000000');
  });

  it('user-list links and the one-time link page stay on their own path', async () => {
    const list = await (await consoleGet(server, '/w/acme/admin/users', admin)).text();
    for (const link of hrefs(list)) expect(link).not.toMatch(/\.\.\//);
    // A one-time link page with a crafted token gets no form that posts elsewhere.
    const crafted = await (await consoleGet(server, '/w/acme/login/link/..%2F..%2Fadmin%2Fintegrations%2Fremove')).text();
    for (const link of hrefs(crafted)) expect(link).not.toMatch(/\.\.\/|integrations/);
    const shaped = await (await consoleGet(server, '/w/acme/login/link/abc_DEF-123')).text();
    expect(hrefs(shaped).filter((link) => link.includes('/login/link/'))).toEqual(['/w/acme/login/link/abc_DEF-123']);
  });
});
