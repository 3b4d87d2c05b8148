import { describe, it } from 'vitest';
import type { OutboxMessage } from '../../src/directory/model.js';
import { type Mailer, OutboxDispatcher } from '../../src/directory/outbox/outbox.js';
import { addAppUser, setUserActive } from '../../src/directory/users/app-users.js';
import { smtpMailer } from '../../src/mail/smtp-mailer.js';
import { openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { cleanUp, engineCases, freshDatabase, prng, report, SEED, scale, setUpWorkspace, timeoutMs } from './reliability-support.js';

/**
 * The SMTP outbox across SMTP outages and restarts (issue 7; src/directory/outbox.ts): N
 * reactivation notices are queued, delivery fails while the SMTP server is down (the failures
 * are recorded), the store is closed and reopened (a restart) — in LONG mode again and again,
 * with the SMTP server flapping between rounds — and once SMTP is back exactly N messages
 * arrive: one per user, none twice. Then the one documented duplicate: a dispatcher that dies
 * between the SMTP send and markSent sends the message again after its claim expires, with the
 * same Message-ID, so a receiver can drop the copy.
 *
 * SHORT: 24 notices, 2 outage rounds, 6 flapping steps; LONG (ROSTER_RELIABILITY=long): 300
 * notices, 7 outage rounds (the retry delay doubles up to its one-hour cap), 40 flapping steps.
 */
const NOTICES = scale(24, 300);
const OUTAGE_ROUNDS = scale(2, 7);
const FLAPPING_STEPS = scale(6, 40);
const DOMAIN = 'roster.test';
const FROM = 'Roster <noreply@roster.test>';
const HOUR = 3_600_000;

const ENGINES = await engineCases();

/** Message-IDs of received mail, counted. */
function messageIds(mail: readonly ReceivedMail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of mail) {
    const id = m.header('message-id') ?? '(none)';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('SMTP outbox across outages and restarts', () => {
  for (const { engine, skip, title } of ENGINES) {
    it.skipIf(skip).concurrent(
      `${title}: delivers ${NOTICES} queued notices exactly once after ${OUTAGE_ROUNDS} outage rounds and restarts`,
      async ({ expect }) => {
        const random = prng(SEED + (engine === 'sqlite' ? 21 : 22));
        const database = await freshDatabase(engine);
        const fixture = await setUpWorkspace(database.url, 'outbox', NOTICES + 10);
        let store: SqlStore = await openStore(database.url);
        const sink: SmtpSink = await startSmtpSink();
        try {
          // N users deactivated and reactivated by an admin: N reactivation notices queued.
          const emails: string[] = [];
          for (let i = 0; i < NOTICES; i++) {
            const email = `person${i}@outbox.example.com`;
            await addAppUser(store, fixture.slug, { email, givenName: 'Person', familyName: `${i}` });
            await setUserActive(store, fixture.slug, email, false);
            await setUserActive(store, fixture.slug, email, true);
            emails.push(email);
          }
          const outbox = (): Promise<OutboxMessage[]> => store.read.outbox.list(fixture.workspaceId, 100_000);
          const queued = await outbox();
          expect(queued).toHaveLength(NOTICES);
          expect(new Set(queued.map((m) => m.recipient))).toEqual(new Set(emails));
          expect(queued.every((m) => m.sentAt === null && m.attempts === 0)).toBe(true);

          const dispatcher = () => new OutboxDispatcher(store, smtpMailer(sink.url, FROM), DOMAIN);
          /** Delivery rounds until one sends nothing and nothing more is due at `now`; returns how many were sent. */
          const drain = async (now: Date): Promise<number> => {
            let sent = 0;
            for (let round = 0; round < 10 * NOTICES; round++) {
              const due = (await outbox()).filter((m) => m.sentAt === null && Date.parse(m.nextAttemptAt) <= now.getTime());
              if (due.length === 0) return sent;
              sent += await dispatcher().deliverDue(now);
            }
            throw new Error('delivery did not settle');
          };
          const restart = async () => {
            await store.close();
            store = await openStore(database.url);
          };

          // Outage: SMTP down. Every message is attempted, fails, and the failure is recorded.
          await sink.stop();
          let clock = Date.now();
          for (let round = 1; round <= OUTAGE_ROUNDS; round++) {
            expect(await drain(new Date(clock)), `outage round ${round} sent something`).toBe(0);
            const failed = await outbox();
            for (const m of failed) {
              expect(m.sentAt, m.recipient).toBeNull();
              expect(m.attempts, m.recipient).toBe(round);
              expect(m.lastError, m.recipient).toEqual(expect.any(String));
            }
            await restart();
            clock = Math.max(...failed.map((m) => Date.parse(m.nextAttemptAt))) + 1000;
          }
          expect(sink.messages).toHaveLength(0);

          // SMTP is back, but flaps: delivery rounds interleaved with outages and restarts (more in LONG mode).
          await sink.start();
          let sent = 0;
          let restarts = OUTAGE_ROUNDS;
          let flaps = 0;
          for (let step = 0; step < FLAPPING_STEPS; step++) {
            const pending = (await outbox()).filter((m) => m.sentAt === null);
            if (pending.length === 0) break;
            // One round (at most 20 messages) with SMTP up, then maybe an outage round, then maybe a restart.
            sent += await dispatcher().deliverDue(new Date(clock));
            if (random() < 0.5) {
              await sink.stop();
              flaps++;
              expect(await dispatcher().deliverDue(new Date(clock))).toBe(0);
              await sink.start();
            }
            if (random() < 0.5) {
              await restart();
              restarts++;
            }
            clock += 2 * HOUR; // past every retry delay (at most one hour)
          }
          sent += await drain(new Date(clock + 2 * HOUR));

          const final = await outbox();
          const unsent = final.filter((m) => m.sentAt === null);
          expect(unsent.map((m) => m.recipient)).toEqual([]);
          expect(sent).toBe(NOTICES);
          // Exactly one message per user, none twice, each with its outbox id as Message-ID.
          expect(sink.messages).toHaveLength(NOTICES);
          expect(sink.messages.map((m) => m.to[0]).sort()).toEqual([...emails].sort());
          const ids = messageIds(sink.messages);
          expect([...ids.values()].every((n) => n === 1)).toBe(true);
          expect(new Set(ids.keys())).toEqual(new Set(final.map((m) => `<${m.id}@${DOMAIN}>`)));
          for (const m of final) {
            const mail = sink.messages.find((r) => r.header('message-id') === `<${m.id}@${DOMAIN}>`);
            expect(mail?.to, m.id).toEqual([m.recipient]);
            expect(m.lastError).toBeNull();
          }
          // Nothing is ever sent again.
          await restart();
          expect(await dispatcher().deliverDue(new Date(clock + 30 * 24 * HOUR))).toBe(0);
          expect(sink.messages).toHaveLength(NOTICES);
          const attempts = final.reduce((n, m) => n + m.attempts, 0);
          report(
            `outbox-outage ${engine}: ${NOTICES} notices, ${OUTAGE_ROUNDS} outage rounds, ${flaps} SMTP flaps, ${restarts} restarts, ` +
              `${attempts} delivery attempts → ${sink.messages.length} messages delivered, ${ids.size} distinct Message-IDs, 0 duplicates`,
          );
        } finally {
          await cleanUp(
            () => sink.stop(),
            () => store.close(),
            () => database.drop(),
          );
        }
      },
      timeoutMs(60_000, 600_000),
    );

    it.skipIf(skip).concurrent(
      `${title}: a dispatcher that dies between the SMTP send and markSent: the resend carries the same Message-ID (at-least-once)`,
      async ({ expect }) => {
        const database = await freshDatabase(engine);
        const fixture = await setUpWorkspace(database.url, 'outbox-crash', 10);
        let store: SqlStore = await openStore(database.url);
        const sink = await startSmtpSink();
        try {
          await addAppUser(store, fixture.slug, { email: 'crash@outbox.example.com', givenName: 'Crash', familyName: 'Test' });
          await setUserActive(store, fixture.slug, 'crash@outbox.example.com', false);
          await setUserActive(store, fixture.slug, 'crash@outbox.example.com', true);
          const [queued] = (await store.read.outbox.list(fixture.workspaceId, 10)) as [OutboxMessage];
          expect(queued.sentAt).toBeNull();

          // The process "dies" right after the SMTP server accepted the message: markSent never runs.
          const real = smtpMailer(sink.url, FROM);
          let delivered: () => void = () => undefined;
          const sentOnce = new Promise<void>((resolve) => {
            delivered = resolve;
          });
          const dying: Mailer = {
            async send(message) {
              await real.send(message);
              delivered();
              await new Promise<never>(() => undefined); // never returns: the dispatcher is gone
            },
          };
          const now = new Date();
          void new OutboxDispatcher(store, dying, DOMAIN).deliverDue(now);
          await sentOnce;
          expect(sink.messages).toHaveLength(1);

          // Restart: the message is still unsent and claimed for a minute by the dead dispatcher.
          await store.close();
          store = await openStore(database.url);
          const [afterCrash] = (await store.read.outbox.list(fixture.workspaceId, 10)) as [OutboxMessage];
          expect(afterCrash.sentAt).toBeNull();
          const dispatcher = new OutboxDispatcher(store, smtpMailer(sink.url, FROM), DOMAIN);
          expect(await dispatcher.deliverDue(new Date(now.getTime() + 30_000)), 'resent while still claimed').toBe(0);
          expect(await dispatcher.deliverDue(new Date(now.getTime() + 61_000)), 'resent once the claim expired').toBe(1);
          expect(await dispatcher.deliverDue(new Date(now.getTime() + 24 * HOUR))).toBe(0);

          // Two copies reached the receiver — the documented at-least-once case — with one Message-ID.
          expect(sink.messages).toHaveLength(2);
          const [first, second] = sink.messages as [ReceivedMail, ReceivedMail];
          expect(first.header('message-id')).toBe(`<${queued.id}@${DOMAIN}>`);
          expect(second.header('message-id')).toBe(first.header('message-id'));
          expect(second.to).toEqual(first.to);
          expect(second.header('subject')).toBe(first.header('subject'));
          const [sent] = (await store.read.outbox.list(fixture.workspaceId, 10)) as [OutboxMessage];
          expect(sent.sentAt).not.toBeNull();
          report(`outbox-outage ${engine}: crash between send and markSent → 2 deliveries, both Message-ID ${first.header('message-id')}`);
        } finally {
          await cleanUp(
            () => sink.stop(),
            () => store.close(),
            () => database.drop(),
          );
        }
      },
      timeoutMs(30_000, 60_000),
    );
  }
});
