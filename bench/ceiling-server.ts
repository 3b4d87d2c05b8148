/**
 * The ceiling: a bare Fastify server answering every GET with one fixed JSON body (the same
 * size as a typical SCIM user response), serialised per request as a plain Fastify route does.
 * Roster's numbers are reported as a ratio to this server's, measured on the same machine in
 * the same run by the same client.
 *
 *   node --import tsx bench/ceiling-server.ts <port> <body.json>
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [portText, bodyFile] = process.argv.slice(2);
if (!portText || !bodyFile) {
  process.stderr.write('usage: ceiling-server.ts <port> <body.json>\n');
  process.exit(2);
}
const body = JSON.parse(readFileSync(bodyFile, 'utf8')) as Record<string, unknown>;
const app = Fastify({ logger: false });
app.get('/*', async (_request, reply) => reply.type('application/scim+json').send(body));
await app.listen({ host: '127.0.0.1', port: Number(portText) });
process.stdout.write('ready\n');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
