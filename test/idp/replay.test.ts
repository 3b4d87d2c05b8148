import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/scim-server.js';
import { ENTRA, idp, ONELOGIN, replay } from './replay.js';

/**
 * Self-check of the replay harness against a plain echo server: the IdP suites rely on it to
 * send no User-Agent (Entra), an empty one (OneLogin) and raw query strings byte for byte.
 */
describe('replay harness', () => {
  let echo: Server;
  let target: TestServer;
  let seen: { url: string; headers: IncomingHttpHeaders; raw: string[]; body: string } | undefined;

  beforeAll(async () => {
    echo = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        seen = { url: request.url ?? '', headers: request.headers, raw: request.rawHeaders, body };
        response.writeHead(200, { 'content-type': 'application/scim+json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const { port } = echo.address() as AddressInfo;
    target = { scimUrl: `http://127.0.0.1:${port}/scim/v2` } as TestServer;
  });
  afterAll(async () => new Promise<void>((resolve) => echo.close(() => resolve())));

  it('Entra profile: no User-Agent header at all, raw query string kept', async () => {
    const send = idp(target, 'tok', ENTRA);
    const response = await send('GET', '/Users?filter=userName+eq+%22a+b%22&');
    expect(response.json).toEqual({ ok: true });
    expect(seen?.url).toBe('/scim/v2/Users?filter=userName+eq+%22a+b%22&');
    expect(seen?.headers['user-agent']).toBeUndefined();
    expect(seen?.headers.authorization).toBe('Bearer tok');
    const names = (seen?.raw ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.sort()).toEqual(['accept', 'authorization', 'connection', 'host']);
  });

  it('OneLogin profile: an empty User-Agent and a trailing ?', async () => {
    const send = idp(target, 'tok', ONELOGIN);
    await send('PUT', '/Users/abc?', { userName: 'x' });
    expect(seen?.url).toBe('/scim/v2/Users/abc?');
    expect(seen?.headers['user-agent']).toBe('');
    expect(seen?.raw).toContain('user-agent');
    expect(seen?.headers['content-type']).toBe('application/scim+json');
    expect(JSON.parse(seen?.body ?? '')).toEqual({ userName: 'x' });
  });

  it('sends no Authorization header without a token, and a raw string body as is', async () => {
    await replay(target, undefined, { method: 'POST', path: '/Users', headers: { 'content-type': 'application/json' }, body: '{"a":1 }' });
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.body).toBe('{"a":1 }');
  });
});
