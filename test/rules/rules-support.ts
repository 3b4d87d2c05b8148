/**
 * Shared helpers for the product-rule tests in test/rules/. Kept here (not in test/http/helpers.ts)
 * so these tests only depend on the stable harness in test/support/.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect } from 'vitest';
import type { ProvisioningLogEntry } from '../../src/directory/model.js';
import { listRoles } from '../../src/directory/roles/roles.js';
import { expectScimError, expectStatus } from '../support/scim-assertions.js';
import { newUser, patchOps, type ScimClient, type ScimResponse, scimClient, type TestServer } from '../support/scim-server.js';

export type Json = Record<string, any>;

export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const TEAMS = 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Re-exported so that a rule test can take its helpers from one module. */
export { expectScimError, expectStatus, newUser, patchOps };

/** Creates a user; asserts 201 and returns the body. */
export async function createUser(scim: ScimClient, body: unknown): Promise<Json> {
  const response = await scim.post('/Users', body);
  expectStatus(response, 201);
  return response.body;
}

export async function getUser(scim: ScimClient, id: string): Promise<Json> {
  const response = await scim.get(`/Users/${id}`);
  expectStatus(response, 200);
  return response.body;
}

export async function getGroup(scim: ScimClient, id: string): Promise<Json> {
  const response = await scim.get(`/Groups/${id}`);
  expectStatus(response, 200);
  return response.body;
}

/** Sorted member ids of a group, read back over HTTP. */
export async function memberIds(scim: ScimClient, groupId: string): Promise<string[]> {
  const group = await getGroup(scim, groupId);
  return ((group.members ?? []) as Json[]).map((m) => m.value as string).sort();
}

/** The id of the group (role) a user holds over SCIM, or undefined when `groups` is absent (guest). */
export async function groupOf(scim: ScimClient, userId: string): Promise<string | undefined> {
  const user = await getUser(scim, userId);
  if (user.groups === undefined) return undefined;
  expect(user.groups, 'a user holds exactly one role').toHaveLength(1);
  return user.groups[0].value;
}

/** Everything the SCIM view shows: all users and all groups, in full. */
export async function snapshot(scim: ScimClient): Promise<{ users: Json; groups: Json }> {
  const users = await scim.get('/Users?count=1000');
  const groups = await scim.get('/Groups?count=1000');
  expectStatus(users, 200);
  expectStatus(groups, 200);
  return { users: users.body, groups: groups.body };
}

export const userTotal = async (scim: ScimClient): Promise<number> => (await scim.get('/Users?count=0')).body.totalResults;

export const filterUsers = async (scim: ScimClient, filter: string): Promise<Json[]> => {
  const response = await scim.get(`/Users?count=1000&filter=${encodeURIComponent(filter)}`);
  expectStatus(response, 200);
  return response.body.Resources;
};

let counter = 0;
/** A unique workspace slug for this process. */
export const uniqueSlug = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

export interface Workspace {
  readonly slug: string;
  readonly token: string;
  readonly scim: ScimClient;
  readonly workspaceId: string;
  readonly roles: { admin: string; member: string; guest: string };
}

/** A fresh enterprise workspace with SCIM enabled, its client and the ids of its roles. */
export async function freshWorkspace(server: TestServer, prefix: string, seats = 1000): Promise<Workspace> {
  const slug = uniqueSlug(prefix);
  const token = await server.workspace(slug, { seats });
  const roles = await listRoles(server.store, slug);
  const id = (name: string) => {
    const role = roles.find((r) => r.name === name);
    if (!role) throw new Error(`no role ${name}`);
    return role.id;
  };
  const workspace = await server.store.read.workspaces.bySlug(slug);
  if (!workspace) throw new Error(`no workspace ${slug}`);
  return {
    slug,
    token,
    scim: scimClient(server, token),
    workspaceId: workspace.id,
    roles: { admin: id('Admin'), member: id('Member'), guest: id('Guest') },
  };
}

/** The workspace's provisioning log (newest first), after making buffered entries durable. */
export async function logOf(server: TestServer, workspaceId: string, limit = 10): Promise<ProvisioningLogEntry[]> {
  await server.app.provisioningLog.flush();
  return server.store.read.provisioningLog.list(workspaceId, { limit });
}

/** The log entry of one response, found by its X-Trace-Id. */
export async function logEntryFor(server: TestServer, workspaceId: string, response: ScimResponse): Promise<ProvisioningLogEntry> {
  const traceId = response.headers.get('x-trace-id');
  expect(traceId).toBeTruthy();
  await server.app.provisioningLog.flush();
  const entries = await server.store.read.provisioningLog.list(workspaceId, { limit: 5, traceId: traceId as string });
  expect(entries, `log entry for trace id ${traceId}`).toHaveLength(1);
  return entries[0] as ProvisioningLogEntry;
}

/** Runs the CLI (`node --import tsx src/main.ts …`, ROSTER_* variables removed) and resolves with its exit code and output. */
export function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ROSTER_DEMO: '0' };
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ROSTER_')) env[key] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * Everything a database holds, as text to search: the raw bytes of a SQLite file and its WAL,
 * or every row of every table of a PostgreSQL database.
 */
export async function databaseText(database: string): Promise<string> {
  if (!/^postgres(ql)?:\/\//i.test(database)) {
    return [database, `${database}-wal`]
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
  }
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
    );
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`select * from "${table_name.replace(/"/g, '""')}"`);
      parts.push(JSON.stringify(rows.rows));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}
