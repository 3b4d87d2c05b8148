import type { FastifyInstance } from 'fastify';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import type { Plan } from '../../src/directory/model.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { createTestDatabase } from './test-database.js';

export interface TestServer {
  readonly url: string;
  readonly scimUrl: string;
  readonly store: SqlStore;
  /** The `--database` value of this server's database (a file path or a postgres:// URL). */
  readonly database: string;
  readonly app: FastifyInstance;
  /** Adds an enterprise workspace with SCIM enabled and returns its token. */
  workspace(slug: string, options?: { seats?: number; plan?: Plan }): Promise<string>;
  close(): Promise<void>;
}

/** Starts the real HTTP server on a random port over a fresh SQLite file. */
export async function startServer(env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const store = await openStore(database.url);
  // The public URL is only known after listening; build the config with a placeholder port first.
  const probe = await composeApp({ store, config: loadConfig({ database: database.url, port: 0 }, env) });
  await probe.listen({ host: '127.0.0.1', port: 0 });
  const port = (probe.server.address() as { port: number }).port;
  await probe.close();
  const config = loadConfig({ database: database.url, port }, { ...env, ROSTER_PUBLIC_URL: `http://127.0.0.1:${port}` });
  const app = await composeApp({ store, config });
  await app.listen({ host: '127.0.0.1', port });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    scimUrl: `${url}/scim/v2`,
    store,
    database: database.url,
    app,
    async workspace(slug, options = {}) {
      await createWorkspace(store, { slug, plan: options.plan ?? 'enterprise', seats: options.seats ?? 1000 });
      await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: 'id', clientSecret: 'secret' });
      return (await enableScim(store, slug, 'generic')).token;
    },
    async close() {
      // A slow phase is reported (a close once waited 68 s for an idle keep-alive connection:
      // test/http/server-close.test.ts).
      for (const [phase, step] of [
        ['app.close', () => app.close()],
        ['store.close', () => store.close()],
        ['database.drop', () => database.drop()],
      ] as const) {
        const started = performance.now();
        await step();
        const ms = performance.now() - started;
        if (ms > 10_000) process.stderr.write(`[test server] ${phase} took ${Math.round(ms)} ms\n`);
      }
    },
  };
}

export interface ScimResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

/** A small SCIM client bound to one token. */
export function scimClient(server: TestServer, token: string | undefined) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> => {
    const response = await fetch(`${server.scimUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    put: (path: string, body: unknown, headers?: Record<string, string>) => call('PUT', path, body, headers),
    patch: (path: string, body: unknown, headers?: Record<string, string>) => call('PATCH', path, body, headers),
    delete: (path: string) => call('DELETE', path),
  };
}

export type ScimClient = ReturnType<typeof scimClient>;

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function newUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Given', familyName: 'Family' },
    emails: [{ value: userName.includes('@') ? userName : `${userName}@example.com`, type: 'work', primary: true }],
    active: true,
    ...extra,
  };
}

export const patchOps = (...Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });
