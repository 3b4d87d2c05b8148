import { beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite } from '../support/suite-setup.js';
import { consoleGet, csrfToken, signInAdmin } from './console-session.js';

/**
 * Issue 13, defect 6: console inputs with a NUL (which PostgreSQL refuses in text), lone
 * surrogates, very long values or repeated parameters answered 500. No console input may.
 */
const HOSTILE = [
  '%00',
  'a%00b',
  'ada%00%40acme.example',
  '%ED%A0%80',
  '%ED%A0%80%00',
  '%C0%80',
  '%FF',
  '%',
  '%E2%80%AE',
  '%01%02%1F%7F',
  '%27%22%3C%3E%5C',
  '%5Cu0000',
  '%22%5Cu0000%22',
  'x'.repeat(6000),
  `${'%00'.repeat(1000)}`,
];

describe('defect 6: no console input answers 5xx', () => {
  const server = serverForSuite();
  let admin: string;

  beforeAll(async () => {
    await server.workspace('acme');
    admin = await signInAdmin(server, 'acme');
  });

  const expectNo5xx = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, { redirect: 'manual', ...init, headers: { cookie: admin, ...init.headers } });
    const body = await response.text();
    expect(response.status, `${init.method ?? 'GET'} ${path.slice(0, 120)}: ${body.slice(0, 300)}`).toBeLessThan(500);
    return response;
  };

  it('users page: q, page and status with NUL, lone surrogates, long values', async () => {
    for (const value of HOSTILE) {
      for (const name of ['q', 'page', 'status']) await expectNo5xx(`/w/acme/admin/users?${name}=${value}`);
      await expectNo5xx(`/w/acme/admin/users?q=${value}&status=active&page=2`);
    }
  });

  it('users page: repeated and oddly shaped parameters', async () => {
    for (const query of [
      'q=a&q=b',
      'q=%00&q=b',
      'q=a&q=%00',
      'page=1&page=2',
      'status=active&status=inactive',
      'q[]=a',
      'q=a&q=b&page=x&page=-1&status=all&status=%00',
      'page=99999999999999999999',
      'page=1e400',
    ]) {
      await expectNo5xx(`/w/acme/admin/users?${query}`);
    }
  });

  it('provisioning-log page: user, trace and status with NUL, lone surrogates, long values, repeats', async () => {
    for (const value of HOSTILE) {
      for (const name of ['user', 'trace', 'status']) await expectNo5xx(`/w/acme/admin/log?${name}=${value}`);
      await expectNo5xx(`/w/acme/admin/log?user=${value}&trace=${value}&status=failed`);
    }
    for (const query of ['user=a&user=b', 'trace=a&trace=b', 'status=400&status=ok', 'user=%00&user=b', 'trace=a&trace=%00']) {
      await expectNo5xx(`/w/acme/admin/log?${query}`);
    }
  });

  it('NUL in a console query parameter gets the 400 page, not a search', async () => {
    for (const path of ['/w/acme/admin/users?q=%00', '/w/acme/admin/log?user=%00', '/w/acme/admin/log?trace=%00']) {
      const response = await consoleGet(server, path, admin);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('data-testid="page-error"');
    }
  });

  it('path parameters and the other GETs: user ids, slugs, guides, links, SSO callback', async () => {
    for (const value of HOSTILE) {
      await expectNo5xx(`/w/acme/admin/users/${value}`);
      await expectNo5xx(`/w/${value}/login`);
      await expectNo5xx(`/w/${value}/admin/users`);
      await expectNo5xx(`/go?slug=${value}`);
      await expectNo5xx(`/guides/${value}`);
      await expectNo5xx(`/w/acme/login/link/${value}`);
      await expectNo5xx(`/w/acme/sso/callback?state=${value}&code=${value}`);
      await expectNo5xx(`/w/acme/sso/callback?error=${value}&error_description=${value}&state=${value}`);
    }
    await expectNo5xx('/w/acme/sso/callback?state=a&state=b&error=x&error=y');
    await expectNo5xx('/go?slug=a&slug=b');
  });

  it('form posts with NUL in fields and ids', async () => {
    const csrf = await csrfToken(server, 'acme', admin);
    const form = (body: string): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    for (const value of ['%00', 'a%00b', '%ED%A0%80', 'x'.repeat(6000)]) {
      await expectNo5xx('/w/acme/login/password', form(`email=${value}&password=${value}`));
      await expectNo5xx(`/w/acme/login/link/${value}`, form(''));
      await expectNo5xx('/w/acme/admin/teams', form(`name=${value}&_csrf=${csrf}`));
      await expectNo5xx('/w/acme/admin/roles', form(`name=${value}&level=${value}&_csrf=${csrf}`));
      await expectNo5xx(`/w/acme/admin/roles/${value}/rename`, form(`name=ok&_csrf=${csrf}`));
      await expectNo5xx(`/w/acme/admin/teams/${value}/delete`, form(`_csrf=${csrf}`));
      await expectNo5xx('/w/acme/admin/integrations/enable', form(`provider=${value}&_csrf=${csrf}`));
    }
    await expectNo5xx('/w/acme/admin/teams', form(`name=a&name=b&_csrf=${csrf}`));
  });
});
