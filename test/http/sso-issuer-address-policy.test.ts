import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureSso } from '../../src/directory/workspaces/workspaces.js';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';
import { csrfToken, type LoggedServer, signInAdmin, startLoggedServer } from './console-session.js';

/**
 * Issue 13, defect 8: "Test connection" let a workspace admin scan the Roster host's loopback
 * ports (distinct messages for a closed port, PostgreSQL and an HTTP service). Issuers on
 * non-public addresses are refused unless ROSTER_ALLOW_PRIVATE_ISSUERS=1, and every failure
 * reads the same.
 */
const UNIFORM = 'the issuer&#39;s discovery document could not be fetched';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('defect 8: SSO issuers on private addresses', () => {
  let web: Server;
  let webPort: number;
  let webRequests = 0;
  let closed: number;

  beforeAll(async () => {
    web = createServer((_request, response) => {
      webRequests += 1;
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>intranet</h1>');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webPort = (web.address() as AddressInfo).port;
    closed = await closedPort();
  });
  afterAll(async () => {
    web.closeAllConnections();
    await new Promise<void>((resolve) => web.close(() => resolve()));
  });

  /** Sets the issuer directly (saving accepts any http(s) URL) and presses "Test connection". */
  const testConnection = async (server: LoggedServer, admin: string, issuer: string, client = { clientId: 'c', clientSecret: 's' }) => {
    await configureSso(server.store, 'acme', { issuer, ...client });
    const response = await fetch(`${server.url}/w/acme/admin/sso/test`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(await csrfToken(server, 'acme', admin))}`,
    });
    expect(response.status).toBe(200);
    const page = await response.text();
    const result = /data-testid="test-result" data-status="(\w+)">([^<]*)</.exec(page);
    if (!result) throw new Error(`no test result on the page for ${issuer}`);
    return { status: result[1], message: (result[2] as string).replaceAll(issuer, '<issuer>') };
  };
  const signInStart = async (server: LoggedServer, issuer: string) => {
    await configureSso(server.store, 'acme', { issuer, clientId: 'c', clientSecret: 's' });
    const response = await fetch(`${server.url}/w/acme/sso/start`, { redirect: 'manual' });
    const page = await response.text();
    return { status: response.status, message: /data-testid="login-error">([^<]*)</.exec(page)?.[1]?.replaceAll(issuer, '<issuer>') };
  };

  describe('without ROSTER_ALLOW_PRIVATE_ISSUERS', () => {
    let server: LoggedServer;
    let admin: string;
    beforeAll(async () => {
      server = await startLoggedServer();
      await server.workspace('acme');
      admin = await signInAdmin(server, 'acme');
    });
    afterAll(async () => server.close());

    const issuers = () => [
      `http://127.0.0.1:${closed}`,
      'http://127.0.0.1:5432',
      `http://127.0.0.1:${webPort}`,
      `http://[::1]:${webPort}`,
      `http://localhost:${webPort}`,
      'http://169.254.169.254/',
      `https://127.0.0.1:${webPort}`,
      `https://localhost:${webPort}`,
      `https://[::ffff:127.0.0.1]:${webPort}`,
      `https://0.0.0.0:${webPort}`,
      `https://2130706433:${webPort}`,
      'https://10.0.0.1/',
      'https://[fd00::1]/',
      'https://100.64.0.1/',
    ];

    it('"Test connection" gives the same message for a closed port, PostgreSQL, an HTTP service and the metadata address', async () => {
      const messages = new Set<string>();
      for (const issuer of issuers()) {
        const result = await testConnection(server, admin, issuer);
        expect(result.status, issuer).toBe('error');
        expect(result.message, issuer).toContain(UNIFORM);
        messages.add(result.message);
      }
      expect([...messages]).toHaveLength(1);
      // Nothing was connected to: the address was refused before any request.
      expect(webRequests).toBe(0);
      // The reason is in the service log, not on the page.
      const log = server.lines.join('');
      expect(log).toMatch(/not a public address/);
      expect(log).toContain('sso test connection failed');
    });

    it('sign-in discovery refuses the same issuers with the same words', async () => {
      const messages = new Set<string | undefined>();
      for (const issuer of issuers().slice(0, 8)) {
        const result = await signInStart(server, issuer);
        expect(result.status, issuer).toBe(403);
        messages.add(result.message);
      }
      expect([...messages]).toHaveLength(1);
      expect([...messages][0]).toContain(UNIFORM);
      expect(webRequests).toBe(0);
    });
  });

  describe('with ROSTER_ALLOW_PRIVATE_ISSUERS=1 (development and tests)', () => {
    let server: LoggedServer;
    let admin: string;
    let idp: TestOidcProvider;
    beforeAll(async () => {
      server = await startLoggedServer({ ROSTER_ALLOW_PRIVATE_ISSUERS: '1' });
      await server.workspace('acme');
      admin = await signInAdmin(server, 'acme');
      idp = await startOidcProvider();
    });
    afterAll(async () => {
      await idp.close();
      await server.close();
    });

    it('a loopback OpenID provider connects, and failures still read the same', async () => {
      const ok = await testConnection(server, admin, idp.issuer, { clientId: idp.clientId, clientSecret: idp.clientSecret });
      expect(ok.status).toBe('ok');
      const messages = new Set<string>();
      for (const issuer of [
        `http://127.0.0.1:${closed}`,
        'http://127.0.0.1:5432',
        `http://127.0.0.1:${webPort}`,
        `http://localhost:${webPort}`,
      ]) {
        const result = await testConnection(server, admin, issuer);
        expect(result.status, issuer).toBe('error');
        messages.add(result.message);
      }
      expect([...messages]).toHaveLength(1);
      expect([...messages][0]).toContain(UNIFORM);
    });
  });
});
