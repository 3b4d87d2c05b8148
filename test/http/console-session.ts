import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { expect } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig, loginLinkUrl } from '../../src/config/config.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import { issueLoginLink } from '../../src/directory/sign-in/sign-in.js';
import { addAppUser } from '../../src/directory/users/app-users.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { TestServer } from '../support/scim-server.js';
import { createTestDatabase } from '../support/test-database.js';

/** Signs `email` in to the console of `slug` with a one-time link and returns the `roster_session=…` cookie pair. */
export async function signInConsole(server: TestServer, slug: string, email: string): Promise<string> {
  const link = await issueLoginLink(server.store, slug, email);
  const response = await fetch(loginLinkUrl({ publicUrl: server.url }, slug, link.token), { method: 'POST', redirect: 'manual' });
  expect(response.status).toBe(303);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('roster_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0] as string;
}

/** Adds an Admin app user to `slug` and signs them in; returns the session cookie pair. */
export async function signInAdmin(server: TestServer, slug: string, email = `admin@${slug}.example`): Promise<string> {
  await addAppUser(server.store, slug, { email, givenName: 'Ada', familyName: 'Admin', role: 'Admin' });
  return signInConsole(server, slug, email);
}

/** A console GET with an optional cookie; redirects are not followed. `path` is sent as written (no re-encoding). */
export const consoleGet = (server: TestServer, path: string, cookie?: string): Promise<Response> =>
  fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });

/** The CSRF token of the signed-in session, read from a console page. */
export async function csrfToken(server: TestServer, slug: string, cookie: string): Promise<string> {
  const page = await (await consoleGet(server, `/w/${slug}/admin/roles`, cookie)).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

/** A test server whose service log (pino, level debug) is kept in `lines`. */
export interface LoggedServer extends TestServer {
  readonly lines: string[];
}

/** Like startServer, with the service log captured, to check what goes to the log and what to the page. */
export async function startLoggedServer(env: NodeJS.ProcessEnv = {}): Promise<LoggedServer> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const database = await createTestDatabase();
  const store = await openStore(database.url);
  const port = await freePort();
  const config = loadConfig({ database: database.url, port }, { ...env, ROSTER_PUBLIC_URL: `http://127.0.0.1:${port}` });
  const app = await composeApp({ store, config, logger: pino({ level: 'debug' }, sink) });
  await app.listen({ host: '127.0.0.1', port });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    scimUrl: `${url}/scim/v2`,
    store,
    database: database.url,
    app,
    lines,
    async workspace(slug, options = {}) {
      await createWorkspace(store, { slug, plan: options.plan ?? 'enterprise', seats: options.seats ?? 1000 });
      await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: 'id', clientSecret: 'secret' });
      return (await enableScim(store, slug, 'generic')).token;
    },
    async close() {
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
