import { newId, nowIso } from '../../src/directory/ids.js';
import { enableScim } from '../../src/directory/integrations/scim-integration.js';
import type { Role, Team, User, Workspace } from '../../src/directory/model.js';
import type { DirectoryStore } from '../../src/directory/ports.js';
import { createRole } from '../../src/directory/roles/roles.js';
import { createTeam } from '../../src/directory/roles/teams.js';
import { configureSso, createWorkspace } from '../../src/directory/workspaces/workspaces.js';

/**
 * Bulk seeding for benchmarks and load tests: a SCIM-enabled enterprise workspace holding N
 * realistic users, written through the storage port in large transactions of multi-row inserts
 * (`UserRepository.insertMany`) instead of N SCIM requests. Users are what an IdP would have
 * provisioned: scimManaged, with a userName that is their work email, a name, phones, a title,
 * some teams, 1% inactive. User `i` always gets the userName `seedUserName(i)`, so a load
 * generator can pick random existing users without holding a list of them.
 */
export interface SeedOptions {
  readonly users: number;
  readonly slug?: string;
  /** Users per transaction. */
  readonly batchSize?: number;
  /** Members of the role 'Big' (the first users); default min(100,000, users − 1,010). */
  readonly bigRoleMembers?: number;
  /** Members of the role 'Small' (the users after Big's); default 10. */
  readonly smallRoleMembers?: number;
  readonly teams?: number;
  readonly seats?: number;
  /** How many ids of random users (and of default-role users) to return for load generation. */
  readonly sampleSize?: number;
  readonly onProgress?: (seeded: number) => void;
}

export interface SeededWorkspace {
  readonly workspace: Workspace;
  /** The SCIM bearer token (clear text). */
  readonly token: string;
  readonly users: number;
  readonly roles: { readonly member: Role; readonly big: Role; readonly small: Role };
  readonly bigRoleMembers: number;
  readonly smallRoleMembers: number;
  readonly teams: readonly Team[];
  /** Ids of users drawn uniformly from the whole workspace. */
  readonly sampleIds: readonly string[];
  /** Ids of active users holding the default role (Member), drawn uniformly. */
  readonly memberIds: readonly string[];
}

const GIVEN = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Barbara',
  'Edsger',
  'Margaret',
  'Dennis',
  'Frances',
  'Ken',
  'Radia',
  'Tim',
  'Hedy',
  'John',
  'Katherine',
  'Donald',
  'Sophie',
  'Jürgen',
  'Amélie',
  'Mohammed',
  'Priya',
  'Wei',
  'Olga',
  'Kwame',
  'Lena',
  'Mateo',
];
const FAMILY = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Liskov',
  'Dijkstra',
  'Hamilton',
  'Ritchie',
  'Allen',
  'Thompson',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'Backus',
  'Johnson',
  'Knuth',
  'Müller',
  'Schmidt',
  'García',
  'Nakamura',
  'Okafor',
  'Novak',
  'Haddad',
  'Iyer',
  'Chen',
  'Kowalski',
  'Andersen',
  'Rossi',
  'Dubois',
];
const TITLES = [
  'Software Engineer',
  'Account Executive',
  'Product Manager',
  'Designer',
  'Support Specialist',
  'Data Analyst',
  'Recruiter',
  'Controller',
];
const DEPARTMENTS = ['Engineering', 'Sales', 'Product', 'Design', 'Support', 'Finance', 'People', 'Legal'];

const givenOf = (i: number): string => GIVEN[i % GIVEN.length] as string;
const familyOf = (i: number): string => FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length] as string;
const ascii = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** The userName (and work email) of seeded user `i`. */
export function seedUserName(i: number): string {
  return `${ascii(givenOf(i))}.${ascii(familyOf(i))}.${i}@acme-corp.example`;
}

/** Seeds a workspace; see SeedOptions. Runs in `ceil(users / batchSize)` transactions. */
export async function seedWorkspace(store: DirectoryStore, options: SeedOptions): Promise<SeededWorkspace> {
  const total = options.users;
  if (!Number.isInteger(total) || total < 0) throw new TypeError('users must be a whole number ≥ 0');
  const slug = options.slug ?? 'bench';
  const batchSize = options.batchSize ?? 5_000;
  const small = Math.min(options.smallRoleMembers ?? 10, total);
  const big = Math.min(options.bigRoleMembers ?? Math.max(0, Math.min(100_000, total - 1_010)), total - small);
  const sampleSize = options.sampleSize ?? 10_000;

  const workspace = await createWorkspace(store, { slug, name: `Seeded ${slug}`, plan: 'enterprise', seats: options.seats ?? 10_000_000 });
  await configureSso(store, slug, { issuer: 'https://idp.example.com', clientId: `roster-${slug}`, clientSecret: 'seeded' });
  const { token } = await enableScim(store, slug, 'azure');
  const bigRole = await createRole(store, slug, 'Big', 20);
  const smallRole = await createRole(store, slug, 'Small', 30);
  const member = await store.read.roles.byName(workspace.id, 'Member');
  if (!member) throw new TypeError(`workspace ${slug} has no Member role`);
  const teams: Team[] = [];
  for (let t = 0; t < (options.teams ?? 20); t++) teams.push(await createTeam(store, slug, `Team ${String(t + 1).padStart(2, '0')}`));

  // Indexes to remember the ids of: chosen up front so sampling costs nothing per user.
  const sampled = new Set<number>();
  const memberPool = total - big - small;
  const wantedMembers = new Set<number>();
  for (let k = 0; k < Math.min(sampleSize, total) * 4 && sampled.size < Math.min(sampleSize, total); k++) {
    sampled.add(Math.floor(Math.random() * total));
  }
  for (let k = 0; k < Math.min(sampleSize, memberPool) * 4 && wantedMembers.size < Math.min(sampleSize, memberPool); k++) {
    const i = big + small + Math.floor(Math.random() * memberPool);
    if (isActive(i)) wantedMembers.add(i);
  }
  const sampleIds: string[] = [];
  const memberIds: string[] = [];

  for (let start = 0; start < total; start += batchSize) {
    const now = nowIso();
    const batch: User[] = [];
    for (let i = start; i < Math.min(total, start + batchSize); i++) {
      const roleId = i < big ? bigRole.id : i < big + small ? smallRole.id : member.id;
      const user = seedUser(workspace.id, i, roleId, teams, now);
      if (sampled.has(i)) sampleIds.push(user.id);
      if (wantedMembers.has(i)) memberIds.push(user.id);
      batch.push(user);
    }
    await store.transaction((repos) => repos.users.insertMany(batch));
    options.onProgress?.(Math.min(total, start + batchSize));
  }
  return {
    workspace,
    token,
    users: total,
    roles: { member, big: bigRole, small: smallRole },
    bigRoleMembers: big,
    smallRoleMembers: small,
    teams,
    sampleIds: shuffle(sampleIds),
    memberIds: shuffle(memberIds),
  };
}

const isActive = (i: number): boolean => i % 100 !== 99;

/** Seeded user `i`, as SCIM provisioning would have stored it. */
export function seedUser(workspaceId: string, i: number, roleId: string, teams: readonly Team[], now: string): User {
  const given = givenOf(i);
  const family = familyOf(i);
  const userName = seedUserName(i);
  const phone = String(1_000_000 + i).slice(-7);
  const phoneNumbers = i % 2 === 0 ? [{ value: `+49 30 ${phone}`, type: 'work' }] : [];
  if (i % 5 === 0) phoneNumbers.push({ value: `+49 170 ${phone}`, type: 'mobile' });
  const teamIds: string[] = [];
  if (teams.length > 0 && i % 3 === 0) teamIds.push((teams[i % teams.length] as Team).id);
  if (teams.length > 1 && i % 10 === 0) teamIds.push((teams[(i + 1) % teams.length] as Team).id);
  const german = i % 3 === 0;
  return {
    workspaceId,
    id: newId(),
    userName,
    externalId: `ext-${i}`,
    givenName: given,
    familyName: family,
    formattedName: `${given} ${family}`,
    displayName: `${given} ${family}`,
    title: TITLES[i % TITLES.length] as string,
    preferredLanguage: german ? 'de-DE' : 'en-GB',
    locale: german ? 'de-DE' : 'en-GB',
    timezone: 'Europe/Berlin',
    employeeNumber: String(100_000 + i),
    department: DEPARTMENTS[i % DEPARTMENTS.length] as string,
    contacts: { emails: [{ value: userName, type: 'work', primary: true }], phoneNumbers, addresses: [] },
    email: userName,
    active: isActive(i),
    scimDeleted: false,
    roleId,
    teamIds,
    scimManaged: true,
    lastSyncedAt: now,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
