import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import type { OutboxMessage } from '../../src/directory/model.js';
import { OutboxDispatcher } from '../../src/directory/outbox/outbox.js';
import { addAppUser, setUserActive } from '../../src/directory/users/app-users.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { smtpMailer } from '../../src/mail/smtp-mailer.js';
import { openStore } from '../../src/storage/open-store.js';
import { type ScimClient, scimClient, type TestServer } from '../support/scim-server.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createUser, expectStatus, getUser, type Json, newUser, patchOps, runCli } from './rules-support.js';

/**
 * The article: "When importing new users to awork, they won't receive an invitation" and "If a
 * user is reactivated by the admin, this person will receive an e-mail informing them of the
 * reactivation." Mail is queued in an outbox in the same transaction and delivered over SMTP.
 */
describe('reactivation notices (outbox)', () => {
  let db: TestDatabase;
  let database: string;
  let store: Awaited<ReturnType<typeof openStore>>;
  let app: FastifyInstance;
  let scim: ScimClient;
  let workspaceId: string;
  let scimUrl: string;
  const slug = 'outbox';

  beforeAll(async () => {
    // A database of the engine under test, so the CLI below reads the same one.
    db = await createTestDatabase();
    database = db.url;
    store = await openStore(database);
    workspaceId = (await createWorkspace(store, { slug, name: 'Outbox Inc', plan: 'enterprise', seats: 100 })).id;
    await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: 'id', clientSecret: 'secret' });
    const { token } = await enableScim(store, slug, 'generic');
    app = await composeApp({ store, config: loadConfig({ database, port: 0 }, {}) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    scimUrl = `http://127.0.0.1:${port}/scim/v2`;
    scim = scimClient({ scimUrl } as TestServer, token);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await db.drop();
  });

  const outbox = (): Promise<OutboxMessage[]> => store.read.outbox.list(workspaceId, 1000);
  const outboxFor = async (recipient: string) => (await outbox()).filter((m) => m.recipient === recipient);
  const setActive = (id: string, active: unknown) => scim.patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'active', value: active }));

  describe('queueing', () => {
    it('imported users get no mail: create, match and update queue nothing', async () => {
      await createUser(scim, newUser('imported@example.com'));
      await createUser(scim, newUser('imported-idle@example.com', { active: false }));
      const existing = await addAppUser(store, slug, { email: 'existing@example.com', givenName: 'E', familyName: 'X' });
      const matched = await scim.post('/Users', newUser('existing@example.com', { active: true }));
      expectStatus(matched, 201);
      expect(matched.body.id).toBe(existing.id);
      expectStatus(await scim.patch(`/Users/${existing.id}`, patchOps({ op: 'replace', path: 'title', value: 'Lead' })), 200);
      expect(await outbox()).toEqual([]);
    });

    it('deactivating then reactivating over SCIM queues exactly one reactivation notice to the account email', async () => {
      const user = await createUser(scim, newUser('jdoe', { emails: [{ value: 'john.doe@example.com', type: 'work', primary: true }] }));
      expectStatus(await setActive(user.id, false), 200);
      expect(await outbox()).toEqual([]);
      expectStatus(await setActive(user.id, 'True'), 200);
      expect((await getUser(scim, user.id)).active).toBe(true);
      // Asserting active again (PATCH and PUT) is no reactivation.
      expectStatus(await setActive(user.id, true), 200);
      expectStatus(
        await scim.put(`/Users/${user.id}`, newUser('jdoe', { emails: [{ value: 'john.doe@example.com', type: 'work' }], active: true })),
        200,
      );
      const messages = await outboxFor('john.doe@example.com');
      expect(messages).toHaveLength(1);
      expect(await outbox()).toHaveLength(1);
      const [message] = messages as [OutboxMessage];
      expect(message).toMatchObject({
        kind: 'reactivation',
        recipient: 'john.doe@example.com',
        attempts: 0,
        sentAt: null,
        lastError: null,
      });
      expect(message.subject).toContain('Outbox Inc');
      expect(message.body).toContain('Outbox Inc');
    });

    it('a refused reactivation (no free seat) queues nothing', async () => {
      const tight = await createWorkspace(store, { slug: 'outbox-tight', plan: 'enterprise', seats: 1 });
      await configureSso(store, 'outbox-tight', { issuer: 'https://idp.example.com', clientId: 'id', clientSecret: 'secret' });
      const t = scimClient({ scimUrl } as TestServer, (await enableScim(store, 'outbox-tight', 'generic')).token);
      const first = await createUser(t, newUser('first@example.com'));
      expectStatus(await t.patch(`/Users/${first.id}`, patchOps({ op: 'replace', path: 'active', value: false })), 200);
      await createUser(t, newUser('second@example.com'));
      const refused = await t.patch(`/Users/${first.id}`, patchOps({ op: 'replace', path: 'active', value: true }));
      expectStatus(refused, 409);
      await expect(setUserActive(store, 'outbox-tight', 'first@example.com', true)).rejects.toThrow(/seat/i);
      expect(await store.read.outbox.list(tight.id, 100)).toEqual([]);
      expect((await getUser(t, first.id)).active).toBe(false);
    });

    it('reactivation by an admin (setUserActive) queues one notice; activating an active user queues none', async () => {
      await addAppUser(store, slug, { email: 'admin.reactivated@example.com', givenName: 'A', familyName: 'R' });
      await setUserActive(store, slug, 'admin.reactivated@example.com', false);
      expect(await outboxFor('admin.reactivated@example.com')).toEqual([]);
      await setUserActive(store, slug, 'admin.reactivated@example.com', true);
      await setUserActive(store, slug, 'admin.reactivated@example.com', true);
      const messages = await outboxFor('admin.reactivated@example.com');
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ kind: 'reactivation', sentAt: null, attempts: 0 });
    });
  });

  describe('delivery over SMTP', () => {
    let sink: SmtpSink;
    let dispatcher: OutboxDispatcher;

    beforeAll(async () => {
      sink = await startSmtpSink();
      dispatcher = new OutboxDispatcher(store, smtpMailer(sink.url, 'Roster <noreply@roster.test>'), 'roster.test');
    });
    afterAll(async () => sink.stop());

    it('delivers each due message once, marks it sent, and a second round sends nothing', async () => {
      const pending = (await outbox()).filter((m) => m.sentAt === null);
      expect(pending).toHaveLength(2);
      const started = Date.now();
      expect(await dispatcher.deliverDue()).toBe(2);
      expect(sink.messages).toHaveLength(2);
      for (const message of pending) {
        const received = sink.messages.filter((m) => m.header('message-id') === `<${message.id}@roster.test>`);
        expect(received, message.recipient).toHaveLength(1);
        const [mail] = received as [(typeof sink.messages)[number]];
        expect(mail.to).toEqual([message.recipient]);
        expect(mail.from).toBe('noreply@roster.test');
        expect(mail.header('subject')).toBe(message.subject);
        expect(mail.header('to')).toContain(message.recipient);
      }
      const after = await outbox();
      for (const message of pending) {
        const stored = after.find((m) => m.id === message.id) as OutboxMessage;
        expect(stored.sentAt).not.toBeNull();
        expect(Date.parse(stored.sentAt as string)).toBeGreaterThanOrEqual(started - 1000);
        expect(stored.attempts).toBe(1);
        expect(stored.lastError).toBeNull();
      }
      expect(await dispatcher.deliverDue()).toBe(0);
      expect(await dispatcher.deliverDue(new Date(Date.now() + 7 * 86_400_000))).toBe(0);
      expect(sink.messages).toHaveLength(2);
    });

    it('records a failure while the SMTP server is down and delivers later once it is back', async () => {
      const user = await createUser(scim, newUser('retry@example.com'));
      expectStatus(await setActive(user.id, false), 200);
      expectStatus(await setActive(user.id, true), 200);
      const [queued] = (await outboxFor('retry@example.com')) as [OutboxMessage];
      expect(queued).toBeDefined();

      await sink.stop();
      const before = sink.messages.length;
      const failedAt = Date.now();
      expect(await dispatcher.deliverDue()).toBe(0);
      const failed = (await outboxFor('retry@example.com'))[0] as OutboxMessage;
      expect(failed.sentAt).toBeNull();
      expect(failed.attempts).toBe(1);
      expect(typeof failed.lastError).toBe('string');
      expect((failed.lastError as string).length).toBeGreaterThan(0);
      expect(Date.parse(failed.nextAttemptAt)).toBeGreaterThan(failedAt);
      // Not due yet: nothing is attempted.
      expect(await dispatcher.deliverDue()).toBe(0);
      expect(((await outboxFor('retry@example.com'))[0] as OutboxMessage).attempts).toBe(1);

      await sink.start();
      expect(await dispatcher.deliverDue()).toBe(0);
      expect(sink.messages).toHaveLength(before);
      const later = new Date(Date.parse(failed.nextAttemptAt) + 1000);
      expect(await dispatcher.deliverDue(later)).toBe(1);
      expect(sink.messages).toHaveLength(before + 1);
      expect(sink.messages.at(-1)?.header('message-id')).toBe(`<${queued.id}@roster.test>`);
      expect(sink.messages.at(-1)?.to).toEqual(['retry@example.com']);
      const sent = (await outboxFor('retry@example.com'))[0] as OutboxMessage;
      expect(sent.sentAt).not.toBeNull();
      expect(sent.attempts).toBe(2);
      expect(sent.lastError).toBeNull();
      expect(await dispatcher.deliverDue(new Date(later.getTime() + 3_600_000))).toBe(0);
      expect(sink.messages).toHaveLength(before + 1);
    });

    it('`outbox list <slug> --json` shows the messages and their delivery state', async () => {
      const result = await runCli(['outbox', 'list', slug, '--json', '--database', database]);
      expect(result.status, result.stderr).toBe(0);
      const listed = JSON.parse(result.stdout) as Json[];
      const stored = await outbox();
      expect(listed).toHaveLength(stored.length);
      expect(listed.map((m) => m.id).sort()).toEqual(stored.map((m) => m.id).sort());
      const retry = listed.find((m) => m.recipient === 'retry@example.com');
      expect(retry).toMatchObject({ kind: 'reactivation', attempts: 2, lastError: null });
      expect(typeof retry?.sentAt).toBe('string');
      expect(typeof retry?.subject).toBe('string');
      expect(retry?.workspaceId).toBeUndefined();
    });
  });
});
