import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../src/directory/errors.js';
import { createWorkspace, updateWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('workspace update', () => {
  let database: TestDatabase;
  let store: SqlStore;
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('changes plan, seats and default language, and keeps the rest', async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    const created = await createWorkspace(store, { slug: 'acme', name: 'Acme', seats: 10 });
    const updated = await updateWorkspace(store, 'acme', { plan: 'enterprise', seats: 3, defaultLanguage: 'de-DE' });
    expect(updated).toEqual({ ...created, plan: 'enterprise', seats: 3, defaultLanguage: 'de-DE' });
    expect(await store.read.workspaces.bySlug('acme')).toEqual(updated);
  });

  it('refuses unknown plans, negative seats and unsupported languages, changing nothing', async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    const created = await createWorkspace(store, { slug: 'acme' });
    for (const change of [{ plan: 'gold' as never }, { seats: -1 }, { seats: 1.5 }, { defaultLanguage: 'fr-FR' }]) {
      await expect(updateWorkspace(store, 'acme', change)).rejects.toBeInstanceOf(DirectoryError);
    }
    await expect(updateWorkspace(store, 'nope', { seats: 1 })).rejects.toMatchObject({ code: 'workspaceNotFound' });
    expect(await store.read.workspaces.bySlug('acme')).toEqual(created);
  });
});
