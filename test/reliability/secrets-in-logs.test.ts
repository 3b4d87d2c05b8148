import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { configureSso } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import {
  cleanUp,
  engineCases,
  freshDatabase,
  PATCH_SCHEMA,
  type RosterProcess,
  report,
  scimFetch,
  setUpWorkspace,
  startRoster,
  USER_SCHEMA,
} from './reliability-support.js';

/**
 * `roster serve` at the most verbose log level (trace), as an operator might run it while
 * debugging, never writes a secret to its output: not the bearer token (valid, mistyped or
 * revoked), not the SSO client secret, not the SMTP password in ROSTER_SMTP_URL, not the
 * PostgreSQL password in the database URL. The run goes through the paths that log: start-up,
 * successful and refused requests, malformed bodies, outbox delivery (with the SMTP server
 * going away and coming back) and shutdown. The outbox's stored delivery errors must not hold
 * the SMTP password either.
 */
const ENGINES = await engineCases();

describe('secrets never reach the logs of roster serve', () => {
  for (const { engine, skip, title } of ENGINES) {
    it.skipIf(skip)(
      `${title}: token, SSO client secret, SMTP password and database password stay out of a trace-level log`,
      async () => {
        const database = await freshDatabase(engine);
        const ssoSecret = `sso-secret-${randomBytes(8).toString('hex')}`;
        const smtpPassword = `smtp-password-${randomBytes(8).toString('hex')}`;
        const dbPassword = `db-password-${randomBytes(8).toString('hex')}`;
        let server: RosterProcess | undefined;
        let sink: SmtpSink | undefined;
        try {
          const fixture = await setUpWorkspace(database.url, 'secrets');
          let store = await openStore(database.url);
          await configureSso(store, 'secrets', { issuer: 'https://idp.example.com', clientId: 'roster', clientSecret: ssoSecret });
          await store.close();
          // PostgreSQL runs with trust authentication here: the password in the URL is accepted and unused.
          let databaseArg = database.url;
          if (engine === 'postgres') {
            const url = new URL(database.url);
            url.password = dbPassword;
            databaseArg = url.toString();
          }
          sink = await startSmtpSink();
          server = await startRoster(databaseArg, {
            ROSTER_LOG_LEVEL: 'trace',
            ROSTER_SMTP_URL: `smtp://roster:${smtpPassword}@127.0.0.1:${sink.port}`,
          });
          const call = scimFetch(server.scimUrl, fixture.token);
          const wrong = scimFetch(server.scimUrl, `${fixture.token.slice(0, -1)}${fixture.token.endsWith('A') ? 'B' : 'A'}`);

          const created = await call('POST', '/Users', {
            schemas: [USER_SCHEMA],
            userName: 'secrets@example.com',
            emails: [{ value: 'secrets@example.com', type: 'work', primary: true }],
          });
          expect(created.status).toBe(201);
          const id = (created.body as { id: string }).id;
          expect((await wrong('GET', '/Users')).status).toBe(401);
          expect((await call('GET', '/Users', undefined, { authorization: `Basic ${fixture.token}` })).status).toBe(401);
          const malformed = await fetch(`${server.scimUrl}/Users`, {
            method: 'POST',
            headers: { authorization: `Bearer ${fixture.token}`, 'content-type': 'application/scim+json' },
            body: `{"userName": "x", "password": "${fixture.token}"`,
          });
          await malformed.arrayBuffer();
          expect(malformed.status).toBe(400);
          expect((await call('GET', '/Users?filter=userName%20eq')).status).toBe(400);

          // Two reactivation notices: one while the SMTP server is down (a delivery error), one after it is back.
          const cycle = async () => {
            for (const active of [false, true]) {
              const patched = await call('PATCH', `/Users/${id}`, {
                schemas: [PATCH_SCHEMA],
                Operations: [{ op: 'replace', path: 'active', value: active }],
              });
              expect(patched.status).toBeLessThan(300);
            }
          };
          await sink.stop();
          await cycle();
          await sleep(2_500); // the dispatcher runs every second: at least one failed attempt
          await sink.start();
          await cycle();
          const deadline = Date.now() + 15_000;
          while (sink.messages.length === 0 && Date.now() < deadline) await sleep(200);
          expect(sink.messages.length, 'mail delivered after the SMTP server came back').toBeGreaterThan(0);

          expect(await server.stop()).toEqual({ code: 0, signal: null });
          const output = server.output();
          const lines = output.split('\n').filter((line) => line.trim() !== '');
          // The log is really at trace level and covers start-up and shutdown, so the checks below can fail.
          expect(output).toContain('roster is ready');
          expect(output).toContain('shutting down');
          expect(lines.length).toBeGreaterThan(2);
          // On PostgreSQL the start-up line names the database URL: with its password masked.
          if (engine === 'postgres') expect(output).toContain(new URL(database.url).pathname.slice(1));
          const secrets: Record<string, string> = {
            'the bearer token': fixture.token,
            "the bearer token's secret part": fixture.token.slice(-43),
            'the SSO client secret': ssoSecret,
            'the SMTP password': smtpPassword,
            'the database password': dbPassword,
          };
          for (const [what, secret] of Object.entries(secrets)) expect(output.includes(secret), `${what} in the log`).toBe(false);

          store = await openStore(database.url);
          const outbox = await store.read.outbox.list(fixture.workspaceId, 100);
          await store.close();
          const errors = outbox.map((m) => m.lastError ?? '').filter((e) => e !== '');
          expect(errors.length, 'a delivery error was recorded while the SMTP server was down').toBeGreaterThan(0);
          for (const error of errors)
            expect(error.includes(smtpPassword), `the SMTP password in a stored delivery error: ${error}`).toBe(false);
          report(
            `secrets-in-logs ${engine}: ${lines.length} log lines at trace level, ${outbox.length} notices (${errors.length} with a stored delivery error), ` +
              `no token, SSO secret, SMTP password or database password in them`,
          );
        } finally {
          await cleanUp(
            () => server?.stop(),
            () => sink?.stop(),
            () => database.drop(),
          );
        }
      },
      60_000,
    );
  }
});
