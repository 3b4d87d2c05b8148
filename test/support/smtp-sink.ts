import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the sink received it. */
export interface ReceivedMail {
  readonly from: string | undefined;
  readonly to: string[];
  readonly raw: string;
  /** Header value by lower-case name (first occurrence, unfolded). */
  header(name: string): string | undefined;
}

export interface SmtpSink {
  /** The port; stays the same across stop() and start(). */
  readonly port: number;
  readonly url: string;
  readonly messages: ReceivedMail[];
  /** Stops accepting connections (the port is then closed: clients get ECONNREFUSED). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

function parseHeaders(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * A real SMTP server on 127.0.0.1 that accepts every message (no TLS, no authentication) and
 * collects it, for tests of outbox delivery.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  let server: SMTPServer | undefined;

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 200,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const headers = parseHeaders(raw);
          const mailFrom = session.envelope.mailFrom;
          messages.push({
            from: mailFrom ? mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            header: (name) => headers.get(name.toLowerCase()),
          });
          callback();
        });
      },
    });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = create();
      server.on('error', reject);
      const net = server.listen(port, '127.0.0.1', () => resolve((net.address() as AddressInfo).port));
    });

  const port = await listen(0);
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async stop() {
      const current = server;
      server = undefined;
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    async start() {
      if (server) return;
      await listen(port);
    },
  };
}
