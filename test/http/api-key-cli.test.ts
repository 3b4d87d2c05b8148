import { describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../support/cli.js';
import { serverForSuite } from '../support/suite-setup.js';

/**
 * `roster api-key create|list|revoke` (issue 15, docs/cli.md) against a running server's database,
 * on both engines (test/http runs in the sqlite and the postgres projects): the output contract,
 * what a key may read over /api/v1 (its workspace only), and that a revoked key is refused at
 * once by the running server. Refusals exit with the statuses of docs/cli.md and one line.
 */
describe('roster api-key', () => {
  const server = serverForSuite();
  const cli = (...args: string[]) => runCli([...args, '--json', '--database', server.database]);
  const json = (result: CliResult): any => {
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };
  const failure = (result: CliResult, code: number): string => {
    expect(result.code, result.stdout + result.stderr).toBe(code);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    return lines[0] as string;
  };
  const api = async (key: string, path: string) =>
    (await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } })).status;

  it('create, list and revoke keep their contract; a key reads its workspace only; a revoked key is refused at once', async () => {
    await server.workspace('keys-a');
    await server.workspace('keys-b');
    const [a, instance, unknown, tooLong] = await Promise.all([
      cli('api-key', 'create', '--workspace', 'keys-a', '--name', '  a app  '),
      cli('api-key', 'create'),
      cli('api-key', 'create', '--workspace', 'no-such-workspace'),
      cli('api-key', 'create', '--workspace', 'keys-a', '--name', 'x'.repeat(101)),
    ]);
    const keyA = json(a);
    expect(Object.keys(keyA).sort()).toEqual(['id', 'key', 'name', 'workspace']);
    expect(keyA).toMatchObject({ workspace: 'keys-a', name: 'a app' });
    expect(keyA.key).toMatch(/^roster_key_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    const keyAll = json(instance);
    expect(keyAll).toMatchObject({ workspace: null, name: 'instance key' });
    expect(failure(unknown, 3)).toMatch(/no-such-workspace/);
    expect(failure(tooLong, 6)).toMatch(/100 characters/);

    // A workspace key reads its workspace; the other workspace does not exist for it. The instance key reads both.
    expect(await api(keyA.key, '/workspaces/keys-a/users')).toBe(200);
    expect(await api(keyA.key, '/workspaces/keys-b/users')).toBe(404);
    expect(await api(keyAll.key, '/workspaces/keys-b/users')).toBe(200);

    const listed = json(await cli('api-key', 'list'));
    expect(listed.map((k: any) => k.id).sort()).toEqual([keyA.id, keyAll.id].sort());
    for (const entry of listed) {
      expect(Object.keys(entry).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'workspace']);
      expect(JSON.stringify(entry)).not.toContain('roster_key_');
    }
    expect(listed.find((k: any) => k.id === keyA.id).lastUsedAt).toEqual(expect.any(String));
    expect(json(await cli('api-key', 'list', '--workspace', 'keys-a')).map((k: any) => k.id)).toEqual([keyA.id]);

    const revoked = json(await cli('api-key', 'revoke', keyA.id));
    expect(revoked).toMatchObject({ id: keyA.id, workspace: 'keys-a', revokedAt: expect.any(String) });
    expect(await api(keyA.key, '/workspaces/keys-a/users')).toBe(401);
    expect(await api(keyAll.key, '/workspaces/keys-a/users')).toBe(200);
    const [again, bogus] = await Promise.all([cli('api-key', 'revoke', keyA.id), cli('api-key', 'revoke', "x' or '1'='1")]);
    expect(failure(again, 6)).toMatch(/no live API key/);
    expect(failure(bogus, 6)).toMatch(/no live API key/);
    // Nothing else was revoked by the hostile id.
    expect(json(await cli('api-key', 'list')).find((k: any) => k.id === keyAll.id).revokedAt).toBeNull();
  }, 120_000);
});
