import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('logs', () => {
  let database: TestDatabase;
  let store: SqlStore;
  const lines: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
  });
  afterAll(async () => database.drop());

  it('never contain bearer tokens, the SSO client secret or SQL, even when a request fails inside', async () => {
    await createWorkspace(store, { slug: 'acme', plan: 'enterprise' });
    await configureSso(store, 'acme', { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 'sso-client-secret-value' });
    const { token } = await enableScim(store, 'acme', 'okta');
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await composeApp({ store, config: loadConfig({ database: database.url }), logger: pino({ level: 'debug' }, sink) });
    const auth = { authorization: `Bearer ${token}` };
    expect((await app.inject({ url: '/scim/v2/Users', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ url: '/scim/v2/Users', headers: { authorization: `Bearer ${token}x` } })).statusCode).toBe(401);
    // Closing the database under the running app makes the next request fail inside: a 500.
    await store.close();
    const failed = await app.inject({ url: '/scim/v2/Users?filter=userName%20eq%20%22x%22', headers: auth });
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(failed.json().detail).not.toMatch(/select|sqlite|users/i);
    await app.close();
    const log = lines.join('');
    expect(log).toContain('unexpected error');
    expect(log).not.toContain(token);
    expect(log).not.toContain(token.slice(-20));
    expect(log).not.toContain('sso-client-secret-value');
  });
});
