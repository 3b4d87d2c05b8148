import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/directory/api-keys/api-keys.js';
import { isDirectoryError } from '../../src/directory/errors.js';
import { encodeCursor } from '../../src/directory/events/event-reading.js';
import { pruneEvents } from '../../src/directory/events/event-sequencer.js';
import { createTeam } from '../../src/directory/roles/teams.js';
import { addWebhook, listWebhooks } from '../../src/directory/webhooks/webhooks.js';
import { HttpWebhookSender } from '../../src/webhooks/http-webhook-sender.js';
import { newUser, patchOps, scimClient } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';

/**
 * Hostile input on the application API (issue 15; the standard "every new input surface goes into
 * the fuzz and isolation tests, on both engines"): fast-check over /api/v1 paths, query
 * parameters and Authorization headers. Never a 5xx; every error is `{"error", "message"}` with
 * a documented status and the code that goes with it; a 2xx only for a live API key; and a
 * workspace key's 2xx never shows anything of the other workspace.
 */
describe('/api/v1 under hostile input', () => {
  const server = serverForSuite({ ROSTER_RATE_LIMIT: '0', ROSTER_API_RATE_LIMIT: '0' });

  interface Side {
    readonly slug: string;
    readonly id: string;
    readonly key: string;
    readonly token: string;
    /** Every id and name of this workspace that must never reach the other workspace's key. */
    readonly secrets: string[];
  }
  let a: Side;
  let b: Side;
  let instanceKey: string;
  let revokedKey: string;
  let scimToken: string;
  /** Cursors: valid ones of each stream, and one before the retained events of a. */
  let cursors: Record<string, string>;

  async function side(slug: string): Promise<Side> {
    const token = await server.workspace(slug);
    const scim = scimClient(server, token);
    const team = await createTeam(server.store, slug, `Team of ${slug}`);
    const secrets = [slug, team.id, team.name];
    for (let i = 0; i < 4; i++) {
      const created = await scim.post('/Users', newUser(`member${i}@${slug}.example`, { externalId: `ext-${slug}-${i}` }));
      expect(created.status).toBe(201);
      secrets.push(created.body.id, `member${i}@${slug}.example`, `ext-${slug}-${i}`);
    }
    const workspace = await server.store.read.workspaces.bySlug(slug);
    for (const role of await server.store.read.roles.list(workspace?.id as string)) secrets.push(role.id);
    return { slug, id: workspace?.id as string, key: (await createApiKey(server.store, slug, 'fuzz')).key, token, secrets };
  }

  /** Waits until the instance stream holds `count` events (numbering follows the commits). */
  async function numbered(count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const response = await fetch(`${server.url}/api/v1/events?limit=1000`, { headers: { authorization: `Bearer ${instanceKey}` } });
      const body = (await response.json()) as any;
      if (body.data.length >= count) return;
      if (Date.now() > deadline) throw new Error(`only ${body.data.length} of ${count} events were numbered`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    instanceKey = (await createApiKey(server.store, undefined, 'fuzz host')).key;
    a = await side('fuzz-a');
    b = await side('fuzz-b');
    const revoked = await createApiKey(server.store, 'fuzz-a', 'revoked');
    await revokeApiKey(server.store, revoked.id);
    revokedKey = revoked.key;
    // Everything so far is pruned, so a's stream has a watermark: an old cursor of a gets 410.
    await numbered(1);
    await pruneEvents(server.store, 0, Date.now() + 60_000);
    // Events after the prune: what the isolation check reads.
    for (const s of [a, b]) {
      const scim = scimClient(server, s.token);
      for (const user of (await scim.get('/Users')).body.Resources as any[]) {
        expect((await scim.patch(`/Users/${user.id}`, patchOps({ op: 'replace', path: 'title', value: 'Fuzzed' }))).status).toBe(200);
      }
    }
    scimToken = a.token;
    await numbered(8);
    cursors = {
      a0: encodeCursor(a.id, 0),
      a1: encodeCursor(a.id, 1),
      a2: encodeCursor(a.id, 2),
      b0: encodeCursor(b.id, 0),
      b1: encodeCursor(b.id, 1),
      all0: encodeCursor('*', 0),
      aHuge: encodeCursor(a.id, 999_999_999_999_999),
    };
  });

  const hostile = [
    '',
    '%00',
    'a%00b',
    '%ED%A0%80',
    '%F0%9F%98%80',
    '%FF',
    '%',
    '%zz',
    '-1',
    '0',
    '1',
    '1001',
    '1e3',
    '1.5',
    '0x10',
    'NaN',
    'Infinity',
    '99999999999999999999',
    'true',
    'false',
    'null',
    '[]',
    '{}',
    '..',
    '%2F',
    '%2E%2E',
    '*',
    'user.*',
    '*.*',
    'user.',
    'USER.*',
    ',,,',
    'user.created,,role.*',
    'nothing.real',
    '%20user.*%20',
    'fuzz-a',
    'fuzz-b',
    'Team%20of%20fuzz-b',
    'x'.repeat(300),
    'y'.repeat(10_000),
  ];
  const cursorNames = ['a0', 'a1', 'a2', 'b0', 'b1', 'all0', 'aHuge'];
  const garbageCursors = [
    Buffer.from('v1.*.-1').toString('base64url'),
    Buffer.from('v1.*.1e3').toString('base64url'),
    Buffer.from('v2.*.1').toString('base64url'),
    Buffer.from('v1.00000000-0000-0000-0000-000000000000.5').toString('base64url'),
    Buffer.from('v1.*.1234567890123456').toString('base64url'),
    Buffer.from('u1.00000000-0000-0000-0000-000000000000').toString('base64url'),
    'djEuKi4x!!!',
    '====',
  ];

  const anyOf = (...values: string[]) => fc.constantFrom(...values);
  const cursor = fc.oneof(
    { arbitrary: fc.constantFrom(...cursorNames).map((name) => `@${name}`), weight: 3 },
    { arbitrary: fc.constantFrom(...garbageCursors), weight: 2 },
    { arbitrary: fc.constantFrom(...hostile), weight: 1 },
  );
  const anything = fc.oneof(fc.constantFrom(...hostile), fc.string({ maxLength: 20 }).map(encodeURIComponent));
  /** Values by parameter, mostly of the right kind; `wait` never a valid positive number (it would long-poll). */
  const parameter = fc.oneof(
    { arbitrary: fc.tuple(fc.constant('after'), cursor), weight: 4 },
    { arbitrary: fc.tuple(fc.constant('cursor'), cursor), weight: 1 },
    { arbitrary: fc.tuple(fc.constant('limit'), fc.oneof(anyOf('1', '2', '50', '1000'), anything)), weight: 2 },
    { arbitrary: fc.tuple(fc.constant('types'), fc.oneof(anyOf('user.*', '*', 'role.*,team.*', 'user.updated'), anything)), weight: 2 },
    { arbitrary: fc.tuple(fc.constant('workspace'), fc.oneof(anyOf('fuzz-a', 'fuzz-b', 'nope'), anything)), weight: 2 },
    { arbitrary: fc.tuple(fc.constant('wait'), anyOf('0', '-1', '31', 'x', '1.5', '%00', '', 'null', '99999999999999999999')), weight: 1 },
    {
      arbitrary: fc.tuple(
        fc.constantFrom('active', 'role', 'team', 'q'),
        fc.oneof(anyOf('true', 'false', 'Admin', 'Team%20of%20fuzz-b'), anything),
      ),
      weight: 2,
    },
    { arbitrary: fc.tuple(fc.constantFrom('x', 'AFTER', 'limit[]', 'after[]', '%00', ''), anything), weight: 1 },
  );
  const segment = fc.oneof(
    { arbitrary: fc.constantFrom('fuzz-a', 'fuzz-b', 'nope', '@user-a', '@user-b'), weight: 3 },
    { arbitrary: fc.constantFrom(...hostile.filter((h) => h !== '')), weight: 2 },
  );
  const path = fc.oneof(
    { arbitrary: fc.constant('/events'), weight: 8 },
    { arbitrary: fc.constant('/workspaces'), weight: 1 },
    { arbitrary: fc.constant('/openapi.json'), weight: 1 },
    {
      arbitrary: fc.tuple(segment, fc.constantFrom('users', 'roles', 'teams', 'events', '')).map(([s, leaf]) => `/workspaces/${s}/${leaf}`),
      weight: 4,
    },
    { arbitrary: fc.tuple(segment, segment).map(([s, id]) => `/workspaces/${s}/users/${id}`), weight: 2 },
    { arbitrary: segment.map((s) => `/workspaces/${s}`), weight: 1 },
    { arbitrary: fc.constantFrom('/', '', '/events/', '//events', '/EVENTS', '/events/x', '/workspaces/fuzz-a/users/'), weight: 1 },
  );
  type Auth = 'a' | 'b' | 'instance' | 'none' | 'invalid';
  const authorization = fc.oneof(
    { arbitrary: fc.constantFrom<[string, Auth]>(['Bearer @a', 'a'], ['Bearer @b', 'b'], ['Bearer @instance', 'instance']), weight: 2 },
    fc.constantFrom<[string, Auth]>(
      ['Bearer @a', 'a'],
      ['bearer @a', 'a'],
      ['BEARER @a', 'a'],
      ['Bearer\t@a', 'a'],
      ['Bearer   @a   ', 'a'],
      ['Bearer @b', 'b'],
      ['Bearer @instance', 'instance'],
      ['Bearer @revoked', 'invalid'],
      ['Bearer @scim', 'invalid'],
      ['Bearer @a-truncated', 'invalid'],
      ['Bearer @a-longer', 'invalid'],
      ['Bearer @a @a', 'invalid'],
      ['Basic @a', 'invalid'],
      ['@a', 'invalid'],
      ['Bearer', 'invalid'],
      ['Bearer ', 'invalid'],
      ['Bearer roster_key_', 'invalid'],
      ['Bearer roster_key_00000000000000000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'invalid'],
      ['', 'none'],
    ),
  );

  /** Replaces the placeholders (`@a`, `@a0`, `@user-b` …) by the keys, cursors and ids of this run. */
  const fill = (text: string): string =>
    text.replace(/@(a-truncated|a-longer|aHuge|all0|a0|a1|a2|b0|b1|user-a|user-b|instance|revoked|scim|a|b)/g, (_, name: string) => {
      const values: Record<string, string> = {
        'a-truncated': a.key.slice(0, -1),
        'a-longer': `${a.key}A`,
        'user-a': a.secrets[3] as string,
        'user-b': b.secrets[3] as string,
        instance: instanceKey,
        revoked: revokedKey,
        scim: scimToken,
        a: a.key,
        b: b.key,
        ...cursors,
      };
      return values[name] as string;
    });

  const STATUS_OF: Record<string, number> = {
    invalid_request: 400,
    unauthorized: 401,
    not_found: 404,
    cursor_expired: 410,
    rate_limited: 429,
  };

  it('never answers 5xx; errors are {error, message} with their documented status; a workspace key never sees the other workspace', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'DELETE'),
        path,
        fc.array(parameter, { maxLength: 5 }),
        authorization,
        async (method, route, parameters, [header, auth]) => {
          const query = parameters.map(([name, value]) => `${name}=${fill(value)}`).join('&');
          const url = `${server.url}/api/v1${fill(route)}${query ? `?${query}` : ''}`;
          const response = await fetch(url, { method, headers: header ? { authorization: fill(header) } : {} });
          const text = await response.text();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          const context = `${method} ${url.slice(0, 300)} (${auth}) → ${response.status} ${text.slice(0, 300)}`;
          expect([200, 400, 401, 404, 410], context).toContain(response.status);
          expect(response.headers.get('content-type'), context).toMatch(/^application\/json/);
          const body = JSON.parse(text);
          if (response.status >= 400) {
            expect(Object.keys(body).sort(), context).toEqual(['error', 'message']);
            expect(STATUS_OF[body.error], context).toBe(response.status);
            expect(typeof body.message).toBe('string');
            return;
          }
          if (route === '/openapi.json') return;
          // A 2xx for anything but a live API key would be an authentication bypass.
          expect(['a', 'b', 'instance'], context).toContain(auth);
          const other = auth === 'a' ? b : auth === 'b' ? a : undefined;
          for (const secret of other?.secrets ?? []) expect(text.includes(secret), `${context}: shows ${secret}`).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
    // The run reached the interesting answers, not only 401s and 404s (410s: the next test).
    for (const status of [200, 400, 401, 404]) expect(statuses.get(status) ?? 0, `${status} in ${[...statuses]}`).toBeGreaterThan(5);
  }, 120_000);

  it('answers the documented status for each kind of refusal, and keeps every workspace key to its workspace', async () => {
    const cases: Array<[string, string, number, string?]> = [
      ['Bearer @a', '/events?after=@a0', 410, 'cursor_expired'],
      ['Bearer @a', '/events?after=@a1', 410, 'cursor_expired'],
      ['Bearer @instance', '/events?after=@all0', 410, 'cursor_expired'],
      ['Bearer @instance', '/events?workspace=fuzz-a&after=@a0', 410, 'cursor_expired'],
      ['Bearer @a', '/events?after=@b1', 400, 'invalid_request'],
      ['Bearer @b', '/events?after=@a1', 400, 'invalid_request'],
      ['Bearer @instance', '/events?after=@a1', 400, 'invalid_request'],
      ['Bearer @a', '/events?after=@all0', 400, 'invalid_request'],
      ['Bearer @a', '/events?after=@a1&after=@a1', 400, 'invalid_request'],
      ['Bearer @a', '/events?limit=0', 400, 'invalid_request'],
      ['Bearer @a', '/events?limit=1001', 400, 'invalid_request'],
      ['Bearer @a', '/events?limit=-1', 400, 'invalid_request'],
      ['Bearer @a', '/events?wait=31', 400, 'invalid_request'],
      ['Bearer @a', '/events?types=nothing.real', 400, 'invalid_request'],
      ['Bearer @a', '/events?types=user.', 400, 'invalid_request'],
      ['Bearer @a', '/events?types=a%00b', 400, 'invalid_request'],
      ['Bearer @a', '/events?types=%ED%A0%80', 400, 'invalid_request'],
      ['Bearer @a', '/workspaces/a%00b/users', 400, 'invalid_request'],
      ['Bearer @a', '/workspaces/%ED%A0%80/users', 400, 'invalid_request'],
      ['Bearer @a', '/workspaces/fuzz-a/users?q=%00', 400, 'invalid_request'],
      ['Bearer @a', '/workspaces/fuzz-a/users?cursor=@a1', 400, 'invalid_request'],
      ['Bearer @a', `/workspaces/${'z'.repeat(3000)}/users`, 404, 'not_found'],
      ['Bearer @a', '/events?workspace=fuzz-b', 404, 'not_found'],
      ['Bearer @a', '/workspaces/fuzz-b/users', 404, 'not_found'],
      ['Bearer @a', '/workspaces/fuzz-b/teams', 404, 'not_found'],
      ['Bearer @a', '/workspaces/fuzz-b/users/@user-b', 404, 'not_found'],
      ['Bearer @a', '/workspaces/fuzz-a/users/@user-b', 404, 'not_found'],
      ['Bearer @instance', '/workspaces/fuzz-a/users/@user-b', 404, 'not_found'],
      ['Bearer @revoked', '/events', 401, 'unauthorized'],
      ['Bearer @scim', '/events', 401, 'unauthorized'],
      ['Bearer @a-truncated', '/events', 401, 'unauthorized'],
      ['Basic @a', '/events', 401, 'unauthorized'],
      ['', '/workspaces', 401, 'unauthorized'],
      ['Bearer @a', '/events?after=@aHuge', 200],
      ['bearer @a', '/workspaces/fuzz-a/users/@user-a', 200],
      ['BEARER\t@instance', '/workspaces/fuzz-b/users/@user-b', 200],
    ];
    for (const [header, route, status, error] of cases) {
      const response = await fetch(`${server.url}/api/v1${fill(route)}`, { headers: header ? { authorization: fill(header) } : {} });
      const body = (await response.json()) as any;
      expect(response.status, `${header} ${route}: ${JSON.stringify(body).slice(0, 300)}`).toBe(status);
      if (error) expect(body, route).toEqual({ error, message: expect.any(String) });
    }
    // A cursor past the head reads nothing and keeps its place.
    const ahead = await fetch(`${server.url}/api/v1/events?after=${cursors.aHuge}`, { headers: { authorization: `Bearer ${a.key}` } });
    expect(await ahead.json()).toEqual({ data: [], next: cursors.aHuge, hasMore: false });
    // Each workspace key's every list holds its own workspace only.
    for (const [own, other] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const route of [
        '/events?limit=1000',
        '/workspaces',
        `/workspaces/${own.slug}/users?limit=1000`,
        `/workspaces/${own.slug}/teams`,
      ]) {
        const response = await fetch(`${server.url}/api/v1${route}`, { headers: { authorization: `Bearer ${own.key}` } });
        const text = await response.text();
        expect(response.status, route).toBe(200);
        expect(JSON.parse(text).data.length, route).toBeGreaterThan(0);
        for (const secret of other.secrets) expect(text.includes(secret), `${own.slug} ${route} shows ${secret}`).toBe(false);
      }
    }
  });
});

/**
 * Hostile webhook URLs through `addWebhook` (what `roster webhook add` calls), with the production
 * policy and with private addresses allowed (development, tests): always a clean `invalidArgument`
 * refusal, never another error, and nothing stored.
 */
describe('webhook URLs under hostile input', () => {
  const server = serverForSuite();
  const production = new HttpWebhookSender({ allowPrivate: false, timeoutMs: 1000 });
  const development = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 1000 });

  /** Refused by both policies: not a URL Roster can call, or not a string it can store. */
  const alwaysRefused = [
    '',
    ' ',
    'not a url',
    'https://8.8.8.8/a\u0000b',
    'https://exa\u0000mple.com/',
    'https://8.8.8.8/\uD800',
    'https://8.8.8.8/a\u001Fb',
    'https://8.8.8.8/a\nb',
    'https://8.8.8.8/a\tb',
    'https://8.8.8.8/a\u007Fb',
    `https://8.8.8.8/${'a'.repeat(10_000)}`,
    `https://${'a'.repeat(2100)}.example/`,
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/plain,hello',
    'ftp://8.8.8.8/',
    'ws://8.8.8.8/',
    'gopher://8.8.8.8:70/',
    'https://user:secret@8.8.8.8/',
    'https://user@8.8.8.8/',
    'https://:secret@8.8.8.8/',
    'https://[fe80::1%25eth0]/',
    'https://[::1',
    'https://8.8.8.8:99999/',
    '//8.8.8.8/hook',
    '/relative/hook',
  ];
  /** Refused by the production policy: loopback, private, link-local and metadata addresses in every spelling, and plain http. */
  const refusedInProduction = [
    'http://8.8.8.8/',
    'http://2130706433/',
    'https://2130706433/',
    'https://0x7f.1/',
    'https://017700000001/',
    'https://127.1/',
    'https://0.0.0.0/',
    'https://[::1]/',
    'https://[::]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:a9fe:a9fe]/',
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.1/',
    'https://192.168.1.1/',
    'https://localhost/',
    'https://LOCALHOST./',
  ];

  async function expectRefused(sender: HttpWebhookSender, url: string): Promise<void> {
    const before = (await listWebhooks(server.store)).length;
    const outcome = await addWebhook(server.store, sender, url).then(
      (added) => ({ added }),
      (error: unknown) => ({ error }),
    );
    const label = JSON.stringify(url.slice(0, 80));
    if ('added' in outcome) throw new Error(`${label} was accepted and stored as ${JSON.stringify(outcome.added.url.slice(0, 80))}`);
    expect(isDirectoryError(outcome.error) ? outcome.error.code : String(outcome.error), label).toBe('invalidArgument');
    expect((await listWebhooks(server.store)).length, label).toBe(before);
  }

  it('refuses each hostile URL with invalidArgument and stores nothing, with either policy', async () => {
    for (const url of [...alwaysRefused, ...refusedInProduction]) await expectRefused(production, url);
    for (const url of alwaysRefused) await expectRefused(development, url);
    expect(await listWebhooks(server.store)).toEqual([]);
  });

  it('refuses public URLs holding a NUL, a lone surrogate or a control character anywhere (fast-check)', async () => {
    const bad = fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\u0001', '\u001B', '\r', '\n', '\t', '\u007F');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('https://8.8.8.8', 'https://[2606:4700:4700::1111]'),
        fc.string({ maxLength: 30 }),
        bad,
        fc.string({ maxLength: 30 }),
        fc.constantFrom('/', '/?q=', '/#'),
        async (origin, left, hostile, right, joint) => expectRefused(production, `${origin}${joint}${left}${hostile}${right}`),
      ),
      { numRuns: 150 },
    );
    expect(await listWebhooks(server.store)).toEqual([]);
  });

  it('still accepts an ordinary public https URL, so the refusals above are not refusals of everything', async () => {
    const added = await addWebhook(server.store, production, 'https://8.8.8.8/hooks/roster?x=1');
    expect(added).toMatchObject({ url: 'https://8.8.8.8/hooks/roster?x=1', workspace: null });
    expect((await listWebhooks(server.store)).map((w) => w.url)).toEqual(['https://8.8.8.8/hooks/roster?x=1']);
  });
});
