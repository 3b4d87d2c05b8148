import pg from 'pg';
import { defineConfig } from 'vitest/config';

const POSTGRES_URL = process.env.ROSTER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Whether the PostgreSQL the test suite creates its databases on answers. */
async function postgresReachable(): Promise<boolean> {
  if (process.env.ROSTER_TEST_POSTGRES === '0') return false;
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
};

/**
 * The whole suite runs on SQLite; the storage-dependent part (HTTP, rules, IdP replays, the
 * storage conformance suite) runs again on PostgreSQL when one is reachable.
 */
export default defineConfig(async () => {
  const withPostgres = await postgresReachable();
  if (!withPostgres) {
    process.stdout.write(`\nPostgreSQL is not reachable at ${POSTGRES_URL}: the PostgreSQL suite was skipped.\n\n`);
  }
  return {
    test: {
      projects: [
        {
          test: {
            ...shared,
            name: 'sqlite',
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            exclude: ['test/postgres/**', 'test/browser/**'],
          },
        },
        // The console in Debian's Chromium against a real OpenID provider: one file at a time.
        {
          test: {
            ...shared,
            name: 'browser',
            include: ['test/browser/**/*.test.ts'],
            fileParallelism: false,
            testTimeout: 90_000,
            hookTimeout: 120_000,
          },
        },
        ...(withPostgres
          ? [
              {
                test: {
                  ...shared,
                  name: 'postgres',
                  include: [
                    'test/http/**/*.test.ts',
                    'test/rules/**/*.test.ts',
                    'test/idp/**/*.test.ts',
                    'test/storage/**/*.test.ts',
                    'test/directory/**/*.test.ts',
                    'test/postgres/**/*.test.ts',
                    // The CLI commands that take hostile input and write to the store (issue 15).
                    'test/cli/webhook-cli.test.ts',
                  ],
                  env: { ROSTER_TEST_ENGINE: 'postgres', ROSTER_TEST_POSTGRES_URL: POSTGRES_URL },
                },
              },
            ]
          : []),
      ],
    },
  };
});
