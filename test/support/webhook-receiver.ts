import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import type { DirectoryStore } from '../../src/directory/ports.js';

/**
 * A real HTTP webhook receiver on 127.0.0.1 (node:http), as an app would run one: it records
 * every request (headers, raw body, arrival and answer times), answers each as the test's
 * behaviour for the request's path says (a status, a reset connection, or no answer at all), and
 * counts requests of one `webhook-id` that were in flight at the same time.
 */

/** One request as it arrived. */
export interface Received {
  readonly path: string;
  /** `webhook-id`, `webhook-timestamp` and `webhook-signature`. */
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly headers: Record<string, string>;
  /** The raw body, as the signature covers it. */
  readonly body: string;
  /** The body parsed (the event JSON), or undefined if it is not JSON. */
  readonly event: any;
  readonly arrivedAt: number;
  /** What it was answered: a status, `reset` or `hang`; undefined while the behaviour decides. */
  answer?: number | 'reset' | 'hang';
  answeredAt?: number;
}

/** A status; `reset` destroys the connection; `hang` never answers; `delayMs` holds the answer back. */
export type Answer = number | 'reset' | 'hang' | { readonly status: number; readonly delayMs?: number };

export type Behaviour = (request: Received) => Answer | Promise<Answer>;

export interface Receiver {
  /** The URL of a path on this receiver, e.g. `url('/a')`. */
  url(path: string): string;
  /** How requests to `path` are answered (default: 200). */
  on(path: string, behaviour: Behaviour): void;
  /** Every request so far, in arrival order. */
  readonly requests: readonly Received[];
  /** Requests to `path`, in arrival order. */
  to(path: string): Received[];
  /** Requests to `path` answered 2xx, in the order they were answered. */
  delivered(path: string): Received[];
  /** Deliveries (`<path> <webhook-id>`) seen in flight twice or more at the same moment. */
  readonly overlaps: readonly string[];
  /** Waits until `condition()` holds, or fails after `timeoutMs` saying `what`. */
  waitFor(condition: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const behaviours = new Map<string, Behaviour>();
  const requests: Received[] = [];
  const overlaps: string[] = [];
  const inFlight = new Map<string, number>();
  const sockets = new Set<Socket>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
    let event: any;
    try {
      event = JSON.parse(body);
    } catch {
      event = undefined;
    }
    const path = new URL(request.url ?? '/', 'http://receiver').pathname;
    const received: Received = {
      path,
      id: headers['webhook-id'] ?? '',
      timestamp: headers['webhook-timestamp'] ?? '',
      signature: headers['webhook-signature'] ?? '',
      headers,
      body,
      event,
      arrivedAt: Date.now(),
    };
    requests.push(received);
    // One delivery is one event to one endpoint (path): the same event may go to two endpoints at once.
    const delivery = `${path} ${received.id}`;
    const count = (inFlight.get(delivery) ?? 0) + 1;
    inFlight.set(delivery, count);
    if (count > 1) overlaps.push(delivery);
    // In flight until the exchange ends, however it ends (answered, reset, or the sender gone).
    response.once('close', () => inFlight.set(delivery, (inFlight.get(delivery) ?? 1) - 1));
    let answer: Answer;
    try {
      answer = await (behaviours.get(path) ?? (() => 200))(received);
    } catch (error) {
      process.stderr.write(`webhook receiver: the behaviour for ${path} threw: ${(error as Error).stack}\n`);
      answer = 599;
    }
    if (answer === 'hang') {
      received.answer = 'hang';
      return;
    }
    if (answer === 'reset') {
      received.answer = 'reset';
      received.answeredAt = Date.now();
      request.socket.destroy();
      return;
    }
    const { status, delayMs } = typeof answer === 'number' ? { status: answer, delayMs: 0 } : answer;
    if (delayMs) await sleep(delayMs);
    received.answer = status;
    received.answeredAt = Date.now();
    response.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:9/elsewhere' } : {});
    response.end(status === 204 || status === 304 ? undefined : 'ok');
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  const isOk = (r: Received) => typeof r.answer === 'number' && r.answer >= 200 && r.answer < 300;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    on: (path, behaviour) => behaviours.set(path, behaviour),
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    delivered: (path) =>
      requests.filter((r) => r.path === path && isOk(r)).sort((a, b) => (a.answeredAt as number) - (b.answeredAt as number)),
    overlaps,
    async waitFor(condition, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(20);
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Verifies a request as an app would, with the `standardwebhooks` package (signature over
 * `id.timestamp.body` with the secret, timestamp within five minutes); returns the verified
 * event. Throws if it does not verify.
 */
export function verified(secret: string, request: Received): any {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': request.id,
    'webhook-timestamp': request.timestamp,
    'webhook-signature': request.signature,
  });
}

/**
 * Numbers every event recorded so far (as the server's sequencer would, a moment later). A
 * webhook endpoint is sent the events numbered after it was added: calling this first keeps the
 * events of the test's own setup (creating the workspace) out of it. When another sequencer
 * holds the lock (PostgreSQL), it waits for it and numbers what is left.
 */
export async function numberAllEvents(store: DirectoryStore): Promise<void> {
  for (;;) {
    const done = await store.transaction(async (repos) => {
      if (!(await repos.events.lockSequencer())) return false;
      return (await repos.events.numberPending(1000)).numbered < 1000;
    });
    if (done) return;
    await sleep(10);
  }
}
