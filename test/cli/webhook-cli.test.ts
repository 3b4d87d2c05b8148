import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, renameTeam } from '../../src/directory/roles/teams.js';
import { dispatchWebhooks } from '../../src/directory/webhooks/webhook-dispatcher.js';
import { listWebhooks } from '../../src/directory/webhooks/webhooks.js';
import { createWorkspace, requireWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { openStore } from '../../src/storage/open-store.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { type CliResult, runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { numberAllEvents, type Receiver, startReceiver, verified } from '../support/webhook-receiver.js';

/**
 * The webhook commands' contract (issue 15, docs/cli.md): `webhook add` prints
 * `{"id", "url", "secret", "events", "workspace"}`, `deliveries` prints
 * `[{"eventId", "type", "status", "attempts", "responseStatus", "lastAttemptAt", "nextAttemptAt"}]`,
 * refusals exit with the statuses of docs/cli.md and one line on stderr. Spawns are slow, so
 * they run in three concurrent waves, and what is not under test (events, one dispatch round)
 * is done through the directory API. Runs on both engines.
 */
const TIMEOUT = 120_000;
const ALLOW = { ROSTER_ALLOW_PRIVATE_WEBHOOKS: '1' };

/** Exit 0 and stdout is exactly one JSON document. */
function json(result: CliResult): any {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** Exit `code`, nothing on stdout, exactly one line on stderr. */
function failure(result: CliResult, code: number): string {
  expect(result.code, result.stdout + result.stderr).toBe(code);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0] as string;
}

describe('roster webhook', () => {
  // The engine of the vitest project: this file runs in the sqlite and the postgres projects.
  let database: TestDatabase;
  let db = '';
  const d = ['--json', '--database'];
  let receiver: Receiver;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.url;
    d.push(db);
    receiver = await startReceiver();
    const store = await openStore(db);
    try {
      await createWorkspace(store, { slug: 'hooks', plan: 'standard', seats: 10 });
      await numberAllEvents(store);
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await receiver?.close();
    await database?.drop();
  });

  it(
    'add, list, deliveries, test, enable and remove keep their output contract; refusals exit 6 with one line',
    async () => {
      const [a, b, loopback] = await Promise.all([
        runCli(['webhook', 'add', receiver.url('/a'), '--workspace', 'hooks', '--events', 'user.*, team.created', ...d], ALLOW),
        runCli(['webhook', 'add', receiver.url('/b'), ...d], ALLOW),
        runCli(['webhook', 'add', 'https://127.0.0.1/hook', ...d]),
      ]);
      const hookA = json(a);
      expect(Object.keys(hookA).sort()).toEqual(['events', 'id', 'secret', 'url', 'workspace']);
      expect(hookA).toMatchObject({ url: receiver.url('/a'), events: ['user.*', 'team.created'], workspace: 'hooks' });
      expect(hookA.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const hookB = json(b);
      expect(hookB).toEqual({ id: expect.any(String), url: receiver.url('/b'), secret: expect.any(String), events: null, workspace: null });
      expect(failure(loopback, 6)).toMatch(/ROSTER_ALLOW_PRIVATE_WEBHOOKS/);

      // Two events and dispatch rounds until nothing is due (as the service's loop does): /b (every type) answers 200 to the first and 500 to
      // the second; /a takes team.created only.
      receiver.on('/b', (request) => (request.event.type === 'team.created' ? 200 : 500));
      const store = await openStore(db);
      try {
        const team = await createTeam(store, 'hooks', 'Design');
        await renameTeam(store, await requireWorkspace(store, 'hooks'), team.id, 'Product');
        await numberAllEvents(store);
        const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
        // Each round sends the head of each stream: the creation, then the rename (which fails and waits 5 s).
        while ((await dispatchWebhooks(store, sender, { retryScale: 1 })) > 0) {}
      } finally {
        await store.close();
      }

      const [listed, deliveries, testA, testRefused, enabled, unknown] = await Promise.all([
        runCli(['webhook', 'list', ...d]),
        runCli(['webhook', 'deliveries', hookB.id, ...d]),
        runCli(['webhook', 'test', hookA.id, ...d], ALLOW),
        // Without the setting, the send is refused when connecting, though the URL was taken when added.
        runCli(['webhook', 'test', hookA.id, ...d]),
        runCli(['webhook', 'enable', hookA.id, ...d]),
        runCli(['webhook', 'remove', 'no-such-endpoint', ...d]),
      ]);
      const list = json(listed);
      expect(list.map((e: any) => Object.keys(e).sort())).toEqual(
        Array(2).fill(['createdAt', 'disabledAt', 'disabledReason', 'enabled', 'events', 'id', 'url', 'workspace']),
      );
      expect(list.map((e: any) => [e.id, e.enabled, e.workspace, e.events])).toEqual(
        expect.arrayContaining([
          [hookA.id, true, 'hooks', ['user.*', 'team.created']],
          [hookB.id, true, null, null],
        ]),
      );
      expect(listed.stdout).not.toContain('whsec_');

      // Newest first: the rename failed once and waits for its next attempt; the creation was delivered.
      const ofB = json(deliveries);
      const keys = ['attempts', 'eventId', 'lastAttemptAt', 'nextAttemptAt', 'responseStatus', 'status', 'type'];
      expect(ofB.map((x: any) => Object.keys(x).sort())).toEqual([keys, keys]);
      expect(ofB[0]).toMatchObject({ type: 'team.renamed', status: 'pending', attempts: 1, responseStatus: 500 });
      expect(Date.parse(ofB[0].nextAttemptAt) - Date.parse(ofB[0].lastAttemptAt)).toBe(5000);
      expect(ofB[1]).toMatchObject({ type: 'team.created', status: 'delivered', attempts: 1, responseStatus: 200, nextAttemptAt: null });
      expect(ofB.map((x: any) => x.eventId)).toEqual(
        receiver
          .to('/b')
          .map((r) => r.id)
          .reverse(),
      );
      expect(
        receiver
          .delivered('/a')
          .filter((r) => r.event.type !== 'webhook.test')
          .map((r) => r.event.type),
      ).toEqual(['team.created']);

      const sentA = json(testA);
      expect(sentA).toEqual({ id: hookA.id, eventId: expect.stringMatching(/^evt_/), delivered: true, responseStatus: 200, error: null });
      const testRequest = receiver.to('/a').find((r) => r.id === sentA.eventId);
      expect(verified(hookA.secret, testRequest as any)).toMatchObject({ type: 'webhook.test', workspace: 'hooks' });
      const refused = json(testRefused);
      expect(refused).toMatchObject({ id: hookA.id, delivered: false, responseStatus: null });
      expect(refused.error).toMatch(/127\.0\.0\.1.*not a public address/);
      expect(receiver.to('/a').filter((r) => r.event.type === 'webhook.test')).toHaveLength(1);
      expect(json(enabled)).toMatchObject({ id: hookA.id, enabled: true, disabledAt: null, disabledReason: null });
      expect(failure(unknown, 6)).toMatch(/no-such-endpoint/);

      expect(json(await runCli(['webhook', 'remove', hookB.id, ...d]))).toEqual({ id: hookB.id, removed: true });
      const check = await openStore(db);
      try {
        expect((await listWebhooks(check)).map((e) => e.id)).toEqual([hookA.id]);
      } finally {
        await check.close();
      }
    },
    TIMEOUT,
  );
});
