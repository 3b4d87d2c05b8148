import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer } from '../support/scim-server.js';

/**
 * Closing the server lets in-flight requests finish and then closes their connections at once.
 * A keep-alive connection whose request ended after close() started used to stay open for the
 * keep-alive timeout (72 s), and close() waited for it: the host-app suite's server once took
 * 68 s to close in the full suite. `roster serve` swept such connections; the test server did
 * not. The sweep is now the app's own (http/app.ts).
 */
describe('closing the server', () => {
  it('answers a request whose body arrives after close() started, then closes its keep-alive connection promptly', async () => {
    const server = await startServer();
    let closed = false;
    const agent = new Agent({ keepAlive: true });
    try {
      const token = await server.workspace('closing-co');
      const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'late@closing.example' });
      const answered = new Promise<number>((resolve, reject) => {
        const sending = request(
          `${server.scimUrl}/Users`,
          {
            method: 'POST',
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/scim+json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        sending.on('error', reject);
        // Half the body now, the rest once the close has begun.
        sending.write(body.slice(0, 10));
        setTimeout(() => sending.end(body.slice(10)), 700);
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      const closing = server.close().then(() => {
        closed = true;
      });
      expect(await answered).toBe(201);
      await closing;
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      agent.destroy();
      if (!closed) await server.close();
    }
  }, 30_000);
});
