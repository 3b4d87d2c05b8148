import { afterAll, describe, expect, it } from 'vitest';
import { addAppUser } from '../../src/directory/users/app-users.js';
import { createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import { runCli, tempDatabase } from '../support/cli.js';

const TIMEOUT = 120_000;

/** `roster admin login-link` and `workspace update --login-policy` (docs/cli.md). */
describe('admin CLI', () => {
  const { path, cleanup } = tempDatabase();
  afterAll(() => cleanup());

  it(
    'prints a one-time sign-in link as {"url", "expiresAt"} and refuses unknown users with one line',
    async () => {
      const store = await openStore(path);
      await createWorkspace(store, { slug: 'acme', plan: 'enterprise' });
      await addAppUser(store, 'acme', { email: 'admin@acme.example', givenName: 'Ada', familyName: 'Admin', role: 'Admin' });
      await store.close();
      const [link, missing, policy] = await Promise.all([
        runCli(['admin', 'login-link', 'acme', 'admin@acme.example', '--json', '--database', path], {
          ROSTER_PUBLIC_URL: 'https://roster.example.com',
        }),
        runCli(['admin', 'login-link', 'acme', 'nobody@acme.example', '--database', path]),
        runCli(['workspace', 'update', 'acme', '--login-policy', 'sso_only', '--json', '--database', path]),
      ]);
      expect(link.code, link.stderr).toBe(0);
      const shown = JSON.parse(link.stdout);
      expect(Object.keys(shown).sort()).toEqual(['expiresAt', 'url']);
      expect(shown.url).toMatch(/^https:\/\/roster\.example\.com\/w\/acme\/login\/link\/[A-Za-z0-9_-]{43}$/);
      const minutes = (Date.parse(shown.expiresAt) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(13);
      expect(minutes).toBeLessThanOrEqual(15);
      expect(missing.code).not.toBe(0);
      expect(missing.stdout).toBe('');
      expect(missing.stderr.trim().split('\n')).toEqual(["roster: no user 'nobody@acme.example' in workspace 'acme'"]);
      expect(policy.code, policy.stderr).toBe(0);
      expect(JSON.parse(policy.stdout).loginPolicy).toBe('sso_only');
    },
    TIMEOUT,
  );
});
