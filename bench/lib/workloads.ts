import { randomUUID } from 'node:crypto';
import { seedUserName } from './bulk-seed.js';
import type { LoadRequest } from './load.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BASE = '/scim/v2';

/** What the workloads need to know about the seeded database. */
export interface Fixture {
  /** Users seeded into the main workspace (user i is seedUserName(i)). */
  readonly users: number;
  readonly token: string;
  readonly sampleIds: readonly string[];
  /** Active users holding the default role, for membership and activation changes. */
  readonly memberIds: readonly string[];
  readonly bigRoleId: string;
  readonly smallRoleId: string;
  readonly bigRoleMembers: number;
  readonly smallRoleMembers: number;
  /** A 1,000-user workspace in the same database: lookups there are the size-independence baseline. */
  readonly tiny: { readonly token: string; readonly users: number; readonly sampleIds: readonly string[] };
  /** An empty workspace the initial sync provisions. */
  readonly syncToken: string;
  /** Makes userNames created by this run unique. */
  readonly runId: string;
}

export type Target =
  | { readonly kind: 'ratio'; readonly min: number; readonly text: string }
  | { readonly kind: 'relative'; readonly to: string; readonly min: number; readonly text: string }
  | { readonly kind: 'none'; readonly text: string };

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** Which workspace token to send. */
  readonly token: (fixture: Fixture) => string;
  readonly requests: (fixture: Fixture, checks: Checks) => LoadRequest[];
  readonly target: Target;
}

/** Counts responses whose body does not say what the workload expects. */
export class Checks {
  failed = 0;
  firstFailure: string | undefined;
  expect(ok: boolean, status: number, body: string): void {
    if (ok) return;
    this.failed++;
    this.firstFailure ??= `${status} ${body.slice(0, 300)}`;
  }
}

/** Pages an IdP walks in one go in the page-deep workload. */
const DEEP_WALK = 50;
/** A random startIndex from `from` (a fraction of the list) that leaves room for DEEP_WALK pages. */
const deepStart = (users: number, from: number): number => {
  const first = Math.floor(users * from);
  const last = Math.max(first + 1, users - DEEP_WALK * 100);
  return 1 + first + Math.floor(Math.random() * (last - first));
};

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const randomIndex = (n: number): number => Math.floor(Math.random() * n);
const filterPath = (userName: string) => `${BASE}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

/** An Entra-style create body (Microsoft Entra ID's default attribute mapping). */
export function entraUser(userName: string, n: number): string {
  const given = ['Ada', 'Alan', 'Grace', 'Linus', 'Radia', 'Ken'][n % 6] as string;
  const family = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Perlman', 'Thompson'][(n >> 3) % 6] as string;
  return JSON.stringify({
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: randomUUID(),
    userName,
    active: true,
    displayName: `${given} ${family}`,
    title: 'Software Engineer',
    preferredLanguage: n % 3 === 0 ? 'de-DE' : 'en-US',
    emails: [{ primary: true, type: 'work', value: userName }],
    phoneNumbers: [{ type: 'work', value: `+49 30 ${String(1_000_000 + (n % 9_000_000)).slice(-7)}` }],
    meta: { resourceType: 'User' },
    name: { formatted: `${given} ${family}`, familyName: family, givenName: given },
    [ENTERPRISE]: { employeeNumber: String(500_000 + n), department: 'Engineering' },
  });
}

const patch = (...operations: unknown[]) => JSON.stringify({ schemas: [PATCH_OP], Operations: operations });

/** Adds a user to a role, then removes them again (each connection alternates, with its own user). */
function membershipRequests(roleId: string, fixture: Fixture): LoadRequest[] {
  return [
    {
      method: 'PATCH',
      path: `${BASE}/Groups/${roleId}`,
      setup: (context) => {
        context.user = pick(fixture.memberIds);
        return { body: patch({ op: 'add', path: 'members', value: [{ value: context.user }] }) };
      },
    },
    {
      method: 'PATCH',
      path: `${BASE}/Groups/${roleId}`,
      setup: (context) => ({ body: patch({ op: 'remove', path: `members[value eq "${String(context.user)}"]` }) }),
    },
  ];
}

export const WORKLOADS: readonly Workload[] = [
  {
    id: 'filter',
    title: 'GET /Users?filter=userName eq "…" (random existing user)',
    token: (f) => f.token,
    requests: (f, checks) => [
      {
        method: 'GET',
        path: filterPath(seedUserName(0)),
        setup: () => ({ path: filterPath(seedUserName(randomIndex(f.users))) }),
        onResponse: (status, body) => checks.expect(status === 200 && body.includes('"totalResults":1'), status, body),
      },
    ],
    target: { kind: 'ratio', min: 0.5, text: '≥ 0.5 × ceiling' },
  },
  {
    id: 'get',
    title: 'GET /Users/{id} (random existing user)',
    token: (f) => f.token,
    requests: (f) => [
      { method: 'GET', path: `${BASE}/Users/${f.sampleIds[0]}`, setup: () => ({ path: `${BASE}/Users/${pick(f.sampleIds)}` }) },
    ],
    target: { kind: 'ratio', min: 0.5, text: '≥ 0.5 × ceiling' },
  },
  {
    id: 'filter-1k',
    title: 'the same filter in a 1,000-user workspace (same database)',
    token: (f) => f.tiny.token,
    requests: (f, checks) => [
      {
        method: 'GET',
        path: filterPath(seedUserName(0)),
        setup: () => ({ path: filterPath(seedUserName(randomIndex(f.tiny.users))) }),
        onResponse: (status, body) => checks.expect(status === 200 && body.includes('"totalResults":1'), status, body),
      },
    ],
    target: { kind: 'none', text: 'baseline for filter' },
  },
  {
    id: 'get-1k',
    title: 'GET /Users/{id} in a 1,000-user workspace (same database)',
    token: (f) => f.tiny.token,
    requests: (f) => [
      { method: 'GET', path: `${BASE}/Users/${f.tiny.sampleIds[0]}`, setup: () => ({ path: `${BASE}/Users/${pick(f.tiny.sampleIds)}` }) },
    ],
    target: { kind: 'none', text: 'baseline for get' },
  },
  {
    id: 'page-first',
    title: 'GET /Users?startIndex=1&count=100',
    token: (f) => f.token,
    requests: () => [{ method: 'GET', path: `${BASE}/Users?startIndex=1&count=100` }],
    target: { kind: 'ratio', min: 0.1, text: '≥ 0.1 × ceiling' },
  },
  {
    id: 'page-deep',
    title: `GET /Users?startIndex=…&count=100: ${DEEP_WALK} consecutive pages from a random start in the last tenth of the list, as an IdP pages`,
    token: (f) => f.token,
    requests: (f, checks) =>
      Array.from({ length: DEEP_WALK }, (_, page) => ({
        method: 'GET' as const,
        path: `${BASE}/Users?startIndex=1&count=100`,
        setup: (context: Record<string, unknown>) => {
          if (page === 0) context.start = deepStart(f.users, 0.9);
          return { path: `${BASE}/Users?startIndex=${Number(context.start) + page * 100}&count=100` };
        },
        onResponse: (status: number, body: string) => checks.expect(status === 200, status, body),
      })),
    target: { kind: 'relative', to: 'page-first', min: 0.5, text: '≥ 0.5 × page-first req/s' },
  },
  {
    id: 'page-deep-cold',
    title: 'GET /Users?startIndex=…&count=100 at a random start in the second half of the list, never asked before',
    token: (f) => f.token,
    requests: (f) => [
      {
        method: 'GET',
        path: `${BASE}/Users?startIndex=1&count=100`,
        setup: () => ({ path: `${BASE}/Users?startIndex=${deepStart(f.users, 0.5)}&count=100` }),
      },
    ],
    target: { kind: 'none', text: 'O(startIndex): the bound of random access' },
  },
  {
    id: 'patch-name',
    title: 'PATCH /Users/{id} replace name.givenName',
    token: (f) => f.token,
    requests: (f) => {
      let n = 0;
      return [
        {
          method: 'PATCH',
          path: `${BASE}/Users/${f.sampleIds[0]}`,
          setup: () => ({
            path: `${BASE}/Users/${pick(f.sampleIds)}`,
            body: patch({ op: 'replace', path: 'name.givenName', value: `Given${++n}` }),
          }),
        },
      ];
    },
    target: { kind: 'ratio', min: 0.3, text: '≥ 0.3 × ceiling' },
  },
  {
    id: 'group-big',
    title: 'PATCH /Groups/{Big} add a member, then remove them',
    token: (f) => f.token,
    requests: (f) => membershipRequests(f.bigRoleId, f),
    target: { kind: 'relative', to: 'group-small', min: 0.8, text: '≈ group-small (≥ 0.8×)' },
  },
  {
    id: 'group-small',
    title: 'PATCH /Groups/{Small} add a member, then remove them',
    token: (f) => f.token,
    requests: (f) => membershipRequests(f.smallRoleId, f),
    target: { kind: 'none', text: 'baseline for group-big' },
  },
  {
    id: 'patch-active',
    title: 'PATCH /Users/{id} replace active (false, then true again)',
    token: (f) => f.token,
    requests: (f) => [
      {
        method: 'PATCH',
        path: `${BASE}/Users/${f.memberIds[0]}`,
        setup: (context) => {
          context.user = pick(f.memberIds);
          return { path: `${BASE}/Users/${String(context.user)}`, body: patch({ op: 'replace', path: 'active', value: false }) };
        },
      },
      {
        method: 'PATCH',
        path: `${BASE}/Users/${f.memberIds[0]}`,
        setup: (context) => ({
          path: `${BASE}/Users/${String(context.user)}`,
          body: patch({ op: 'replace', path: 'active', value: true }),
        }),
      },
    ],
    target: { kind: 'ratio', min: 0.3, text: '≥ 0.3 × ceiling' },
  },
  {
    id: 'post',
    title: 'POST /Users (new user, Entra-style body)',
    token: (f) => f.token,
    requests: (f) => {
      // Warm-up and measured runs each get their own names.
      const phase = randomUUID().slice(0, 8);
      let n = 0;
      return [
        {
          method: 'POST',
          path: `${BASE}/Users`,
          setup: () => {
            n++;
            return { body: entraUser(`bench.post.${f.runId}.${phase}.${n}@acme-corp.example`, n) };
          },
        },
      ];
    },
    target: { kind: 'ratio', min: 0.3, text: '≥ 0.3 × ceiling' },
  },
];

/**
 * Entra-style initial sync: for each new user, `GET /Users?filter=userName eq "…"` (expects no
 * match), then `POST /Users`. Each connection provisions one user at a time.
 */
export function syncRequests(fixture: Fixture, checks: Checks, onCreated: () => void): LoadRequest[] {
  let next = 0;
  const userName = (i: number) => `sync.${fixture.runId}.${i}@new-tenant.example`;
  return [
    {
      method: 'GET',
      path: filterPath(userName(0)),
      setup: (context) => {
        context.i = next++;
        return { path: filterPath(userName(context.i as number)) };
      },
      onResponse: (status, body) => checks.expect(status === 200 && body.includes('"totalResults":0'), status, body),
    },
    {
      method: 'POST',
      path: `${BASE}/Users`,
      setup: (context) => ({ body: entraUser(userName(context.i as number), context.i as number) }),
      onResponse: (status, body) => {
        checks.expect(status === 201, status, body);
        if (status === 201) onCreated();
      },
    },
  ];
}
