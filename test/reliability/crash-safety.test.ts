import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { describe, it } from 'vitest';
import {
  allUsers,
  cleanUp,
  ENTERPRISE,
  engineCases,
  freshDatabase,
  LAUNCHER,
  PATCH_SCHEMA,
  prng,
  type RosterProcess,
  report,
  SEED,
  scale,
  scimFetch,
  setUpWorkspace,
  startRoster,
  TEAMS_EXTENSION,
  timeoutMs,
  USER_SCHEMA,
} from './reliability-support.js';

/**
 * Crash safety (issue 7): `kill -9` the server again and again in the middle of a sustained
 * create/patch load, restart it on the same database, and check that
 *  - every write that got a 2xx is there, with exactly the acknowledged values and version;
 *  - a write that was in flight at the kill either landed completely or not at all: each user's
 *    attributes (spread over the users, user_contacts and user_teams tables) always equal the
 *    state one single request sent, never a mix of two;
 *  - no user exists that no request created.
 *
 * The kill comes 100–800 ms (random, seeded) after the first 2xx of the cycle. SHORT: 3 kill
 * cycles per engine; LONG (ROSTER_RELIABILITY=long): 50.
 */
const CYCLES = scale(3, 50);
const LOOPS = 8;
const KILL_AFTER_MS: [number, number] = [100, 800];

/** Everything one write asserts about a user; every value carries the write's unique tag. */
interface State {
  readonly title: string;
  readonly displayName: string;
  readonly nickName: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly department: string;
  readonly costCenter: string;
  readonly phones: readonly string[];
  readonly localities: readonly string[];
  readonly teams: readonly string[];
}

interface Known {
  readonly state: State;
  /** meta.version the user has once this write is applied. */
  readonly version: number;
}

interface Tracked {
  readonly userName: string;
  id: string | undefined;
  /** The last state known to be durable: acknowledged by a 2xx, or read back after a restart. */
  confirmed: Known | undefined;
  /** A write sent whose answer never came (the server was killed): it may or may not have landed. */
  pending: Known | undefined;
  /** A loop is writing this user (writes to one user are sequential). */
  busy: boolean;
}

const TEAM_SETS: readonly (readonly string[])[] = [['Alpha'], ['Alpha', 'Beta'], ['Gamma'], ['Beta', 'Gamma'], ['Alpha', 'Beta', 'Gamma']];

function stateFor(serial: number): State {
  const tag = `w${serial}`;
  return {
    title: `Title ${tag}`,
    displayName: `Display ${tag}`,
    nickName: `Nick ${tag}`,
    givenName: `Given ${tag}`,
    familyName: `Family ${tag}`,
    department: `Department ${tag}`,
    costCenter: `CC ${tag}`,
    phones: [`+1 555 ${serial}`, `+1 666 ${serial}`],
    localities: [`City ${tag}`, `Town ${tag}`],
    teams: TEAM_SETS[serial % TEAM_SETS.length] as readonly string[],
  };
}

function createBody(userName: string, s: State) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE, TEAMS_EXTENSION],
    userName,
    active: true,
    title: s.title,
    displayName: s.displayName,
    nickName: s.nickName,
    name: { givenName: s.givenName, familyName: s.familyName },
    emails: [{ value: userName, type: 'work', primary: true }],
    phoneNumbers: [
      { value: s.phones[0], type: 'work' },
      { value: s.phones[1], type: 'mobile' },
    ],
    addresses: [
      { type: 'work', locality: s.localities[0] },
      { type: 'home', locality: s.localities[1] },
    ],
    [ENTERPRISE]: { department: s.department, costCenter: s.costCenter },
    [TEAMS_EXTENSION]: { teams: [...s.teams] },
  };
}

/** One PATCH that sets every attribute of the state at once (ten operations, three tables). */
function patchBody(s: State) {
  return {
    schemas: [PATCH_SCHEMA],
    Operations: [
      { op: 'replace', path: 'title', value: s.title },
      { op: 'replace', path: 'displayName', value: s.displayName },
      { op: 'replace', path: 'nickName', value: s.nickName },
      { op: 'replace', path: 'name.givenName', value: s.givenName },
      { op: 'replace', path: 'name.familyName', value: s.familyName },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: s.department },
      { op: 'replace', path: `${ENTERPRISE}:costCenter`, value: s.costCenter },
      {
        op: 'replace',
        path: 'phoneNumbers',
        value: [
          { value: s.phones[0], type: 'work' },
          { value: s.phones[1], type: 'mobile' },
        ],
      },
      {
        op: 'replace',
        path: 'addresses',
        value: [
          { type: 'work', locality: s.localities[0] },
          { type: 'home', locality: s.localities[1] },
        ],
      },
      { op: 'replace', path: `${TEAMS_EXTENSION}:teams`, value: [...s.teams] },
    ],
  };
}

/** The state a user resource shows, in the shape of `State`. */
function observed(resource: any): State {
  return {
    title: resource.title,
    displayName: resource.displayName,
    nickName: resource.nickName,
    givenName: resource.name?.givenName,
    familyName: resource.name?.familyName,
    department: resource[ENTERPRISE]?.department,
    costCenter: resource[ENTERPRISE]?.costCenter,
    phones: ((resource.phoneNumbers ?? []) as Array<{ value: string }>).map((p) => p.value).sort(),
    localities: ((resource.addresses ?? []) as Array<{ locality: string }>).map((a) => a.locality).sort(),
    teams: [...((resource[TEAMS_EXTENSION]?.teams ?? []) as string[])].sort(),
  };
}

const canonical = (s: State): string =>
  JSON.stringify({ ...s, phones: [...s.phones].sort(), localities: [...s.localities].sort(), teams: [...s.teams].sort() });

interface Totals {
  cycles: number;
  acknowledgedCreates: number;
  acknowledgedPatches: number;
  inDoubtLanded: number;
  inDoubtNotLanded: number;
  usersChecked: number;
}

const ENGINES = await engineCases();

describe('crash safety under kill -9', () => {
  for (const { engine, skip, title } of ENGINES) {
    it.skipIf(skip).concurrent(
      `${title}: keeps every acknowledged write and never a partial one across ${CYCLES} kill -9 cycles`,
      async ({ expect }) => {
        const random = prng(SEED + (engine === 'sqlite' ? 1 : 2));
        report(`crash-safety ${engine}: seed ${SEED}, ${CYCLES} cycles, ${LOOPS} loops, launcher ${LAUNCHER}`);
        const database = await freshDatabase(engine);
        const fixture = await setUpWorkspace(database.url, 'crash');
        const users: Tracked[] = [];
        const totals: Totals = {
          cycles: 0,
          acknowledgedCreates: 0,
          acknowledgedPatches: 0,
          inDoubtLanded: 0,
          inDoubtNotLanded: 0,
          usersChecked: 0,
        };
        let serial = 0;
        let server: RosterProcess | undefined;
        try {
          server = await startRoster(database.url);
          for (let cycle = 1; cycle <= CYCLES; cycle++) {
            const live: RosterProcess = server;
            const unexpected: string[] = [];
            let stopped = false;
            let acknowledged = 0;
            let inFlightAtKill = 0;
            let loadRunning: () => void = () => undefined;
            const firstAcknowledged = new Promise<void>((resolve) => {
              loadRunning = resolve;
            });

            /** Sends one write for the user; false when no answer came (the server is gone) or it failed. */
            const write = async (user: Tracked, kind: 'create' | 'patch'): Promise<boolean> => {
              const state = stateFor(++serial);
              const next: Known = { state, version: (user.confirmed?.version ?? 0) + 1 };
              user.pending = next;
              let response: Response;
              try {
                response =
                  kind === 'create'
                    ? await fetch(`${live.scimUrl}/Users`, {
                        method: 'POST',
                        headers: { authorization: `Bearer ${fixture.token}`, 'content-type': 'application/scim+json' },
                        body: JSON.stringify(createBody(user.userName, state)),
                      })
                    : await fetch(`${live.scimUrl}/Users/${user.id}`, {
                        method: 'PATCH',
                        headers: { authorization: `Bearer ${fixture.token}`, 'content-type': 'application/scim+json' },
                        body: JSON.stringify(patchBody(state)),
                      });
              } catch {
                // No status line: the request may or may not have been committed. It stays pending.
                if (stopped) inFlightAtKill++;
                else unexpected.push(`${kind} ${user.userName}: connection failed before the kill`);
                return false;
              }
              let body: any;
              try {
                body = JSON.parse(await response.text());
              } catch {
                body = undefined; // the status arrived, the body was cut by the kill
              }
              if (response.status < 200 || response.status > 299) {
                unexpected.push(`${kind} ${user.userName} → ${response.status} ${JSON.stringify(body)}`);
                user.pending = undefined;
                return false;
              }
              // A 2xx: the write is acknowledged and must survive whatever happens next.
              if (body?.meta?.version !== undefined && body.meta.version !== `W/"${next.version}"`) {
                unexpected.push(`${kind} ${user.userName}: answered version ${body.meta.version}, expected W/"${next.version}"`);
              }
              if (kind === 'create' && body?.id) user.id = body.id;
              user.confirmed = next;
              user.pending = undefined;
              acknowledged++;
              loadRunning();
              if (kind === 'create') totals.acknowledgedCreates++;
              else totals.acknowledgedPatches++;
              return true;
            };

            const loop = async (n: number) => {
              let created = 0;
              while (!stopped) {
                const idle = users.filter((u) => !u.busy && u.id !== undefined && u.pending === undefined && u.confirmed !== undefined);
                const reuse = idle.length > 0 && random() < 0.35 ? idle[Math.floor(random() * idle.length)] : undefined;
                let user: Tracked;
                if (reuse) {
                  user = reuse;
                  user.busy = true;
                } else {
                  user = {
                    userName: `c${cycle}-l${n}-${++created}-${serial}@crash.example.com`,
                    id: undefined,
                    confirmed: undefined,
                    pending: undefined,
                    busy: true,
                  };
                  users.push(user);
                  if (!(await write(user, 'create'))) return;
                }
                const patches = 1 + Math.floor(random() * 3);
                for (let p = 0; p < patches && !stopped && user.id !== undefined; p++) {
                  if (!(await write(user, 'patch'))) return;
                }
                user.busy = false;
              }
            };

            const loops = Array.from({ length: LOOPS }, (_, n) => loop(n));
            // The kill clock starts once the load runs (the first 2xx), so every cycle kills a busy server.
            await Promise.race([firstAcknowledged, sleep(30_000)]);
            const killAfter = KILL_AFTER_MS[0] + Math.floor(random() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0]));
            await sleep(killAfter);
            stopped = true;
            const exit = await live.kill9();
            expect(exit.signal).toBe('SIGKILL');
            await Promise.all(loops);
            for (const user of users) user.busy = false;
            expect(unexpected, `cycle ${cycle}: answers during the load`).toEqual([]);
            expect(acknowledged, `cycle ${cycle}: the load acknowledged no write before the kill`).toBeGreaterThan(0);

            // Restart on the same database and check every user against what was sent.
            server = await startRoster(database.url);
            if (engine === 'sqlite') {
              const check = new Database(database.url, { readonly: true });
              try {
                expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
              } finally {
                check.close();
              }
            }
            const stored = await allUsers(scimFetch(server.scimUrl, fixture.token));
            const byName = new Map(stored.map((u) => [String(u.userName), u]));
            const problems: string[] = [];
            let landed = 0;
            let notLanded = 0;
            for (const user of [...users]) {
              const found = byName.get(user.userName);
              byName.delete(user.userName);
              if (!found) {
                if (user.confirmed) problems.push(`${user.userName}: acknowledged create (version ${user.confirmed.version}) is lost`);
                else {
                  notLanded++; // an unacknowledged create that did not land: forget the user
                  users.splice(users.indexOf(user), 1);
                }
                continue;
              }
              const seen = canonical(observed(found));
              const match = [user.confirmed, user.pending].find((k) => k !== undefined && canonical(k.state) === seen);
              if (!match) {
                problems.push(
                  `${user.userName}: state ${seen} (version ${found.meta?.version}) is neither the acknowledged ${
                    user.confirmed ? canonical(user.confirmed.state) : 'none'
                  } nor the in-flight ${user.pending ? canonical(user.pending.state) : 'none'}: a partial or lost write`,
                );
                continue;
              }
              if (found.meta?.version !== `W/"${match.version}"`) {
                problems.push(`${user.userName}: version ${found.meta?.version}, expected W/"${match.version}" for its state`);
              }
              if (user.pending) {
                if (match === user.pending) landed++;
                else notLanded++;
              }
              user.id = found.id;
              user.confirmed = match;
              user.pending = undefined;
            }
            for (const name of byName.keys()) problems.push(`${name}: exists but no request created it`);
            expect(problems, `cycle ${cycle} (${engine}, killed after ${killAfter} ms)`).toEqual([]);
            totals.cycles = cycle;
            totals.inDoubtLanded += landed;
            totals.inDoubtNotLanded += notLanded;
            totals.usersChecked = users.length;
            expect(landed + notLanded).toBe(inFlightAtKill);
            report(
              `crash-safety ${engine}: cycle ${cycle}/${CYCLES} killed after ${killAfter} ms: ${acknowledged} writes acknowledged, ` +
                `${inFlightAtKill} in flight (${landed} landed whole, ${notLanded} not at all), ${users.length} users verified`,
            );
          }
          // The kill really hit writes in flight: the in-doubt case was exercised, not only clean stops.
          expect(totals.inDoubtLanded + totals.inDoubtNotLanded).toBeGreaterThan(0);
          report(
            `crash-safety ${engine}: SURVIVED ${totals.cycles} kill -9 cycles; acknowledged writes checked: ` +
              `${totals.acknowledgedCreates + totals.acknowledgedPatches} (${totals.acknowledgedCreates} creates, ` +
              `${totals.acknowledgedPatches} ten-operation PATCHes); in-flight at kill: ${totals.inDoubtLanded} landed whole, ` +
              `${totals.inDoubtNotLanded} not at all; ${totals.usersChecked} users in the final check`,
          );
        } finally {
          await cleanUp(
            () => server?.stop(),
            () => database.drop(),
          );
        }
      },
      timeoutMs(120_000, 3_600_000),
    );
  }
});
