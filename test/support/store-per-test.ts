import { afterEach, beforeEach } from 'vitest';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * Gives each test of the calling `describe` a store over a fresh database of the run's engine,
 * closed and dropped afterwards. `setUp` runs after the store opens (fixtures).
 */
export function storePerTest(setUp: (store: SqlStore) => Promise<void> = async () => undefined): () => SqlStore {
  let database: TestDatabase | undefined;
  let store: SqlStore | undefined;
  beforeEach(async () => {
    database = await createTestDatabase();
    store = await openStore(database.url);
    await setUp(store);
  });
  afterEach(async () => {
    await store?.close();
    await database?.drop();
  });
  return () => {
    if (!store) throw new TypeError('the store exists only inside a test');
    return store;
  };
}
