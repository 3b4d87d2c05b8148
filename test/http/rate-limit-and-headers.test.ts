import { beforeAll, describe, expect, it } from 'vitest';
import { type ScimClient, scimClient } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';

describe('rate limiting per token', () => {
  const server = serverForSuite({ ROSTER_RATE_LIMIT: '5', ROSTER_RATE_LIMIT_WINDOW_MS: '60000' });
  let first: ScimClient;
  let second: ScimClient;
  beforeAll(async () => {
    first = scimClient(server, await server.workspace('one'));
    second = scimClient(server, await server.workspace('two'));
  });

  it('answers 429 with Retry-After and a SCIM error once a token used its budget, without touching other tokens', async () => {
    for (let i = 0; i < 5; i++) expect((await first.get('/Users?count=1')).status).toBe(200);
    const limited = await first.get('/Users?count=1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
    expect(limited.body.detail).toContain(limited.headers.get('x-trace-id'));
    expect((await second.get('/Users?count=1')).status).toBe(200);
  });

  it('keys the budget on the authenticated token, so no spelling of the Authorization header gets a fresh budget (issue 13, defect 3)', async () => {
    const token = await server.workspace('spellings');
    const client = scimClient(server, token);
    for (let i = 0; i < 5; i++) expect((await client.get('/Users?count=1')).status).toBe(200);
    expect((await client.get('/Users?count=1')).status).toBe(429);
    for (const authorization of [`bearer ${token}`, `BEARER ${token}`, `Bearer\t${token}`, `Bearer  ${token}`, `Bearer ${token}  `]) {
      const response = await fetch(`${server.scimUrl}/Users?count=1`, { headers: { authorization } });
      expect(response.status, JSON.stringify(authorization)).toBe(429);
    }
  });

  it('does not count requests with a wrong token against anyone', async () => {
    const stranger = scimClient(server, 'roster_scim_wrong');
    for (let i = 0; i < 10; i++) expect((await stranger.get('/Users')).status).toBe(401);
    expect((await second.get('/Users?count=1')).status).toBe(200);
  });
});

describe('security headers', () => {
  const server = serverForSuite();

  it('sends no-sniff, frame denial and a restrictive CSP, and never a stack trace', async () => {
    const response = await fetch(`${server.scimUrl}/Users/x`, { headers: { authorization: 'Bearer nope' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });
});
