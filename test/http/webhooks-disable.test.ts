import dns from 'node:dns';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneEvents } from '../../src/directory/events/event-sequencer.js';
import { addWebhook, enableWebhook, listWebhooks, removeWebhook, webhookDeliveries } from '../../src/directory/webhooks/webhooks.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { runCli } from '../support/cli.js';
import { newUser, scimClient } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import { numberAllEvents, type Receiver, startReceiver, verified } from '../support/webhook-receiver.js';

/**
 * Webhook endpoints that are disabled and enabled again (issue 15 §3): after 24 hours of failure
 * (here 24 scaled hours are three seconds) or at once on a 410, saying why in `roster webhook
 * list`; `roster webhook enable` resumes with the given-up event. And which URLs may be added.
 */
const DAY_MS = 3000;

describe('webhook endpoints disabled and enabled again', () => {
  const server = serverForSuite({
    ROSTER_ALLOW_PRIVATE_WEBHOOKS: '1',
    ROSTER_WEBHOOK_RETRY_SCALE: String(DAY_MS / 86_400_000),
    ROSTER_WEBHOOK_TIMEOUT_MS: '2000',
  });
  const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 2000 });
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver?.close());

  const add = async (path: string, workspace: string) => {
    await numberAllEvents(server.store); // the workspace's own events are not sent (see webhooks.test.ts)
    return addWebhook(server.store, sender, receiver.url(path), { workspace });
  };
  const endpoint = async (id: string) => (await listWebhooks(server.store)).find((e) => e.id === id);
  async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }
  const cliJson = async (args: string[]) => {
    const result = await runCli([...args, '--json', '--database', server.database]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  it('after 24 (scaled) hours of failure the endpoint is disabled, says why, and `webhook enable` resumes with that event', async () => {
    const scim = scimClient(server, await server.workspace('giving-up-co'));
    const hook = await add('/failing', 'giving-up-co');
    let recovered = false;
    receiver.on('/failing', () => (recovered ? 200 : 500));
    const users: string[] = [];
    for (const name of ['u0', 'u1']) users.push((await scim.post('/Users', newUser(`${name}@giving-up.example`))).body.id);
    await until(async () => (await endpoint(hook.id))?.enabled === false, 'the endpoint to be disabled');

    const failing = receiver.to('/failing');
    // Only the first event was tried, again and again; the second waited behind it.
    expect(failing.length).toBeGreaterThanOrEqual(2);
    expect(new Set(failing.map((r) => r.event.data.user.id))).toEqual(new Set([users[0]]));
    const span = (failing.at(-1)?.arrivedAt as number) - (failing[0]?.arrivedAt as number);
    expect(span).toBeGreaterThanOrEqual(DAY_MS - 50);
    expect(span).toBeLessThan(DAY_MS + 5000);
    const [second, first] = await webhookDeliveries(server.store, hook.id);
    expect(first).toMatchObject({ status: 'failed', attempts: failing.length, responseStatus: 500, nextAttemptAt: null });
    expect(second).toMatchObject({ status: 'pending', attempts: 0, lastAttemptAt: null });

    // `roster webhook list` says why, in JSON and in its table.
    const [listed, table] = await Promise.all([cliJson(['webhook', 'list']), runCli(['webhook', 'list', '--database', server.database])]);
    const entry = listed.find((e: any) => e.id === hook.id);
    expect(entry).toMatchObject({ enabled: false, disabledAt: expect.any(String) });
    expect(entry.disabledReason).toContain(`event ${first?.eventId} could not be delivered for 24 hours`);
    expect(entry.disabledReason).toContain('HTTP 500');
    expect(table.stdout).toContain(`disabled: ${entry.disabledReason}`);

    // Disabled, it sends nothing, not even events written since.
    users.push((await scim.post('/Users', newUser('u2@giving-up.example'))).body.id);
    await sleep(1500);
    expect(receiver.to('/failing')).toHaveLength(failing.length);

    recovered = true;
    const enabled = await cliJson(['webhook', 'enable', hook.id]);
    expect(enabled).toMatchObject({ id: hook.id, enabled: true, disabledAt: null, disabledReason: null });
    await receiver.waitFor(() => receiver.delivered('/failing').length === 3, 'the three events after enabling');
    const delivered = receiver.delivered('/failing');
    expect(delivered.map((r) => r.event.data.user.id)).toEqual(users);
    // The given-up event is sent again as itself: the same webhook-id as its failed attempts.
    expect(delivered[0]?.id).toBe(failing[0]?.id);
    for (const request of receiver.to('/failing')) verified(hook.secret, request);
    expect(receiver.to('/failing')).toHaveLength(failing.length + 3);
  });

  it('a 410 disables the endpoint at once; enabling it again sends that event first, then the rest', async () => {
    const scim = scimClient(server, await server.workspace('gone-co'));
    const hook = await add('/gone', 'gone-co');
    receiver.on('/gone', () => (receiver.to('/gone').length === 1 ? 410 : 204));
    const users: string[] = [];
    users.push((await scim.post('/Users', newUser('g0@gone.example'))).body.id);
    await until(async () => (await endpoint(hook.id))?.enabled === false, 'the endpoint to be disabled');
    const info = await endpoint(hook.id);
    const [first] = await webhookDeliveries(server.store, hook.id);
    expect(first).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 410, nextAttemptAt: null });
    expect(info?.disabledReason).toBe(`the endpoint answered 410 Gone for event ${first?.eventId}`);

    for (const name of ['g1', 'g2']) users.push((await scim.post('/Users', newUser(`${name}@gone.example`))).body.id);
    await sleep(1200);
    expect(receiver.to('/gone')).toHaveLength(1);
    expect((await enableWebhook(server.store, hook.id)).enabled).toBe(true);
    await receiver.waitFor(() => receiver.delivered('/gone').length === 3, 'the three events after enabling');
    expect(receiver.delivered('/gone').map((r) => r.event.data.user.id)).toEqual(users);
    expect(receiver.to('/gone').map((r) => r.answer)).toEqual([410, 204, 204, 204]);
    expect(receiver.to('/gone')[1]?.id).toBe(first?.eventId);
  });

  it('refuses URLs on loopback, link-local and private addresses, and plain http, unless private webhooks are allowed', async () => {
    await server.workspace('address-co');
    const strict = new HttpWebhookSender({ allowPrivate: false, timeoutMs: 2000 });
    // A name of this machine that resolves to a loopback address, when there is one besides localhost.
    const names = ['localhost'];
    const own = await dns.promises.lookup(hostname(), { all: true }).catch(() => []);
    if (own.length > 0 && own.every((a) => a.address.startsWith('127.') || a.address === '::1')) names.push(hostname());
    const refused = [
      'https://127.0.0.1/hook',
      'https://127.1/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://10.1.2.3/hook',
      'https://172.16.0.1/hook',
      'https://192.168.1.10/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://[fe80::1]/hook',
      'https://[fd00::1]/hook',
      'https://0.0.0.0/hook',
      ...names.map((name) => `https://${name}/hook`),
      'http://1.1.1.1/hook', // public, but plain http
      'ftp://1.1.1.1/hook',
      'https://user:secret@1.1.1.1/hook',
      'not a url',
    ];
    const before = (await listWebhooks(server.store)).length;
    for (const url of refused) {
      await expect(addWebhook(server.store, strict, url, { workspace: 'address-co' }), url).rejects.toMatchObject({
        code: 'invalidArgument',
      });
    }
    expect(await listWebhooks(server.store)).toHaveLength(before);
    // A public address is taken (nothing is sent when adding), and every private one where allowed.
    const taken = await addWebhook(server.store, strict, 'https://1.1.1.1/hook', { workspace: 'address-co' });
    expect(taken.url).toBe('https://1.1.1.1/hook');
    for (const url of ['http://127.0.0.1:9/hook', 'https://[::1]/hook', 'https://169.254.169.254/x', `http://${names.at(-1)}:9/x`]) {
      await expect(addWebhook(server.store, sender, url, { workspace: 'address-co' }), url).resolves.toMatchObject({ url });
    }
    for (const e of await listWebhooks(server.store, 'address-co')) await removeWebhook(server.store, e.id);
  });

  // Last: it prunes every event of the suite's database.
  it('a failed delivery whose event retention deleted goes with it; enabling resumes with the next event', async () => {
    const scim = scimClient(server, await server.workspace('pruned-co'));
    const hook = await add('/pruned', 'pruned-co');
    receiver.on('/pruned', () => (receiver.to('/pruned').length === 1 ? 410 : 200));
    expect((await scim.post('/Users', newUser('p0@pruned.example'))).status).toBe(201);
    await until(async () => (await endpoint(hook.id))?.enabled === false, 'the endpoint to be disabled');
    const [old] = await webhookDeliveries(server.store, hook.id);
    // Disabled for longer than retention: its event is deleted.
    await pruneEvents(server.store, 0, Date.now() + 60_000);
    const later = await scim.post('/Users', newUser('p1@pruned.example'));
    await enableWebhook(server.store, hook.id);
    await receiver.waitFor(() => receiver.delivered('/pruned').length === 1, 'the event written after the prune');
    expect(receiver.delivered('/pruned')[0]?.event.data.user.id).toBe(later.body.id);
    await until(
      async () => (await webhookDeliveries(server.store, hook.id)).every((d) => d.status !== 'pending'),
      'the deliveries to settle',
    );
    // The given-up delivery went with its event (retention deletes finished deliveries with them).
    const deliveries = await webhookDeliveries(server.store, hook.id);
    expect(old).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 410 });
    expect(deliveries.map((d) => [d.eventId === old?.eventId ? 'old' : 'later', d.status, d.attempts])).toEqual([
      ['later', 'delivered', 1],
    ]);
    expect((await endpoint(hook.id))?.enabled).toBe(true);
    // The gone event was not sent again (there is nothing to send).
    expect(receiver.to('/pruned')).toHaveLength(2);
  });

  it('a pending delivery whose event retention deleted is given up at its next attempt, without disabling the endpoint, and holds nothing back', async () => {
    const scim = scimClient(server, await server.workspace('expired-co'));
    const hook = await add('/expired', 'expired-co');
    // The first event always fails (retried at once: the schedule is scaled to milliseconds here).
    receiver.on('/expired', (request) => (request.id === receiver.to('/expired')[0]?.id ? 500 : 200));
    expect((await scim.post('/Users', newUser('g0@expired.example'))).status).toBe(201);
    await until(async () => ((await webhookDeliveries(server.store, hook.id))[0]?.attempts ?? 0) >= 1, 'the first attempt');
    const [old] = await webhookDeliveries(server.store, hook.id);
    expect(old).toMatchObject({ status: 'pending', responseStatus: 500 });
    const oldId = old?.eventId;
    // Its event is deleted while the delivery waits for its retry; the pending delivery stays.
    await pruneEvents(server.store, 0, Date.now() + 60_000);
    expect((await webhookDeliveries(server.store, hook.id)).map((d) => d.eventId)).toEqual([old?.eventId]);
    const later = await scim.post('/Users', newUser('g1@expired.example'));
    await receiver.waitFor(() => receiver.delivered('/expired').length === 1, 'the event written after the prune');
    expect(receiver.delivered('/expired')[0]?.event.data.user.id).toBe(later.body.id);
    await until(
      async () => (await webhookDeliveries(server.store, hook.id)).every((d) => d.status !== 'pending'),
      'the deliveries to settle',
    );
    const deliveries = await webhookDeliveries(server.store, hook.id);
    const given = deliveries.find((d) => d.eventId === oldId);
    expect(given).toMatchObject({ status: 'failed', nextAttemptAt: null, responseStatus: null });
    // Every attempt that reached the receiver failed; the last attempt sent nothing.
    const sent = receiver.to('/expired').filter((r) => r.id === oldId);
    expect(sent.every((r) => r.answer === 500)).toBe(true);
    expect(given?.attempts).toBe(sent.length + 1);
    expect(deliveries.find((d) => d.eventId !== oldId)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect((await endpoint(hook.id))?.enabled).toBe(true);
  });
});
