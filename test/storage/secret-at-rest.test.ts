import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import { secretBox } from '../../src/storage/secret-box.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { rawDatabase } from './fixtures.js';

describe('the SSO client secret at rest', () => {
  let database: TestDatabase;
  const stores: SqlStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await database.drop();
  });

  it('is stored encrypted, read back in clear, and unreadable with another key', async () => {
    database = await createTestDatabase();
    const key = randomBytes(32);
    const store = await openStore(database.url, { secretKey: key });
    stores.push(store);
    const workspace = await createWorkspace(store, { slug: 'acme' });
    await configureSso(store, 'acme', { issuer: 'https://idp.example.com', clientId: 'roster', clientSecret: 'very-secret-value' });

    const raw = rawDatabase(database.url);
    const row = await raw.selectFrom('sso_configs').selectAll().where('workspace_id', '=', workspace.id).executeTakeFirstOrThrow();
    await raw.destroy();
    expect(row.client_secret).not.toContain('very-secret-value');
    expect(row.client_secret).toMatch(/^enc:v1:/);
    expect((await store.read.workspaces.sso(workspace.id))?.clientSecret).toBe('very-secret-value');

    const otherKey = await openStore(database.url, { secretKey: randomBytes(32) });
    stores.push(otherKey);
    await expect(otherKey.read.workspaces.sso(workspace.id)).rejects.toThrow(/ROSTER_SECRET_KEY/);
  });

  it('seals with a fresh IV every time and detects tampering', () => {
    const box = secretBox(randomBytes(32));
    const a = box.seal('same');
    const b = box.seal('same');
    expect(a).not.toBe(b);
    expect(box.open(a)).toBe('same');
    // The second-to-last character carries no padding bits: changing it always changes the ciphertext.
    const tampered = `${a.slice(0, -2)}${a.at(-2) === 'A' ? 'B' : 'A'}${a.slice(-1)}`;
    expect(() => box.open(tampered)).toThrow(/cannot decrypt/);
    expect(box.open('plain-legacy')).toBe('plain-legacy');
  });
});
