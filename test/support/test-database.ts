import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The engine this test run uses: ROSTER_TEST_ENGINE=postgres selects PostgreSQL, else SQLite. */
export const TEST_ENGINE = process.env.ROSTER_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** The PostgreSQL server tests create their databases on. */
export const TEST_POSTGRES_URL = process.env.ROSTER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** A value for `--database`: a SQLite file path or a postgres:// URL. */
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test server: a temp SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(engine: 'sqlite' | 'postgres' = TEST_ENGINE): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'roster-test-'));
    return { url: join(dir, 'roster.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `roster_test_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
