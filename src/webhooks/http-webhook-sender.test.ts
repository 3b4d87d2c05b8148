import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from './http-webhook-sender.js';
import { newSigningSecret, sign } from './standard-webhooks.js';

/**
 * The HTTP sender (issue 15 §3): Standard Webhooks headers any of its libraries verify, and the
 * address policy applied when connecting, not only when a URL is added: with private webhooks
 * not allowed, a send to a loopback address or to a name resolving to one never reaches it.
 */
describe('HttpWebhookSender', () => {
  let server: Server;
  let port = 0;
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let answer: (response: import('node:http').ServerResponse) => void = (response) => response.writeHead(204).end();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        answer(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const message = (url: string, secret = newSigningSecret()) => ({
    url,
    secret,
    id: 'evt_0123456789abcdef0123456789abcdef',
    body: '{"id":"evt_0123456789abcdef0123456789abcdef","type":"user.created","data":{"é":"ü"}}',
  });

  it('POSTs the body with webhook-id, webhook-timestamp and a v1 signature the standardwebhooks package verifies', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 2000 });
    const sent = message(`http://127.0.0.1:${port}/hook`, sender.newSecret());
    expect(sent.secret).toMatch(/^whsec_/);
    const before = received.length;
    expect(await sender.send(sent)).toEqual({ status: 204, error: undefined });
    const request = received[before];
    expect(request?.body).toBe(sent.body);
    expect(request?.headers['webhook-id']).toBe(sent.id);
    expect(request?.headers['content-type']).toBe('application/json');
    const headers = {
      'webhook-id': String(request?.headers['webhook-id']),
      'webhook-timestamp': String(request?.headers['webhook-timestamp']),
      'webhook-signature': String(request?.headers['webhook-signature']),
    };
    expect(new Webhook(sent.secret).verify(request?.body as string, headers)).toEqual(JSON.parse(sent.body));
    // The package's own signer agrees with ours byte for byte.
    const timestamp = Number(headers['webhook-timestamp']);
    expect(new Webhook(sent.secret).sign(sent.id, new Date(timestamp * 1000), sent.body)).toBe(
      sign(sent.secret, sent.id, timestamp, sent.body),
    );
    expect(() => new Webhook(newSigningSecret()).verify(request?.body as string, headers)).toThrow();
  });

  it('refuses at connect time to send to a loopback address or a name resolving to one, unless private webhooks are allowed', async () => {
    const strict = new HttpWebhookSender({ allowPrivate: false, timeoutMs: 2000 });
    const before = received.length;
    // The URL was never checked by checkUrl (as if it had resolved to a public address when it was added).
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]']) {
      const answered = await strict.send(message(`http://${host}:${port}/hook`));
      expect(answered.status, host).toBeUndefined();
      expect(answered.error, host).toMatch(/not a public address|resolves to/);
    }
    expect(received.length).toBe(before);
    // The same sends, allowed, arrive.
    const open = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 2000 });
    expect((await open.send(message(`http://localhost:${port}/hook`))).status).toBe(204);
    expect(received.length).toBe(before + 1);
  });

  it('gives up on an answer that does not come within the timeout, and does not follow redirects', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 300 });
    answer = () => undefined; // never answers
    const started = Date.now();
    expect(await sender.send(message(`http://127.0.0.1:${port}/slow`))).toEqual({
      status: undefined,
      error: 'no answer within the timeout',
    });
    expect(Date.now() - started).toBeLessThan(2000);
    answer = (response) => response.writeHead(307, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
    const before = received.length;
    expect((await sender.send(message(`http://127.0.0.1:${port}/moved`))).status).toBe(307);
    expect(received.length).toBe(before + 1);
  });
});
