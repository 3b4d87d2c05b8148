import { describe, expect, it } from 'vitest';
import type { EventContext } from '../../src/directory/events/event-model.js';
import { authenticate, disableScim, enableScim, readAudit, rotateToken } from '../../src/directory/integrations/scim-integration.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { storePerTest } from '../support/store-per-test.js';

/** What a CLI command or a console admin runs for. */
const by = (type: 'cli' | 'console', name: string): EventContext => ({
  actor: type === 'cli' ? { type, user: name } : { type, email: name },
  traceId: null,
});

describe('audit log of SCIM access', () => {
  const store = storePerTest();

  /** An enterprise workspace with SSO configured: what enabling SCIM needs. */
  async function enterpriseWithSso(slug: string): Promise<void> {
    await createWorkspace(store(), { slug, plan: 'enterprise' });
    await configureSso(store(), slug, { issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' });
  }

  it('records enable, token creation, rotation and disable with the actor, never the token', async () => {
    await enterpriseWithSso('acme');
    const first = await enableScim(store(), 'acme', 'okta', by('cli', 'alice'));
    const second = await rotateToken(store(), 'acme', by('cli', 'bob'));
    await disableScim(store(), 'acme', by('cli', 'carol'));
    const entries = await readAudit(store(), 'acme');
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
    await createWorkspace(store(), { slug: 'small', plan: 'standard' });
    await expect(enableScim(store(), 'small', 'okta', by('cli', 'alice'))).rejects.toMatchObject({ code: 'notEnterprise' });
    await expect(rotateToken(store(), 'small', by('cli', 'alice'))).rejects.toMatchObject({ code: 'scimNotEnabled' });
    expect(await readAudit(store(), 'small')).toEqual([]);
  });

  it('refuses to replace an integration when asked not to, keeping its token and writing nothing', async () => {
    await enterpriseWithSso('acme');
    const first = await enableScim(store(), 'acme', 'okta', by('console', 'ada'));
    const before = await readAudit(store(), 'acme');
    await expect(enableScim(store(), 'acme', 'azure', by('console', 'ada'), { replace: false })).rejects.toMatchObject({
      code: 'scimAlreadyEnabled',
    });
    expect((await authenticate(store(), first.token))?.slug).toBe('acme');
    expect(await readAudit(store(), 'acme')).toEqual(before);
  });
});
