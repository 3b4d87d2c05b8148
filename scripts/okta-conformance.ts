/**
 * Runs Okta's published SCIM 2.0 spec test (../shared/conformance/okta) against a real Roster
 * server on a fresh SQLite database. Exits with the runner's status.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeApp } from '../src/app/compose.js';
import { loadConfig } from '../src/config/config.js';
import { enableScim } from '../src/directory/integrations/scim-integration.js';
import { addAppUser } from '../src/directory/users/app-users.js';
import { configureSso, createWorkspace } from '../src/directory/workspaces/workspaces.js';
import { openStore } from '../src/storage/open-store.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const suiteDir = process.env.ROSTER_OKTA_SUITE_DIR ?? resolve(root, '../shared/conformance/okta');
const runner = join(suiteDir, 'run-runscope.mjs');
if (!existsSync(runner)) {
  console.error(`Okta spec test not found at ${suiteDir} (set ROSTER_OKTA_SUITE_DIR)`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'roster-okta-'));
const database = join(dir, 'roster.db');
const store = await openStore(database);
await createWorkspace(store, { slug: 'okta-spec', plan: 'enterprise', seats: 100 });
await configureSso(store, 'okta-spec', { issuer: 'https://okta.example.com', clientId: 'roster', clientSecret: 'secret' });
await addAppUser(store, 'okta-spec', { email: 'existing.user@example.com', givenName: 'Existing', familyName: 'User' });
const { token } = await enableScim(store, 'okta-spec', 'okta');

const probe = await composeApp({ store, config: loadConfig({ database, port: 0 }) });
await probe.listen({ host: '127.0.0.1', port: 0 });
const port = (probe.server.address() as { port: number }).port;
await probe.close();
const config = loadConfig({ database, port }, { ...process.env, ROSTER_PUBLIC_URL: `http://127.0.0.1:${port}` });
const app = await composeApp({ store, config });
await app.listen({ host: '127.0.0.1', port });

// The runner runs as a child process: this process keeps serving its requests meanwhile.
const status = await new Promise<number>((done) => {
  const child = spawn(
    process.execPath,
    [
      runner,
      join(suiteDir, 'Okta-SCIM-20-SPEC-Test.json'),
      '--var',
      `SCIMBaseURL=http://127.0.0.1:${port}/scim/v2`,
      '--var',
      `auth=Bearer ${token}`,
    ],
    { stdio: 'inherit' },
  );
  child.on('exit', (code) => done(code ?? 1));
});
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
process.exit(status);
