import { existsSync, statSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { ScimUserService } from '../../src/directory/scim/scim-users.js';
import { openStore } from '../../src/storage/open-store.js';
import {
  cleanUp,
  ENTERPRISE,
  engineCases,
  freshDatabase,
  PATCH_SCHEMA,
  type RosterProcess,
  report,
  scale,
  scimHttp,
  setUpWorkspace,
  startRoster,
  timeoutMs,
  USER_SCHEMA,
} from './reliability-support.js';

/**
 * Graceful shutdown on SIGTERM (issue 7; src/cli/serve-command.ts): stop accepting, let the
 * requests in flight finish with their normal answers, close the database, exit 0.
 *
 * Every in-flight request is one the server has already started: it runs on an open keep-alive
 * connection, and its headers and all but the last byte of its body were sent before the signal.
 * Half of them get their last byte just before SIGTERM (so the server is busy with them when the
 * signal arrives), half only after it (so they are still being received). The requests are slow
 * ones: large `POST /Users/.search` pages, ten-operation PATCHes, creates and group membership
 * changes. Then: every request got its normal status, none was reset; a new connection is
 * refused while they finish; the process exits 0 promptly although the client keeps its
 * keep-alive connections open (on SQLite the WAL is checkpointed away: the database was closed);
 * after a restart everything the requests wrote is there.
 */
const SEEDED = scale(150, 1000);

const PER_KIND = scale(6, 20);

interface Partial {
  readonly label: string;
  readonly expected: number;
  finish(): void;
  readonly response: Promise<{ status: number; text: string; at: number }>;
}

function partialRequest(
  agent: Agent,
  url: URL,
  token: string,
  method: string,
  path: string,
  body: unknown,
  expected: number,
  label: string,
): Partial {
  const payload = Buffer.from(JSON.stringify(body));
  const request = httpRequest({
    host: url.hostname,
    port: url.port,
    method,
    path: `/scim/v2${path}`,
    agent,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'content-length': String(payload.length) },
  });
  const response = new Promise<{ status: number; text: string; at: number }>((resolve, reject) => {
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), at: Date.now() }));
    });
    request.on('error', reject);
  });
  // Headers and all but the last byte now; the last byte on finish().
  request.write(payload.subarray(0, payload.length - 1));
  return { label, expected, finish: () => request.end(payload.subarray(payload.length - 1)), response };
}

/** Resolves with the connect error code, or 'connected' if the port still accepts. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const ENGINES = await engineCases();

describe('graceful shutdown on SIGTERM', () => {
  for (const { engine, skip, title } of ENGINES) {
    it.skipIf(skip).concurrent(
      `${title}: finishes ${4 * PER_KIND} in-flight requests, refuses new connections, exits 0 and keeps their writes`,
      async ({ expect }) => {
        const database = await freshDatabase(engine);
        const fixture = await setUpWorkspace(database.url, 'shutdown');
        const seededIds: string[] = [];
        {
          const store = await openStore(database.url);
          const users = new ScimUserService(store, loadConfig({ database: database.url }, {}).scim);
          const workspace = await store.read.workspaces.byId(fixture.workspaceId);
          if (!workspace) throw new Error('workspace missing');
          for (let i = 0; i < SEEDED; i++) {
            const { resource } = await users.create(
              { workspace, baseUrl: 'http://127.0.0.1/scim/v2' },
              {
                schemas: [USER_SCHEMA],
                userName: `seed${i}@shutdown.example.com`,
                name: { givenName: 'Seed', familyName: `${i}` },
                phoneNumbers: [{ value: `+1 555 ${i}`, type: 'work' }],
              },
            );
            seededIds.push(String(resource.id));
          }
          await store.close();
        }
        let server: RosterProcess | undefined;
        let restarted: RosterProcess | undefined;
        const agent = new Agent({ keepAlive: true, maxSockets: 4 * PER_KIND });
        try {
          server = await startRoster(database.url);
          const url = new URL(server.url);
          const probe = scimHttp(server.scimUrl, fixture.token, 4);
          const groups = await probe('GET', '/Groups?excludedAttributes=members');
          const adminId = (groups.body.Resources as Array<{ id: string; displayName: string }>).find((g) => g.displayName === 'Admin')?.id;
          expect(adminId).toBeDefined();
          probe.close();

          // Open the keep-alive connections the in-flight requests will use.
          const warm = Array.from({ length: 4 * PER_KIND }, () =>
            partialRequest(agent, url, fixture.token, 'POST', '/Users/.search', { count: 1 }, 200, 'warm-up'),
          );
          for (const w of warm) w.finish();
          for (const w of warm) expect((await w.response).status).toBe(200);

          const inFlight: Partial[] = [];
          const created: string[] = [];
          const patched: Array<{ id: string; title: string }> = [];
          const joined: string[] = [];
          for (let i = 0; i < PER_KIND; i++) {
            inFlight.push(
              partialRequest(
                agent,
                url,
                fixture.token,
                'POST',
                '/Users/.search',
                {
                  schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
                  filter: 'userName sw "seed"',
                  count: 1000,
                  sortBy: 'userName',
                },
                200,
                `search ${i}`,
              ),
            );
            const userName = `inflight${i}@shutdown.example.com`;
            created.push(userName);
            inFlight.push(
              partialRequest(
                agent,
                url,
                fixture.token,
                'POST',
                '/Users',
                { schemas: [USER_SCHEMA], userName, title: `Created ${i}`, name: { givenName: 'In', familyName: 'Flight' } },
                201,
                `create ${userName}`,
              ),
            );
            const id = seededIds[i] as string;
            const title = `Patched ${i}`;
            patched.push({ id, title });
            inFlight.push(
              partialRequest(
                agent,
                url,
                fixture.token,
                'PATCH',
                `/Users/${id}`,
                {
                  schemas: [PATCH_SCHEMA],
                  Operations: [
                    { op: 'replace', path: 'title', value: title },
                    { op: 'replace', path: 'displayName', value: `Display ${i}` },
                    { op: 'replace', path: 'nickName', value: `Nick ${i}` },
                    { op: 'replace', path: 'name.givenName', value: `Given ${i}` },
                    { op: 'replace', path: 'phoneNumbers', value: [{ value: `+1 666 ${i}`, type: 'mobile' }] },
                    { op: 'replace', path: `${ENTERPRISE}:department`, value: `Department ${i}` },
                  ],
                },
                200,
                `patch ${id}`,
              ),
            );
            const member = seededIds[SEEDED - 1 - i] as string;
            joined.push(member);
            inFlight.push(
              partialRequest(
                agent,
                url,
                fixture.token,
                'PATCH',
                `/Groups/${adminId}`,
                { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }] },
                204,
                `join ${member}`,
              ),
            );
          }
          // Let the server read every request's headers: each one is now in flight.
          await sleep(300);
          const before = inFlight.filter((_, i) => i % 2 === 0);
          const after = inFlight.filter((_, i) => i % 2 === 1);
          for (const r of before) r.finish();
          const sigtermAt = Date.now();
          server.child.kill('SIGTERM');
          // The listening socket closes once the signal is handled (on a busy SQLite server, a few event-loop turns later).
          let newConnection = await tryConnect(server.port);
          while (newConnection !== 'ECONNREFUSED' && Date.now() - sigtermAt < 5_000) {
            await sleep(50);
            newConnection = await tryConnect(server.port);
          }
          const refusedAfterMs = Date.now() - sigtermAt;
          for (const r of after) r.finish();
          const results = await Promise.allSettled(inFlight.map((r) => r.response));
          const answeredAt = Date.now();

          const problems: string[] = [];
          let completedAfterSigterm = 0;
          results.forEach((result, i) => {
            const r = inFlight[i] as Partial;
            if (result.status === 'rejected') problems.push(`${r.label}: ${(result.reason as Error).message} (reset instead of answered)`);
            else {
              if (result.value.status !== r.expected)
                problems.push(`${r.label}: ${result.value.status} ${result.value.text.slice(0, 300)}`);
              if (result.value.at >= sigtermAt) completedAfterSigterm++;
            }
          });
          expect(problems, 'in-flight requests').toEqual([]);
          expect(completedAfterSigterm, 'requests answered after SIGTERM').toBeGreaterThanOrEqual(after.length);
          expect(newConnection, 'a new connection within 5 s after SIGTERM').toBe('ECONNREFUSED');

          // The client keeps its keep-alive connections open, as IdPs do: the process must still exit promptly.
          // (Before the fix it waited for Fastify's 72 s keep-alive timeout on the connections that were busy at SIGTERM.)
          const exit = await Promise.race([server.exited, sleep(10_000).then(() => 'no exit within 10 s of the last answer' as const)]);
          report(
            `shutdown ${engine}: ${inFlight.length} requests in flight at SIGTERM (${before.length} being processed, ${after.length} still being received); ` +
              `${completedAfterSigterm} answered after the signal, ${problems.length} failed, last answer ${answeredAt - sigtermAt} ms after SIGTERM; ` +
              `new connections refused ${refusedAfterMs} ms after SIGTERM; ` +
              `exit ${typeof exit === 'string' ? exit : `code ${exit.code}`} ${Date.now() - sigtermAt} ms after SIGTERM, with the client's keep-alive connections still open`,
          );
          expect(exit).toEqual({ code: 0, signal: null });
          expect(server.errorLogLines(), 'errors logged during shutdown').toEqual([]);
          if (engine === 'sqlite') {
            // A clean close checkpoints the WAL and removes it; a process that died with the database open leaves it behind.
            const wal = `${database.url}-wal`;
            expect(existsSync(wal) ? statSync(wal).size : 0, 'WAL left behind: the database was not closed').toBe(0);
          }

          // Restart: everything the in-flight requests wrote is there.
          restarted = await startRoster(database.url);
          const call = scimHttp(restarted.scimUrl, fixture.token, 4);
          for (const userName of created) {
            const found = await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
            expect(found.body.totalResults, `created ${userName}`).toBe(1);
            expect(found.body.Resources[0].title).toMatch(/^Created /);
          }
          for (const { id, title } of patched) {
            const user = await call('GET', `/Users/${id}`);
            expect(user.status).toBe(200);
            expect(user.body.title, `patched ${id}`).toBe(title);
            expect(user.body[ENTERPRISE]?.department).toBe(title.replace('Patched', 'Department'));
            expect(user.body.phoneNumbers).toEqual([{ value: `+1 666 ${title.split(' ')[1]}`, type: 'mobile' }]);
          }
          const admin = await call('GET', `/Groups/${adminId}`);
          const members = new Set((admin.body.members ?? []).map((m: { value: string }) => m.value));
          for (const id of joined) expect(members.has(id), `member ${id} of Admin`).toBe(true);
          call.close();
        } finally {
          await cleanUp(
            () => agent.destroy(),
            () => server?.stop(),
            () => restarted?.stop(),
            () => database.drop(),
          );
        }
      },
      timeoutMs(90_000, 300_000),
    );
  }
});
