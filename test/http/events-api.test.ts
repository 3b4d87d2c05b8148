import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/directory/api-keys/api-keys.js';
import { pruneEvents } from '../../src/directory/events/event-sequencer.js';
import { createTeam } from '../../src/directory/roles/teams.js';
import { newUser, patchOps, scimClient } from '../support/scim-server.js';
import { serverForSuite } from '../support/suite-setup.js';

/** The events API over HTTP (issue 15, docs/api.md): what each SCIM change records, paging, scopes, errors. */
describe('GET /api/v1/events', () => {
  const server = serverForSuite();

  const api = async (key: string, path: string) => {
    const response = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };

  /**
   * The workspace's events after `after`, of `types`: at least `count` of them, long-polling
   * until they are numbered (numbering follows the commit, on another connection).
   */
  async function eventsAfter(key: string, after?: string, types = '*', count = 1): Promise<{ data: any[]; next: string }> {
    const data: any[] = [];
    let cursor = after;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const wait = data.length < count ? 2 : 0;
      const page = await api(key, `/events?limit=1000&types=${types}&wait=${wait}${cursor ? `&after=${cursor}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      data.push(...page.body.data);
      cursor = page.body.next;
      if (!page.body.hasMore && (data.length >= count || Date.now() > deadline)) return { data, next: page.body.next };
    }
  }

  async function setUp(slug: string) {
    const token = await server.workspace(slug);
    await createTeam(server.store, slug, 'Design');
    await createTeam(server.store, slug, 'Sales');
    const key = (await createApiKey(server.store, slug, 'app')).key;
    return { scim: scimClient(server, token), key };
  }

  it('records one event per change, with the app user, the actor and the trace id, in order', async () => {
    const { scim, key } = await setUp('events-co');
    const created = await scim.post('/Users', newUser('ana@events.example', { name: { givenName: 'Ana', familyName: 'Lima' } }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const first = await eventsAfter(key, undefined, '*', 4);
    // Enabling SCIM and creating the two teams came first.
    expect(first.data.map((e) => [e.type, e.sequence])).toEqual([
      ['integration.enabled', 1],
      ['team.created', 2],
      ['team.created', 3],
      ['user.created', 4],
    ]);
    expect(first.data[0].data).toEqual({ provider: 'generic' });
    expect(first.data[0].actor).toEqual({ type: 'system' });
    const event = first.data[3];
    expect(event).toMatchObject({
      type: 'user.created',
      workspace: 'events-co',
      sequence: 4,
      actor: { type: 'scim', provider: 'generic' },
      traceId: created.headers.get('x-trace-id'),
      data: { user: { id, userName: 'ana@events.example', givenName: 'Ana', familyName: 'Lima', active: true, managedBy: 'scim' } },
    });
    expect(event.id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(event.data.user.role).toMatchObject({ name: 'Member' });

    const groups = await scim.get('/Groups?filter=displayName eq "Admin"');
    const admin = groups.body.Resources[0].id as string;
    await scim.patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'name.givenName', value: 'Anna' }));
    await scim.patch(`/Groups/${admin}`, patchOps({ op: 'add', path: 'members', value: [{ value: id }] }));
    // The role_changed event carries the user as the Groups write left it (built from what the write held).
    const afterMove = await api(key, `/workspaces/events-co/users/${id}`);
    expect(afterMove.status).toBe(200);
    await scim.patch(
      `/Users/${id}`,
      patchOps({ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams', value: ['Design'] }),
    );
    await scim.patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'active', value: false }));
    // A PUT that repeats what is stored changes nothing: no event.
    const current = (await scim.get(`/Users/${id}`)).body;
    expect((await scim.put(`/Users/${id}`, current)).status).toBe(200);
    await scim.delete(`/Users/${id}`);

    const rest = await eventsAfter(key, first.next, '*', 5);
    expect(rest.data.map((e) => e.type)).toEqual([
      'user.updated',
      'user.role_changed',
      'user.teams_changed',
      'user.deactivated',
      'user.removed',
    ]);
    expect(rest.data.map((e) => e.sequence)).toEqual([5, 6, 7, 8, 9]);
    expect(rest.data[0].data.changes).toEqual({
      givenName: { from: 'Ana', to: 'Anna' },
      displayName: { from: 'Ana Lima', to: 'Anna Lima' },
    });
    expect(rest.data[1].data).toMatchObject({ from: { name: 'Member' }, to: { id: admin, name: 'Admin' } });
    expect(rest.data[1].data.user).toEqual(afterMove.body);
    expect(rest.data[2].data).toMatchObject({ added: [{ name: 'Design' }], removed: [] });
    expect(rest.data[3].data.user.active).toBe(false);
  });

  it('records provisioning.refused when a request is refused for lack of seats, and nothing of the refused change', async () => {
    const token = await server.workspace('refusing-co', { seats: 1 });
    const scim = scimClient(server, token);
    const key = (await createApiKey(server.store, 'refusing-co', undefined)).key;
    expect((await scim.post('/Users', newUser('one@refusing.example'))).status).toBe(201);
    const refused = await scim.post('/Users', newUser('two@refusing.example'));
    expect(refused.status).toBe(409);
    const { data } = await eventsAfter(key, undefined, 'user.*,provisioning.*', 2);
    expect(data.map((e) => e.type)).toEqual(['user.created', 'provisioning.refused']);
    expect(data[1].data).toMatchObject({
      code: 'seat_limit',
      method: 'POST',
      path: '/scim/v2/Users',
      traceId: refused.headers.get('x-trace-id'),
    });
  });

  it('pages with limit and after, filters types with globs, and long-polls with wait', async () => {
    const { scim, key } = await setUp('paging-co');
    for (let i = 0; i < 5; i++) expect((await scim.post('/Users', newUser(`p${i}@paging.example`))).status).toBe(201);
    await eventsAfter(key, undefined, 'user.*', 5); // all five numbered
    const first = await api(key, '/events?limit=2');
    expect(first.body.data.map((e: any) => e.sequence)).toEqual([1, 2]);
    expect(first.body.hasMore).toBe(true);
    const second = await api(key, `/events?limit=2&after=${first.body.next}`);
    expect(second.body.data.map((e: any) => e.sequence)).toEqual([3, 4]);
    const filtered = await api(key, '/events?types=role.*,team.*');
    expect(filtered.body.data.map((e: any) => e.type)).toEqual(['team.created', 'team.created']);
    expect(filtered.body.hasMore).toBe(false);
    // A filtered page that found everything moves the cursor past what it skipped.
    expect((await api(key, `/events?types=team.*&after=${filtered.body.next}`)).body.data).toEqual([]);
    const all = await eventsAfter(key, undefined, '*', 8);
    const head = all.next;
    const started = Date.now();
    const [polled] = await Promise.all([
      api(key, `/events?wait=10&after=${head}`),
      new Promise((resolve) => setTimeout(resolve, 300)).then(() => scim.post('/Users', newUser('late@paging.example'))),
    ]);
    expect(polled.body.data.map((e: any) => e.type)).toEqual(['user.created']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await api(key, '/events?types=nothing.real')).status).toBe(400);

    // A long-poll filtered by type waits on while only events of other types arrive.
    const beforeTeam = (await api(key, '/events?after=latest')).body.next;
    const startedFiltered = Date.now();
    const [filteredPoll] = await Promise.all([
      api(key, `/events?types=user.*&wait=10&after=${beforeTeam}`),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await createTeam(server.store, 'paging-co', 'Marketing');
        await new Promise((resolve) => setTimeout(resolve, 600));
        await scim.post('/Users', newUser('filtered@paging.example'));
      })(),
    ]);
    expect(filteredPoll.body.data.map((e: any) => [e.type, e.data.user.userName])).toEqual([['user.created', 'filtered@paging.example']]);
    expect(Date.now() - startedFiltered).toBeGreaterThanOrEqual(800);

    // after=latest: no events, the cursor after the newest one; with wait, the next event.
    const latest = await api(key, '/events?after=latest&limit=1');
    expect(latest.body).toEqual({ data: [], next: expect.any(String), hasMore: false });
    expect((await api(key, `/events?after=${latest.body.next}`)).body.data).toEqual([]);
    const [next] = await Promise.all([
      api(key, '/events?after=latest&wait=10'),
      new Promise((resolve) => setTimeout(resolve, 300)).then(() => scim.post('/Users', newUser('later@paging.example'))),
    ]);
    expect(next.body.data.map((e: any) => [e.type, e.data.user.userName])).toEqual([['user.created', 'later@paging.example']]);
    const previous = (await api(key, `/events?after=${latest.body.next}`)).body.data;
    expect(previous.map((e: any) => e.data.user.userName)).toEqual(['later@paging.example']);
  });

  it('keys: a SCIM token is no API key and an API key no SCIM token; a workspace key sees only its workspace', async () => {
    const { key } = await setUp('keys-a');
    const tokenB = await server.workspace('keys-b');
    const unauthorized = await api(tokenB, '/events');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toMatchObject({ error: 'unauthorized' });
    expect((await scimClient(server, key).get('/Users')).status).toBe(401);
    expect((await api(key, '/events?workspace=keys-b')).status).toBe(404);
    expect((await api(key, '/workspaces/keys-b/users')).body).toMatchObject({ error: 'not_found' });
    expect((await api(key, '/workspaces')).body.data.map((w: any) => w.slug)).toEqual(['keys-a']);
    const instance = (await createApiKey(server.store, undefined, 'host app')).key;
    const slugs = (await api(instance, '/workspaces')).body.data.map((w: any) => w.slug);
    expect(slugs).toEqual(expect.arrayContaining(['keys-a', 'keys-b']));
    expect((await api(instance, '/events?workspace=keys-b')).status).toBe(200);
  });

  it('a cursor older than what retention kept answers 410 cursor_expired', async () => {
    const { scim, key } = await setUp('retained-co');
    expect((await scim.post('/Users', newUser('old@retained.example'))).status).toBe(201);
    const before = await api(key, '/events?limit=1');
    await eventsAfter(key, undefined, '*', 4);
    await pruneEvents(server.store, 0, Date.now() + 60_000);
    // The first page's cursor (after the first event) now points before the oldest retained event.
    const expired = await api(key, `/events?after=${before.body.next}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ error: 'cursor_expired' });
    expect((await api(key, '/events')).status).toBe(200);
  });

  it('serves an OpenAPI 3.1 document generated from the routes', async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    const document = (await response.json()) as any;
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/events',
        '/api/v1/workspaces',
        '/api/v1/workspaces/{slug}/users',
        '/api/v1/workspaces/{slug}/users/{id}',
      ]),
    );
    expect(document.components.schemas.AppUser.required).toContain('managedBy');
  });
});
