import { afterEach, describe, expect, it } from 'vitest';
import { authenticate, disableScim, enableScim, readAudit, rotateToken } from '../../src/directory/scim-integration.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('audit log of SCIM access', () => {
  let database: TestDatabase;
  let store: SqlStore;
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('records enable, token creation, rotation and disable with the actor, never the token', async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    await createWorkspace(store, { slug: 'acme', plan: 'enterprise' });
    await configureSso(store, 'acme', { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
    const first = await enableScim(store, 'acme', 'okta', 'cli:alice');
    const second = await rotateToken(store, 'acme', 'cli:bob');
    await disableScim(store, 'acme', 'cli:carol');
    const entries = await readAudit(store, 'acme');
    const summary = entries.map((e) => `${e.actor} ${e.action}`).sort();
    expect(summary).toEqual(
      [
        'cli:alice scim.enable',
        'cli:alice token.create',
        'cli:bob token.revoke',
        'cli:bob token.create',
        'cli:carol token.revoke',
        'cli:carol scim.disable',
      ].sort(),
    );
    for (const entry of entries) {
      expect(entry.detail).not.toContain(first.token);
      expect(entry.detail).not.toContain(second.token);
      expect(Date.parse(entry.time)).not.toBeNaN();
    }
    expect(entries.find((e) => e.action === 'token.revoke' && e.actor === 'cli:bob')?.detail).toMatch(/^1 token/);
  });

  it('writes nothing when the change is refused', async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    await createWorkspace(store, { slug: 'small', plan: 'standard' });
    await expect(enableScim(store, 'small', 'okta', 'cli:alice')).rejects.toMatchObject({ code: 'notEnterprise' });
    await expect(rotateToken(store, 'small', 'cli:alice')).rejects.toMatchObject({ code: 'scimNotEnabled' });
    expect(await readAudit(store, 'small')).toEqual([]);
  });

  it('refuses to replace an integration when asked not to, keeping its token and writing nothing', async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    await createWorkspace(store, { slug: 'acme', plan: 'enterprise' });
    await configureSso(store, 'acme', { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
    const first = await enableScim(store, 'acme', 'okta', 'console:ada');
    const before = await readAudit(store, 'acme');
    await expect(enableScim(store, 'acme', 'azure', 'console:ada', { replace: false })).rejects.toMatchObject({
      code: 'scimAlreadyEnabled',
    });
    expect((await authenticate(store, first.token))?.slug).toBe('acme');
    expect(await readAudit(store, 'acme')).toEqual(before);
  });
});
