import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/directory/api-keys/api-keys.js';
import { createTeam, renameTeam } from '../../src/directory/roles/teams.js';
import { addWebhook, listWebhooks, removeWebhook, testWebhook, webhookDeliveries } from '../../src/directory/webhooks/webhooks.js';
import { requireWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { newUser, patchOps, scimClient } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';
import { numberAllEvents, type Received, type Receiver, startReceiver, verified } from '../support/webhook-receiver.js';

/**
 * Webhook delivery end to end (issue 15 §3, docs/api.md "Webhooks"): the real server's
 * dispatcher sends to a real node:http receiver on 127.0.0.1, and every request is verified with
 * the `standardwebhooks` package, as an app would. The retry schedule runs 1000 times faster
 * (5 ms, 30 ms, 120 ms, 300 ms, 900 ms …) and an answer must come within one second.
 */
const SCALE = 0.001;
const TIMEOUT_MS = 1000;

describe('webhook delivery', () => {
  const server = serverForSuite({
    ROSTER_ALLOW_PRIVATE_WEBHOOKS: '1',
    ROSTER_WEBHOOK_RETRY_SCALE: String(SCALE),
    ROSTER_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: TIMEOUT_MS });
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver?.close());
  // Each test's endpoints go with it, so that no retries of one test run into the next.
  afterEach(async () => {
    for (const endpoint of await listWebhooks(server.store)) await removeWebhook(server.store, endpoint.id);
  });

  /**
   * Adds an endpoint on the receiver. An endpoint is sent the events numbered after it was added;
   * the events the test wrote through the store a moment ago (creating the workspace) are
   * numbered first, so that they are not.
   */
  const add = async (path: string, options: { workspace?: string; events?: string[] } = {}) => {
    await numberAllEvents(server.store);
    return addWebhook(server.store, sender, receiver.url(path), options);
  };

  // waitFor polls synchronously: refresh the snapshot in the background while it waits.
  const poll = (id: string, into: { value: Awaited<ReturnType<typeof webhookDeliveries>> }) => {
    let stopped = false;
    const loop = async () => {
      while (!stopped) {
        into.value = await webhookDeliveries(server.store, id);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    void loop();
    return () => {
      stopped = true;
    };
  };
  async function settled(id: string, condition: (d: Awaited<ReturnType<typeof webhookDeliveries>>) => boolean, what: string) {
    const snapshot = { value: [] as Awaited<ReturnType<typeof webhookDeliveries>> };
    const stop = poll(id, snapshot);
    try {
      await receiver.waitFor(() => condition(snapshot.value), what);
      return snapshot.value;
    } catch (error) {
      throw new Error(`${(error as Error).message}; last deliveries: ${JSON.stringify(snapshot.value)}`);
    } finally {
      stop();
    }
  }
  /**
   * Every request to `path` was sent in order: when it arrived, every event of its workspace
   * with a smaller sequence had already been answered 2xx.
   */
  function assertInOrder(path: string) {
    const requests = receiver.to(path);
    for (const request of requests) {
      const earlier = requests.filter((r) => r.event.workspace === request.event.workspace && r.event.sequence < request.event.sequence);
      for (const sequence of new Set(earlier.map((r) => r.event.sequence))) {
        const success = earlier.find((r) => r.event.sequence === sequence && typeof r.answer === 'number' && r.answer < 300);
        expect(
          success !== undefined && (success.answeredAt as number) <= request.arrivedAt,
          `${request.event.workspace} #${request.event.sequence} was sent before #${sequence} was delivered`,
        ).toBe(true);
      }
    }
  }

  it('signs each delivery per Standard Webhooks; the body is the event exactly as the events API serves it', async () => {
    const scim = scimClient(server, await server.workspace('signed-co'));
    const key = (await createApiKey(server.store, 'signed-co', 'app')).key;
    const hook = await add('/signed', { workspace: 'signed-co' });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const created = await scim.post('/Users', newUser('ana@signed.example'));
    expect(created.status).toBe(201);
    const deliveries = await settled(hook.id, (d) => d[0]?.status === 'delivered', 'the user.created delivery');

    // Only events numbered after the endpoint was added are sent: not the integration.enabled before it.
    const requests = receiver.to('/signed');
    expect(requests).toHaveLength(1);
    const request = requests[0] as Received;
    const event = verified(hook.secret, request);
    expect(event).toMatchObject({
      type: 'user.created',
      workspace: 'signed-co',
      actor: { type: 'scim', provider: 'generic' },
      traceId: created.headers.get('x-trace-id'),
      data: { user: { id: created.body.id, userName: 'ana@signed.example' } },
    });
    expect(request.id).toBe(event.id);
    expect(request.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(request.signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(Math.abs(Number(request.timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(request.headers['content-type']).toBe('application/json');
    // The signature is what makes it verify: another secret, or one changed byte of the body, does not.
    const other = await add('/unused');
    expect(() => verified(other.secret, request)).toThrow();
    expect(() => verified(hook.secret, { ...request, body: request.body.replace('ana@', 'ann@') })).toThrow();
    // Another id (its last digit changed, never to itself) is signed differently.
    const otherId = `${request.id.slice(0, -1)}${request.id.endsWith('0') ? '1' : '0'}`;
    expect(() => verified(hook.secret, { ...request, id: otherId })).toThrow();

    const response = await fetch(`${server.url}/api/v1/events?types=user.*`, { headers: { authorization: `Bearer ${key}` } });
    const page = (await response.json()) as any;
    expect(JSON.parse(request.body)).toEqual(page.data[0]);

    expect(deliveries).toEqual([
      {
        eventId: event.id,
        type: 'user.created',
        status: 'delivered',
        attempts: 1,
        responseStatus: 200,
        lastAttemptAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        nextAttemptAt: null,
      },
    ]);
    expect(Date.parse(deliveries[0]?.lastAttemptAt as string)).toBeGreaterThanOrEqual(request.arrivedAt - 1000);
  });

  it('retries 500, 404, a redirect, a reset connection and no answer, with growing delays and the same webhook-id', async () => {
    const scim = scimClient(server, await server.workspace('retry-co'));
    const hook = await add('/retry', { workspace: 'retry-co' });
    const answers = [500, 404, 302, 'reset', 'hang', 200] as const;
    // What `webhook deliveries` showed when each attempt after the first arrived: the outcome of the one before.
    const seen: Array<Awaited<ReturnType<typeof webhookDeliveries>>[number] | undefined> = [];
    receiver.on('/retry', async () => {
      const attempt = receiver.to('/retry').length;
      if (attempt > 1) seen.push((await webhookDeliveries(server.store, hook.id))[0]);
      return answers[attempt - 1] ?? 200;
    });
    expect((await scim.post('/Users', newUser('retried@retry.example'))).status).toBe(201);
    const [final] = await settled(hook.id, (d) => d[0]?.status === 'delivered', 'the delivery after five failures');

    const requests = receiver.to('/retry');
    expect(requests.map((r) => r.answer)).toEqual([...answers]);
    // Every attempt is the same event, signed afresh, with the same webhook-id and body.
    for (const request of requests) expect(verified(hook.secret, request).type).toBe('user.created');
    expect(new Set(requests.map((r) => r.id)).size).toBe(1);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);

    expect(seen.map((d) => [d?.status, d?.attempts, d?.responseStatus])).toEqual([
      ['pending', 1, 500],
      ['pending', 2, 404],
      ['pending', 3, 302],
      ['pending', 4, null], // reset: no answer
      ['pending', 5, null], // no answer within ROSTER_WEBHOOK_TIMEOUT_MS
    ]);
    // The documented schedule (5 s, 30 s, 2 min, 5 min, 15 min …) times the scale, and each attempt waited for it.
    const delays = seen.map((d) => Date.parse(d?.nextAttemptAt as string) - Date.parse(d?.lastAttemptAt as string));
    expect(delays).toEqual([5, 30, 120, 300, 900]);
    for (let n = 1; n < requests.length; n++) {
      const previous = requests[n - 1] as Received;
      expect((requests[n] as Received).arrivedAt - (previous.answeredAt ?? previous.arrivedAt)).toBeGreaterThanOrEqual(
        (delays[n - 1] as number) - 5,
      );
    }
    // The hung attempt was given up after the timeout, not left to hang.
    const hung = requests[4] as Received;
    expect((requests[5] as Received).arrivedAt - hung.arrivedAt).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(final).toMatchObject({ status: 'delivered', attempts: 6, responseStatus: 200, nextAttemptAt: null });
  });

  it("delivers a workspace's events in sequence order: later events wait while an earlier one fails", async () => {
    const scim = scimClient(server, await server.workspace('ordered-co'));
    const hook = await add('/ordered', { workspace: 'ordered-co' });
    const failures = new Map<string, number>();
    receiver.on('/ordered', async (request) => {
      const name = request.event.data.user.userName as string;
      const failed = failures.get(name) ?? 0;
      // The first user's event fails until it failed three times and all five deliveries exist
      // (so later ones were ready to go); the third user's fails once.
      const pending = (await webhookDeliveries(server.store, hook.id)).length;
      const fail = name.startsWith('u0@') ? failed < 3 || pending < 5 : name.startsWith('u2@') && failed < 1;
      if (!fail) return 200;
      failures.set(name, failed + 1);
      return 503;
    });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      const created = await scim.post('/Users', newUser(`u${n}@ordered.example`));
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    await settled(hook.id, (d) => d.length === 5 && d.every((x) => x.status === 'delivered'), 'five deliveries');

    const delivered = receiver.delivered('/ordered');
    expect(delivered.map((r) => r.event.data.user.id)).toEqual(ids);
    const sequences = delivered.map((r) => r.event.sequence as number);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(delivered.map((r) => r.id)).size).toBe(5);
    expect(failures.get('u0@ordered.example')).toBeGreaterThanOrEqual(3);
    expect(failures.get('u2@ordered.example')).toBe(1);
    assertInOrder('/ordered');
    for (const request of receiver.to('/ordered')) verified(hook.secret, request);
  });

  it("an instance endpoint gets every workspace's events; a failing workspace does not hold up another", async () => {
    const a = scimClient(server, await server.workspace('stream-a'));
    const b = scimClient(server, await server.workspace('stream-b'));
    const hook = await add('/instance');
    expect(hook.workspace).toBeNull();
    const ofB = () => receiver.delivered('/instance').filter((r) => r.event.workspace === 'stream-b');
    // stream-a's events fail until all of stream-b's were delivered.
    receiver.on('/instance', (request) => (request.event.workspace === 'stream-a' && ofB().length < 3 ? 503 : 200));
    for (let n = 0; n < 3; n++) {
      expect((await a.post('/Users', newUser(`a${n}@stream.example`))).status).toBe(201);
      expect((await b.post('/Users', newUser(`b${n}@stream.example`))).status).toBe(201);
    }
    await receiver.waitFor(
      () => receiver.delivered('/instance').filter((r) => r.event.workspace === 'stream-a').length === 3,
      "stream-a's three events",
    );
    const ofA = receiver.delivered('/instance').filter((r) => r.event.workspace === 'stream-a');
    const failedA = receiver.to('/instance').filter((r) => r.event.workspace === 'stream-a' && r.answer === 503);
    expect(failedA.length).toBeGreaterThan(0);
    // stream-b was delivered in full while stream-a's first event was still failing.
    expect(Math.max(...ofB().map((r) => r.answeredAt as number))).toBeLessThanOrEqual(ofA[0]?.arrivedAt as number);
    // … and after that first event had failed: stream-b went on while stream-a waited for its retry.
    expect(Math.min(...failedA.map((r) => r.arrivedAt))).toBeLessThan(Math.max(...ofB().map((r) => r.arrivedAt)));
    expect(ofA.map((r) => r.event.data.user.userName)).toEqual(['a0@stream.example', 'a1@stream.example', 'a2@stream.example']);
    expect(ofB().map((r) => r.event.data.user.userName)).toEqual(['b0@stream.example', 'b1@stream.example', 'b2@stream.example']);
    assertInOrder('/instance');
    for (const request of receiver.to('/instance')) verified(hook.secret, request);
  });

  it('an event type filter (user.*, team.created) and a workspace endpoint take only what they name', async () => {
    const x = scimClient(server, await server.workspace('filter-x'));
    const y = scimClient(server, await server.workspace('filter-y'));
    const users = await add('/users-only', { workspace: 'filter-x', events: ['user.*'] });
    const teams = await add('/team-created', { workspace: 'filter-x', events: ['team.created'] });
    const ofY = await add('/y-only', { workspace: 'filter-y' });
    expect(users.events).toEqual(['user.*']);
    const workspace = await requireWorkspace(server.store, 'filter-x');
    const design = await createTeam(server.store, 'filter-x', 'Design');
    const created = await x.post('/Users', newUser('x1@filter.example'));
    expect((await x.patch(`/Users/${created.body.id}`, patchOps({ op: 'replace', path: 'title', value: 'Chef' }))).status).toBe(200);
    await renameTeam(server.store, workspace, design.id, 'Product Design');
    expect((await y.post('/Users', newUser('y1@filter.example'))).status).toBe(201);
    // The last events of each stream: once they arrive, everything before them has been decided (in order).
    await createTeam(server.store, 'filter-x', 'Marker');
    expect((await x.post('/Users', newUser('x2@filter.example'))).status).toBe(201);
    await receiver.waitFor(() => receiver.delivered('/users-only').length >= 3, 'the user events of filter-x');
    await receiver.waitFor(() => receiver.delivered('/team-created').length >= 2, 'the team.created events of filter-x');
    await receiver.waitFor(() => receiver.delivered('/y-only').length >= 1, 'the event of filter-y');

    const types = (path: string) => receiver.to(path).map((r) => [r.event.type, r.event.workspace]);
    expect(types('/users-only')).toEqual([
      ['user.created', 'filter-x'],
      ['user.updated', 'filter-x'],
      ['user.created', 'filter-x'],
    ]);
    expect(types('/team-created')).toEqual([
      ['team.created', 'filter-x'],
      ['team.created', 'filter-x'],
    ]);
    expect(types('/y-only')).toEqual([['user.created', 'filter-y']]);
    // Nothing else was even queued for them.
    expect((await webhookDeliveries(server.store, users.id)).map((d) => d.type)).toEqual(['user.created', 'user.updated', 'user.created']);
    expect(await webhookDeliveries(server.store, teams.id)).toHaveLength(2);
    expect(await webhookDeliveries(server.store, ofY.id)).toHaveLength(1);
    for (const request of receiver.to('/users-only')) verified(users.secret, request);
    for (const request of receiver.to('/team-created')) verified(teams.secret, request);
    for (const request of receiver.to('/y-only')) verified(ofY.secret, request);
  });

  it('webhook test sends a signed webhook.test event now and reports the answer; nothing is queued', async () => {
    await server.workspace('testing-co');
    const hook = await add('/test-hook', { workspace: 'testing-co' });
    const ok = await testWebhook(server.store, sender, hook.id);
    expect(ok).toMatchObject({ id: hook.id, delivered: true, responseStatus: 200, error: null });
    const [request] = receiver.to('/test-hook');
    const event = verified(hook.secret, request as Received);
    expect(event).toMatchObject({ id: ok.eventId, type: 'webhook.test', workspace: 'testing-co', actor: { type: 'system' } });
    expect(request?.id).toBe(ok.eventId);

    receiver.on('/test-hook', () => 500);
    expect(await testWebhook(server.store, sender, hook.id)).toMatchObject({ delivered: false, responseStatus: 500 });
    const gone = await add('/test-hook-gone', { workspace: 'testing-co' });
    await removeWebhook(server.store, gone.id);
    await expect(testWebhook(server.store, sender, gone.id)).rejects.toMatchObject({ code: 'invalidArgument' });
    // A port nothing listens on: no answer at all.
    const closed = await addWebhook(server.store, sender, 'http://127.0.0.1:9/nothing', { workspace: 'testing-co' });
    const refused = await testWebhook(server.store, sender, closed.id);
    expect(refused).toMatchObject({ delivered: false, responseStatus: null });
    expect(refused.error).toMatch(/ECONNREFUSED/);
    expect(await webhookDeliveries(server.store, hook.id)).toEqual([]);
  });

  it('a backlog of one stream drains without waiting for the poll between events', async () => {
    const scim = scimClient(server, await server.workspace('backlog-co'));
    receiver.on('/backlog', () => 'hang');
    const hook = await add('/backlog', { workspace: 'backlog-co' });
    // The first attempt hangs (one second) while 30 events queue behind it; then they all go.
    const users = await Promise.all(Array.from({ length: 30 }, (_, n) => scim.post('/Users', newUser(`b${n}@backlog.example`))));
    expect(users.every((u) => u.status === 201)).toBe(true);
    await receiver.waitFor(() => receiver.to('/backlog').length > 0, 'the first attempt');
    receiver.on('/backlog', () => 200);
    const started = Date.now();
    await receiver.waitFor(() => receiver.delivered('/backlog').length === 30, 'thirty deliveries', 30_000);
    // At one event per 500 ms poll this would take 15 s.
    expect(Date.now() - started).toBeLessThan(8_000);
    assertInOrder('/backlog');
    expect(hook.id).toBeTruthy();
  });
});
