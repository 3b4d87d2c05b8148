/**
 * The setup most HTTP and rule suites share: one server for the enclosing `describe`, started in
 * its `beforeAll` and closed in its `afterAll`, optionally with one workspace and a SCIM client
 * holding that workspace's token.
 *
 * Call these in the body of a `describe`. What they return is stable, so it can be destructured
 * at once; it reaches the server only when a test or hook runs (like `idpSuite()` in test/idp).
 * Hooks the suite registers after the call run after the server has started, and before it closes.
 */
import { afterAll, beforeAll } from 'vitest';
import { type ScimClient, scimClient, startServer, type TestServer } from './scim-server.js';

/** `value`, or a clear error when a test helper is used outside a test or hook. */
function running<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the suite's ${what} does not exist (used outside a test or hook?)`);
  return value;
}

/**
 * Registers a `beforeAll` that starts one `what` for the enclosing `describe` and an `afterAll`
 * that closes it; returns the accessor tests and hooks reach it with.
 */
export function forSuite<T extends { close(): Promise<void> }>(what: string, start: () => Promise<T>): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.close();
    started = undefined;
  });
  return () => running(started, what);
}

/** A server (`startServer(env)`) for the enclosing `describe`. */
export function serverForSuite(env: NodeJS.ProcessEnv = {}): TestServer {
  const current = forSuite('server', () => startServer(env));
  return {
    get url() {
      return current().url;
    },
    get scimUrl() {
      return current().scimUrl;
    },
    get store() {
      return current().store;
    },
    get database() {
      return current().database;
    },
    get app() {
      return current().app;
    },
    workspace: (slug, options) => current().workspace(slug, options),
    close: () => current().close(),
  };
}

/**
 * A server for the enclosing `describe` with the enterprise workspace `slug` (SCIM enabled), and
 * `scim`, a client that sends that workspace's token.
 */
export function workspaceForSuite(slug: string, options: { env?: NodeJS.ProcessEnv } = {}): { server: TestServer; scim: ScimClient } {
  const server = serverForSuite(options.env);
  let client: ScimClient | undefined;
  const current = () => running(client, 'SCIM client');
  beforeAll(async () => {
    client = scimClient(server, await server.workspace(slug));
  });
  const scim: ScimClient = {
    call: (...args) => current().call(...args),
    get: (...args) => current().get(...args),
    post: (...args) => current().post(...args),
    put: (...args) => current().put(...args),
    patch: (...args) => current().patch(...args),
    delete: (...args) => current().delete(...args),
  };
  return { server, scim };
}
