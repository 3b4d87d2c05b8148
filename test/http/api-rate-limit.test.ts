import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/directory/api-keys/api-keys.js';
import { serverForSuite } from '../support/suite-setup.js';

/**
 * The application API's per-key rate limit (docs/api.md, ROSTER_API_RATE_LIMIT): the budget is the
 * key's (its id, after authentication), so every spelling of the Authorization header spends the
 * same budget, and another key, of the same workspace or of the instance, has its own.
 */
describe('the /api/v1 rate limit is per API key', () => {
  const LIMIT = 5;
  const server = serverForSuite({ ROSTER_API_RATE_LIMIT: String(LIMIT) });

  const get = async (authorization: string, path = '/workspaces') => {
    const response = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization } });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  it('spends one budget across header spellings, answers 429 past it, and leaves other keys alone', async () => {
    await server.workspace('limited-co');
    const key = (await createApiKey(server.store, 'limited-co', 'limited')).key;
    const sibling = (await createApiKey(server.store, 'limited-co', 'sibling')).key;
    const instance = (await createApiKey(server.store, undefined, 'host')).key;
    const spellings = [`Bearer ${key}`, `bearer ${key}`, `BEARER ${key}`, `Bearer\t${key}`, `Bearer   ${key}  `];
    expect(spellings).toHaveLength(LIMIT);
    for (const [n, authorization] of spellings.entries()) {
      const answer = await get(authorization, n % 2 ? '/events' : '/workspaces');
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
    for (const authorization of [`bEaReR ${key}`, `Bearer ${key}`]) {
      const refused = await get(authorization);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ error: 'rate_limited', message: expect.stringContaining(String(LIMIT)) });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another key of the same workspace, and an instance key, each have their own budget.
    for (let i = 0; i < LIMIT; i++) {
      expect((await get(`Bearer ${sibling}`)).status).toBe(200);
      expect((await get(`bearer ${instance}`, '/events')).status).toBe(200);
    }
    expect((await get(`Bearer ${sibling}`)).status).toBe(429);
    expect((await get(`Bearer ${instance}`)).status).toBe(429);
    // Requests without a valid key are refused before they could spend anyone's budget.
    expect((await get(`Bearer ${key.slice(0, -1)}x`)).status).toBe(401);
  });
});
