import type { SqlDialect } from './dialect.js';

/** Runs a write, turning the engine's unique-violation error into a StoreConflict. */
export async function guarded<T>(dialect: SqlDialect, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    throw dialect.translateError(error);
  }
}
