import { beforeAll, describe, expect, it } from 'vitest';
import { loginLinkUrl } from '../../src/config/config.js';
import { issueLoginLink } from '../../src/directory/sign-in/sign-in.js';
import { addAppUser } from '../../src/directory/users/app-users.js';
import { scimClient, startServer } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';

/** HTTP-level checks of the console's defences; the flows themselves are covered in test/browser. */
describe('console pages over HTTP', () => {
  const server = serverForSuite();
  let adminCookie: string;
  let memberCookie: string;
  let token: string;

  const signIn = async (email: string): Promise<string> => {
    const link = await issueLoginLink(server.store, 'acme', email);
    const response = await fetch(loginLinkUrl({ publicUrl: server.url }, 'acme', link.token), { method: 'POST', redirect: 'manual' });
    expect(response.status).toBe(303);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('roster_session='));
    if (!cookie) throw new Error('no session cookie');
    return cookie.split(';')[0] as string;
  };
  const get = (path: string, cookie?: string) => fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });

  beforeAll(async () => {
    token = await server.workspace('acme');
    await addAppUser(server.store, 'acme', { email: 'admin@acme.example', givenName: 'Ada', familyName: 'Admin', role: 'Admin' });
    await addAppUser(server.store, 'acme', { email: 'member@acme.example', givenName: 'Max', familyName: 'Member' });
    adminCookie = await signIn('admin@acme.example');
    memberCookie = await signIn('member@acme.example');
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, scoped to the workspace path', async () => {
    const link = await issueLoginLink(server.store, 'acme', 'member@acme.example');
    const response = await fetch(loginLinkUrl({ publicUrl: server.url }, 'acme', link.token), { method: 'POST', redirect: 'manual' });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('roster_session=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/w\/acme/);
    expect(cookie).not.toMatch(/Secure/i); // served over http here; https public URLs get Secure
  });

  it('escapes what an identity provider sends before showing it', async () => {
    const scim = scimClient(server, token);
    const created = await scim.post('/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'mallory@acme.example',
      displayName: '<script>alert(1)</script>',
      name: { givenName: '<img src=x onerror=alert(2)>', familyName: 'M' },
    });
    expect(created.status).toBe(201);
    const list = await (await get('/w/acme/admin/users?q=mallory', adminCookie)).text();
    const detail = await (await get(`/w/acme/admin/users/${created.body.id}`, adminCookie)).text();
    for (const page of [list, detail]) {
      expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
      expect(page).not.toContain('<script>alert');
      expect(page).not.toContain('<img src=x');
    }
  });

  it('redirects signed-out visitors to the sign-in page and keeps members out of admin pages', async () => {
    const signedOut = await get('/w/acme/admin/users');
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toBe('/w/acme/login');
    expect((await get('/w/acme/admin/users', memberCookie)).status).toBe(403);
    expect((await get('/w/acme/profile', memberCookie)).status).toBe(200);
    // A session is valid only in its own workspace.
    await server.workspace('other');
    expect((await get('/w/other/profile', adminCookie)).status).toBe(303);
  });

  it('refuses form posts without the session CSRF token or from another origin', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/w/acme/admin/teams`, {
        method: 'POST',
        headers: { cookie: adminCookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
        redirect: 'manual',
      });
    expect((await post('name=NoToken')).status).toBe(403);
    expect((await post('name=WrongToken&_csrf=abc')).status).toBe(403);
    const page = await (await get('/w/acme/admin/roles', adminCookie)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    expect(csrf).not.toBe('');
    expect((await post(`name=Evil&_csrf=${csrf}`, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(`name=Good&_csrf=${csrf}`, { origin: server.url })).status).toBe(303);
    const teams = await server.store.read.teams.list((await server.store.read.workspaces.bySlug('acme'))?.id ?? '');
    expect(teams.map((t) => t.name)).toEqual(['Good']);
  });

  it('leaves the SCIM API untouched: JSON errors and no cookies', async () => {
    const response = await fetch(`${server.scimUrl}/Users/unknown`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/scim\+json/);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('serves the setup guides and the start page without a CDN', async () => {
    const guide = await get('/guides/okta');
    expect(guide.status).toBe(200);
    expect(await guide.text()).toMatch(/Okta/);
    const start = await (await get('/')).text();
    expect(start).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect((await get('/assets/console.css')).status).toBe(200);
  });
});

describe('console sign-in rate limit', () => {
  it('answers 429 after ROSTER_SIGNIN_RATE_LIMIT password attempts a minute from one address', async () => {
    const server = await startServer({ ROSTER_SIGNIN_RATE_LIMIT: '3' });
    try {
      await server.workspace('acme');
      const attempt = () =>
        fetch(`${server.url}/w/acme/login/password`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'email=nobody%40acme.example&password=wrong-password-123',
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await attempt()).status);
      expect(statuses).toEqual([403, 403, 403, 429]);
      // Other pages are not limited.
      expect((await fetch(`${server.url}/w/acme/login`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
