import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApp } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/config.js';
import type { User } from '../../src/directory/model.js';
import { listRoles } from '../../src/directory/roles/roles.js';
import { appUserRecord, listAppUsers, setUserActive } from '../../src/directory/users/app-users.js';
import { isPostgresUrl, openStore } from '../../src/storage/open-store.js';
import type { SqlStore } from '../../src/storage/sql/sql-store.js';
import {
  newUser,
  patchOps,
  type ScimClient,
  type ScimResponse,
  scimClient,
  startServer,
  type TestServer,
  USER_SCHEMA,
} from '../support/scim-server.js';
import { TEST_ENGINE } from '../support/test-database.js';

/**
 * Issue 13, defect 2: seat limit bypass under a race. A guest takes no seat and an inactive user
 * takes none, so activating an inactive guest and moving it into a non-guest role each need no
 * seat on their own; together they make the user take one. Sent at the same moment, both must
 * not succeed when no seat is free. On PostgreSQL the two requests go to two server instances on
 * the same database (separate connection pools), as in a multi-instance deployment.
 */
describe('seat limit under races (issue 13, defect 2)', () => {
  let server: TestServer;
  let second: { app: FastifyInstance; store: SqlStore; url: string } | undefined;

  beforeAll(async () => {
    server = await startServer({ ROSTER_RATE_LIMIT: '0' });
    if (isPostgresUrl(server.database)) second = await startSecondInstance(server.database);
  });
  afterAll(async () => {
    await second?.app.close();
    await second?.store.close();
    await server?.close();
  });

  const ROUNDS = 30;
  const GUESTS = 8;

  interface RaceWorkspace {
    readonly slug: string;
    readonly id: string;
    readonly seats: number;
    readonly guestRole: string;
    readonly memberRole: string;
    /** Client of the first instance, and of the second one on PostgreSQL (else the first again). */
    readonly a: ScimClient;
    readonly b: ScimClient;
  }

  async function raceWorkspace(slug: string, seats: number): Promise<RaceWorkspace> {
    const token = await server.workspace(slug, { seats });
    const roles = await listRoles(server.store, slug);
    const workspace = await server.store.read.workspaces.bySlug(slug);
    const a = scimClient(server, token);
    const b = second ? scimClient({ ...server, scimUrl: `${second.url}/scim/v2` }, token) : a;
    return {
      slug,
      id: workspace?.id as string,
      seats,
      guestRole: roles.find((r) => r.isGuest)?.id as string,
      memberRole: roles.find((r) => r.name === 'Member')?.id as string,
      a,
      b,
    };
  }

  /**
   * Inactive guests: app users (as `roster user add --role Guest` makes them, userName = email),
   * inactive, written in one transaction per round to keep the rounds quick.
   */
  async function inactiveGuests(w: RaceWorkspace, round: number): Promise<Array<{ id: string; email: string }>> {
    const guests: User[] = Array.from({ length: GUESTS }, (_, i) =>
      appUserRecord(w.id, w.guestRole, { email: `guest-${round}-${i}@partner.example`, givenName: 'G', familyName: `Uest ${i}` }, false),
    );
    await server.store.transaction((repos) => repos.users.insertMany(guests));
    return guests.map((g) => ({ id: g.id, email: g.email }));
  }

  /**
   * The invariant, counted from the users themselves: active users whose role is not the guest
   * role are at most the seats; the trigger-kept counter agrees with that count.
   */
  async function expectWithinSeats(w: RaceWorkspace, round: number, responses: readonly ScimResponse[]): Promise<void> {
    const users = await listAppUsers(server.store, w.slug, 10_000);
    const seated = users.filter((u) => u.active && u.roleId !== w.guestRole).length;
    const context = `round ${round}: ${seated} active non-guest users on ${w.seats} seat(s); statuses ${responses.map((r) => r.status).join(',')}`;
    expect(seated, context).toBeLessThanOrEqual(w.seats);
    expect(await server.store.read.users.countSeatsUsed(w.id), `${context}; the seats_used counter`).toBe(seated);
  }

  /** Every answer is a success or the seatLimit refusal (409, no scimType): never a 500. */
  function expectSuccessOrSeatLimit(responses: readonly ScimResponse[], success: number): void {
    for (const response of responses) {
      if (response.status === success) continue;
      expect(response.status, JSON.stringify(response.body)).toBe(409);
      expect(response.body.scimType).toBeUndefined();
      expect(response.body.detail).toMatch(/no free seat/);
    }
  }

  it('PATCH /Users active:true and PATCH /Groups add of the same inactive guest, at the same moment, never exceed the seats', async () => {
    const w = await raceWorkspace('race-patch', 1);
    expect((await w.a.post('/Users', newUser('holder@example.com'))).status).toBe(201);
    for (let round = 0; round < ROUNDS; round++) {
      const guests = await inactiveGuests(w, round);
      const responses = await Promise.all(
        guests.flatMap(({ id }, i) => [
          (i % 2 ? w.a : w.b).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'active', value: true })),
          (i % 2 ? w.b : w.a).patch(`/Groups/${w.memberRole}`, patchOps({ op: 'add', path: 'members', value: [{ value: id }] })),
        ]),
      );
      expectSuccessOrSeatLimit(
        responses.filter((_, n) => n % 2 === 0),
        200,
      );
      expectSuccessOrSeatLimit(
        responses.filter((_, n) => n % 2 === 1),
        204,
      );
      await expectWithinSeats(w, round, responses);
    }
  });

  it('PUT /Users, PATCH /Users, POST /Users matching the app user, and the CLI activation, racing a role move of the same inactive guest, never exceed the seats', async () => {
    const w = await raceWorkspace('race-mixed', 1);
    const holder = await w.a.post('/Users', newUser('holder@example.com'));
    expect(holder.status).toBe(201);
    for (let round = 0; round < Math.ceil(ROUNDS / 3); round++) {
      const guests = await inactiveGuests(w, round);
      const responses: ScimResponse[] = [];
      await Promise.all(
        guests.map(async ({ id, email }, i) => {
          const client = i % 2 ? w.a : w.b;
          const other = i % 2 ? w.b : w.a;
          const activate = async (): Promise<ScimResponse | undefined> => {
            if (i % 4 === 0) {
              return client.put(`/Users/${id}`, { schemas: [USER_SCHEMA], userName: email, active: true, title: `Round ${round}` });
            }
            if (i % 4 === 1) {
              return client.patch(`/Users/${id}`, patchOps({ op: 'replace', value: { active: 'True', title: 'x' } }));
            }
            if (i % 4 === 2) {
              // An IdP pushing the app user it matches by userName (the guest's email) as active.
              return client.post('/Users', newUser(email, { title: `Round ${round}` }));
            }
            // The CLI's `roster user activate`: refused with the directory's seat error, or done.
            await setUserActive(server.store, w.slug, email, true).catch((error: Error) => {
              expect(error.message).toMatch(/no free seat/);
            });
            return undefined;
          };
          // Joining by PUT /Groups keeps the seat holder in the member list.
          const join =
            i % 2
              ? other.patch(`/Groups/${w.memberRole}`, patchOps({ op: 'add', path: 'members', value: [{ value: id }] }))
              : other.put(`/Groups/${w.memberRole}`, {
                  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
                  displayName: 'Member',
                  members: [{ value: holder.body.id }, { value: id }],
                });
          const [activated, joined] = await Promise.all([activate(), join]);
          if (activated) {
            expectSuccessOrSeatLimit([activated], i % 4 === 2 ? 201 : 200);
            responses.push(activated);
          }
          expect([200, 204, 409], JSON.stringify(joined.body)).toContain(joined.status);
          expectSuccessOrSeatLimit([joined], joined.status === 409 ? 0 : joined.status);
          responses.push(joined);
        }),
      );
      await expectWithinSeats(w, round, responses);
    }
  });

  it.skipIf(TEST_ENGINE !== 'postgres')(
    'only a change that takes a seat waits for the workspace row lock: edits, role moves and deactivations do not',
    async () => {
      const w = await raceWorkspace('race-lock', 3);
      const active = (await w.a.post('/Users', newUser('active@example.com'))).body;
      const mover = (await w.a.post('/Users', newUser('mover@example.com'))).body;
      const idle = (await w.a.post('/Users', newUser('idle@example.com', { active: false }))).body;
      const admin = (await listRoles(server.store, w.slug)).find((r) => r.name === 'Admin')?.id as string;
      // Another session holds the workspace row lock, as a seat check in progress does.
      const holder = new pg.Client({ connectionString: server.database });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('select id from workspaces where id = $1 for update', [w.id]);
        const edit = await promptly(w.b.patch(`/Users/${active.id}`, patchOps({ op: 'replace', path: 'title', value: 'Edited' })));
        expect(edit.status, JSON.stringify(edit.body)).toBe(200);
        const move = await promptly(w.a.patch(`/Groups/${admin}`, patchOps({ op: 'add', path: 'members', value: [{ value: mover.id }] })));
        expect(move.status, JSON.stringify(move.body)).toBe(204);
        const off = await promptly(w.b.patch(`/Users/${mover.id}`, patchOps({ op: 'replace', path: 'active', value: false })));
        expect(off.status, JSON.stringify(off.body)).toBe(200);
        // An activation needs a seat: it waits for the lock.
        let settled = false;
        const activation = w.a.patch(`/Users/${idle.id}`, patchOps({ op: 'replace', path: 'active', value: true })).finally(() => {
          settled = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(settled, 'the activation waits for the workspace row').toBe(false);
        await holder.query('commit');
        expect((await activation).status).toBe(200);
      } finally {
        await holder.query('rollback').catch(() => undefined);
        await holder.end();
      }
    },
  );
});

/** The response, or a failure when it takes more than 5 s (it would be waiting for a lock). */
async function promptly(response: Promise<ScimResponse>): Promise<ScimResponse> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 5 s: the request waits for the workspace row lock')), 5000);
  });
  try {
    return await Promise.race([response, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Another server on the same PostgreSQL database, with its own store and connection pool. */
async function startSecondInstance(database: string): Promise<{ app: FastifyInstance; store: SqlStore; url: string }> {
  const store = await openStore(database);
  const probe = await composeApp({ store, config: loadConfig({ database, port: 0 }, { ROSTER_RATE_LIMIT: '0' }) });
  await probe.listen({ host: '127.0.0.1', port: 0 });
  const port = (probe.server.address() as { port: number }).port;
  await probe.close();
  const url = `http://127.0.0.1:${port}`;
  const app = await composeApp({ store, config: loadConfig({ database, port }, { ROSTER_RATE_LIMIT: '0', ROSTER_PUBLIC_URL: url }) });
  await app.listen({ host: '127.0.0.1', port });
  return { app, store, url };
}
