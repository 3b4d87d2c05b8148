import { createServer } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { EventsSync } from '../../examples/host-app/src/events-sync.js';
import { MEMBER_EVENT_TYPES, MembersTable } from '../../examples/host-app/src/members.js';
import { RosterClient } from '../../examples/host-app/src/roster-client.js';
import { WebhookSync } from '../../examples/host-app/src/webhook-sync.js';
import { createApiKey } from '../../src/directory/api-keys/api-keys.js';
import { pruneEvents } from '../../src/directory/events/event-sequencer.js';
import { createRole, renameRole } from '../../src/directory/roles/roles.js';
import { createTeam, renameTeam } from '../../src/directory/roles/teams.js';
import { addWebhook } from '../../src/directory/webhooks/webhooks.js';
import { requireWorkspace } from '../../src/directory/workspaces/workspaces.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { entraUser } from '../idp/idp-harness.js';
import { ENTERPRISE, ENTRA, idp, type Json, patchOp, plusEncoded, type ReplayResponse, type Send, USER_SCHEMA } from '../idp/replay.js';
import { serverForSuite } from '../support/suite-setup.js';
import { TEAMS } from './helpers.js';

/**
 * examples/host-app against a real server (issue 15, "An app that uses it"): while Microsoft Entra
 * ID provisions a few hundred users over SCIM, the example app keeps its members table in step
 * through the events API and, in a second mode, through signed webhooks, started before the
 * provisioning and in the middle of it; each time, its table must equal the users list of
 * `GET /api/v1/workspaces/{slug}/users`, all pages.
 */
describe('examples/host-app keeps a members table equal to the users list', () => {
  const server = serverForSuite({ ROSTER_ALLOW_PRIVATE_WEBHOOKS: '1', ROSTER_WEBHOOK_RETRY_SCALE: '0.01' });
  const SLUG = 'host-app';
  const FIRST = 240;
  const TOTAL = 300;
  const ctx = {} as { send: Send; key: string; client: RosterClient; ids: string[]; apps: App[] };
  type App = { name: string; table: MembersTable; events?: EventsSync; webhooks?: WebhookSync; secret?: string };

  afterAll(async () => {
    for (const app of ctx.apps ?? []) await (app.events?.stop() ?? app.webhooks?.close());
  });

  // ----- the identity provider: Entra ID's requests (test/idp/entra-default.test.ts) ---------------------------------
  const userName = (i: number) => `user${i}@host-app.example`;
  const createBody = (i: number): Json =>
    entraUser(
      userName(i),
      userName(i),
      { givenName: `Given${i}`, familyName: `Family${i}` },
      {
        schemas: [USER_SCHEMA, ENTERPRISE, TEAMS],
        title: 'Engineer',
        [ENTERPRISE]: { department: ['Product', 'Sales', 'Support'][i % 3] },
        [TEAMS]: { teams: i % 5 === 0 ? ['Design'] : [] },
      },
    );
  const expectStatus = (response: ReplayResponse, status: number): Json => {
    expect(response.status, response.describe).toBe(status);
    return response.json ?? {};
  };
  /** Entra's provisioning of one user: the matching query finds nobody, then POST /Users. */
  async function provision(i: number): Promise<string> {
    expectStatus(await ctx.send('GET', `/Users?filter=${plusEncoded(`userName eq "${userName(i)}"`)}`), 200);
    return expectStatus(await ctx.send('POST', '/Users', createBody(i)), 201).id as string;
  }
  const patchUser = async (i: number, ...operations: Json[]) =>
    expectStatus(await ctx.send('PATCH', `/Users/${ctx.ids[i]}`, patchOp(...operations)), 200);
  const members = (op: 'Add' | 'Remove', indices: number[]) =>
    patchOp({ op, path: 'members', value: indices.map((i) => ({ $ref: null, value: ctx.ids[i] })) });
  async function groupId(name: string): Promise<string> {
    const list = expectStatus(
      await ctx.send('GET', `/Groups?excludedAttributes=members&filter=${plusEncoded(`displayName eq "${name}"`)}`),
      200,
    );
    return list.Resources[0].id as string;
  }

  async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await work(items[next++] as T);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  // ----- the application API, read independently of the example's client ----------------------------------------------
  async function api(path: string): Promise<any> {
    const response = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${ctx.key}` } });
    expect(response.status, path).toBe(200);
    return response.json();
  }
  async function usersList(): Promise<any[]> {
    const users: any[] = [];
    let cursor: string | null = null;
    do {
      const page = await api(`/workspaces/${SLUG}/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      users.push(...page.data);
      cursor = page.next;
    } while (cursor);
    return users;
  }
  /** The end of the member events stream: its cursor and its last event. */
  async function streamEnd(): Promise<{ next: string; last: any }> {
    let page = await api(`/events?types=${MEMBER_EVENT_TYPES}&limit=1000`);
    let last = page.data.at(-1);
    while (page.hasMore) {
      page = await api(`/events?types=${MEMBER_EVENT_TYPES}&limit=1000&after=${page.next}`);
      last = page.data.at(-1) ?? last;
    }
    return { next: page.next, last };
  }
  /** The end of the stream once it stopped moving: every committed change is numbered. */
  async function settledEnd(): Promise<{ next: string; last: any }> {
    let end = await streamEnd();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      const again = await streamEnd();
      if (again.next === end.next) return end;
      end = again;
    }
  }

  /** Waits until every app applied the stream's last event, then compares each table with the users list. */
  async function expectInStep(apps: readonly App[]): Promise<any[]> {
    const end = await settledEnd();
    const caughtUp = (app: App) => (app.events ? app.events.cursor === end.next : (app.webhooks?.hasApplied(end.last.id) ?? false));
    const deadline = Date.now() + 30_000;
    while (!apps.every(caughtUp) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      apps.filter((app) => !caughtUp(app)).map((app) => app.name),
      `apps still behind #${end.last.sequence}`,
    ).toEqual([]);
    const list = await usersList();
    for (const app of apps) expect(app.table.all(), `${app.name}'s table`).toEqual(list);
    return list;
  }

  // ----- the apps ---------------------------------------------------------------------------------------------------------
  async function eventsApp(name: string, pageSize: number): Promise<App> {
    const table = new MembersTable();
    const events = new EventsSync(ctx.client, table, { workspace: SLUG, wait: 5, pageSize });
    await events.start();
    return { name, table, events };
  }
  /** Registers the receiver's URL, then starts it and loads the list (deliveries wait meanwhile: 503 or no answer). */
  async function webhookApp(name: string): Promise<App> {
    const port = await freePort();
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 10_000 });
    const { secret } = await addWebhook(server.store, sender, `http://127.0.0.1:${port}/roster`, {
      workspace: SLUG,
      events: MEMBER_EVENT_TYPES.split(','),
    });
    const table = new MembersTable();
    const webhooks = new WebhookSync(ctx.client, table, { workspace: SLUG, secret, pageSize: 100 });
    await webhooks.listen(port);
    await webhooks.load();
    return { name, table, webhooks, secret };
  }

  it(`follows ${FIRST} Entra creates through the events API and through webhooks, when started first`, async () => {
    const token = await server.workspace(SLUG, { seats: 1000 });
    for (const team of ['Design', 'Sales', 'Support', 'Research']) await createTeam(server.store, SLUG, team);
    await createRole(server.store, SLUG, 'Editor', 50);
    ctx.send = idp(server, token, ENTRA);
    ctx.key = (await createApiKey(server.store, SLUG, 'host app')).key;
    ctx.client = new RosterClient(server.url, ctx.key);
    ctx.ids = [];
    ctx.apps = [await eventsApp('events app started first', 1000), await webhookApp('webhook app started first')];
    expect(ctx.apps[0]?.table.size).toBe(0);

    await inParallel([...Array(FIRST).keys()], 8, async (i) => {
      ctx.ids[i] = await provision(i);
    });

    const list = await expectInStep(ctx.apps);
    expect(list).toHaveLength(FIRST);
    expect(list.filter((u) => u.teams.some((t: any) => t.name === 'Design'))).toHaveLength(FIRST / 5);
  }, 60_000);

  it('apps started mid-way load the list, then catch up with concurrent profile, role, team and status changes, DELETEs and re-creates', async () => {
    const [admin, editor] = [await groupId('Admin'), await groupId('Editor')];
    const deleted = (i: number) => i % 24 === 7;
    const indices = [...Array(FIRST).keys()];
    const admins = indices.filter((i) => i % 6 === 5 && !deleted(i));
    const editors = indices.filter((i) => i % 9 === 4 && !deleted(i));
    /** Each user's changes, in order; the users' scripts, the role changes and the new users run concurrently. */
    const script = async (i: number) => {
      if (i % 3 === 0) {
        await patchUser(
          i,
          { op: 'Replace', path: 'name.familyName', value: `Changed${i}` },
          { op: 'Replace', path: 'title', value: 'Senior Engineer' },
          { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Research' },
        );
      }
      if (i % 7 === 3) await patchUser(i, { op: 'Replace', path: 'emails[type eq "work"].value', value: `moved${i}@host-app.example` });
      if (i % 4 === 1) await patchUser(i, { op: 'Add', path: `${TEAMS}:teams`, value: ['Sales'] });
      if (i % 8 === 1) await patchUser(i, { op: 'Replace', path: `${TEAMS}:teams`, value: ['Support', 'Research'] });
      if (i % 5 === 2) await patchUser(i, { op: 'Replace', path: 'active', value: 'False' });
      if (i % 10 === 2) await patchUser(i, { op: 'Replace', path: 'active', value: 'True' });
      if (deleted(i)) expectStatus(await ctx.send('DELETE', `/Users/${ctx.ids[i]}`), 204);
      if (i % 48 === 7) expect(await provision(i)).toBe(ctx.ids[i]); // Entra provisions the person again: the same user comes back
    };
    const tasks: (() => Promise<unknown>)[] = [
      ...indices.map((i) => () => script(i)),
      ...[...Array(TOTAL - FIRST).keys()].map((n) => async () => {
        ctx.ids[FIRST + n] = await provision(FIRST + n);
      }),
      ...chunk(admins, 10).map(
        (batch) => async () => expectStatus(await ctx.send('PATCH', `/Groups/${admin}`, members('Add', batch)), 204),
      ),
      async () => expectStatus(await ctx.send('PATCH', `/Groups/${editor}`, members('Add', editors)), 204),
    ];
    shuffle(tasks);
    let done = 0;
    const changes = inParallel(tasks, 8, async (task) => {
      await task();
      done += 1;
    });
    while (done < tasks.length / 3) await new Promise((resolve) => setTimeout(resolve, 10));
    ctx.apps.push(await eventsApp('events app started mid-way (pages of 50)', 50), await webhookApp('webhook app started mid-way'));
    await changes;
    // Entra removes some users from Admin again: they go back to the default role.
    expectStatus(await ctx.send('PATCH', `/Groups/${admin}`, members('Remove', admins.slice(0, 10))), 204);

    const list = await expectInStep(ctx.apps);
    expect(list).toHaveLength(TOTAL);
    const byIndex = (i: number) => list.find((u) => u.id === ctx.ids[i]);
    const inactive = indices.filter((i) => (deleted(i) ? i % 48 !== 7 : i % 5 === 2 && i % 10 !== 2));
    expect(list.filter((u) => !u.active).map((u) => u.id)).toEqual(expect.arrayContaining(inactive.map((i) => ctx.ids[i])));
    expect(list.filter((u) => !u.active)).toHaveLength(inactive.length);
    expect(list.filter((u) => u.role.name === 'Admin')).toHaveLength(admins.length - 10);
    expect(list.filter((u) => u.role.name === 'Editor')).toHaveLength(editors.length);
    expect(byIndex(1)?.teams.map((t: any) => t.name)).toEqual(['Support', 'Research']);
    expect(byIndex(3)).toMatchObject({ familyName: 'Changed3', title: 'Senior Engineer', department: 'Research' });
    expect(ctx.apps.flatMap((app) => (app.events ? [app.events.loads] : []))).toEqual([1, 1]);
  }, 60_000);

  it('a renamed role and a renamed team reach every copy', async () => {
    const workspace = await requireWorkspace(server.store, SLUG);
    const sales = (await api(`/workspaces/${SLUG}/teams`)).data.find((t: any) => t.name === 'Sales');
    await renameRole(server.store, SLUG, 'Editor', 'Editors');
    await renameTeam(server.store, workspace, sales.id, 'Revenue');
    await inParallel([0, 6, 12, 18, 24], 5, (i) => patchUser(i, { op: 'Add', path: `${TEAMS}:teams`, value: ['Revenue'] }));
    const list = await expectInStep(ctx.apps);
    expect(list.filter((u) => u.role.name === 'Editors').length).toBeGreaterThan(0);
    expect(list.filter((u) => u.teams.some((t: any) => t.name === 'Revenue')).length).toBeGreaterThan(5);
    expect(list.some((u) => u.role.name === 'Editor' || u.teams.some((t: any) => t.name === 'Sales'))).toBe(false);
  }, 60_000);

  it('the webhook app refuses deliveries that are not signed with its secret, and applies a delivery once', async () => {
    const app = ctx.apps[1] as App & { webhooks: WebhookSync; secret: string };
    const url = `http://127.0.0.1:${(app.webhooks.server.address() as { port: number }).port}/roster`;
    // The first event about user 3, delivered long ago: sent again with its webhook-id, it must not undo the later changes.
    const first = (await api(`/events?types=user.created&limit=1000`)).data.find((e: any) => e.data.user.id === ctx.ids[3]);
    const body = JSON.stringify(first);
    const post = async (headers: Record<string, string>, text = body) =>
      (await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: text })).status;
    const before = app.table.get(ctx.ids[3] as string);
    expect(before).toMatchObject({ familyName: 'Changed3', title: 'Senior Engineer' });
    const otherSecret = `whsec_${Buffer.from('another secret, 32 bytes long!!!').toString('base64')}`;
    expect(await post(signed(otherSecret, first.id, body))).toBe(401);
    expect(await post(signed(app.secret, first.id, body), body.replace('Given3', 'Forged3'))).toBe(401);
    expect(app.webhooks.rejected).toBe(2);
    expect(app.table.get(ctx.ids[3] as string)).toEqual(before);
    // Signed as Roster signs it: accepted (2xx, so Roster would stop sending it) and ignored.
    expect(await post(signed(app.secret, first.id, body))).toBe(204);
    expect(app.table.get(ctx.ids[3] as string)).toEqual(before);
    expect(app.table.all()).toEqual(await usersList());
  }, 30_000);

  it('an events app stopped longer than the retention gets 410 cursor_expired and loads the users list again', async () => {
    const away = ctx.apps[2] as App & { events: EventsSync };
    await away.events.stop();
    await inParallel([...Array(20).keys()], 5, (n) => patchUser(n * 11, { op: 'Replace', path: 'title', value: `Title ${n}` }));
    await expectInStep(ctx.apps.filter((app) => app !== away));
    await pruneEvents(server.store, 0, Date.now() + 60_000);
    const expired = await fetch(`${server.url}/api/v1/events?after=${away.events.cursor}`, {
      headers: { authorization: `Bearer ${ctx.key}` },
    });
    expect(expired.status).toBe(410);
    await away.events.start();
    expectStatus(await ctx.send('DELETE', `/Users/${ctx.ids[299]}`), 204);
    await inParallel([...Array(10).keys()], 5, (n) => patchUser(n * 13 + 2, { op: 'Replace', path: 'name.givenName', value: `Back${n}` }));
    const list = await expectInStep(ctx.apps);
    expect(away.events.loads).toBe(2);
    expect(list.find((u) => u.id === ctx.ids[299])?.active).toBe(false);
  }, 60_000);
});

/** Standard Webhooks headers for a body, signed with `secret` as Roster signs deliveries. */
function signed(secret: string, id: string, body: string): Record<string, string> {
  const timestamp = new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, timestamp, body),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/** A fixed shuffle (the MINSTD generator), so a failure can be run again in the same order. */
function shuffle<T>(items: T[]): void {
  let seed = 15;
  for (let i = items.length - 1; i > 0; i--) {
    seed = (seed * 48_271) % 2_147_483_647;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
