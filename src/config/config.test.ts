import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  const load = (env: NodeJS.ProcessEnv) => loadConfig({ database: ':memory:' }, env);

  it('reads the webhook settings, with their defaults', () => {
    expect(load({}).webhooks).toEqual({ allowPrivate: false, retryScale: 1, timeoutMs: 10_000 });
    expect(
      load({ ROSTER_WEBHOOK_TIMEOUT_MS: '30000', ROSTER_WEBHOOK_RETRY_SCALE: '0.001', ROSTER_ALLOW_PRIVATE_WEBHOOKS: '1' }).webhooks,
    ).toEqual({
      allowPrivate: true,
      retryScale: 0.001,
      timeoutMs: 30_000,
    });
  });

  it('refuses a webhook timeout that could outlast the minute a delivery is claimed for, or none at all', () => {
    for (const value of ['0', '30001', '60000', '-5', '1.5', 'soon']) {
      expect(() => load({ ROSTER_WEBHOOK_TIMEOUT_MS: value }), value).toThrow(/ROSTER_WEBHOOK_TIMEOUT_MS|whole number/);
    }
  });
});
