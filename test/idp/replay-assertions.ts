/**
 * What the IdP replay suites assert about the answers they get (RFC 7644 §3.12 errors, ListResponses
 * with the integer paging fields Okta checks, no `null` for Entra), and the read-back helpers that
 * check what a write did with a neutral request (bearer token only).
 */
import { expect } from 'vitest';
import type { TestServer } from '../support/scim-server.js';
import { ERROR_SCHEMA, type Json, LIST_RESPONSE, type ReplayResponse, replay } from './replay.js';

/** `application/scim+json`, with or without a charset. */
export const SCIM_JSON = /^application\/scim\+json(\s*;\s*charset=utf-8)?$/i;

/** Asserts the status and, for a body, that it is SCIM JSON. Returns the JSON body. */
export function expectStatus(response: ReplayResponse, status: number | readonly number[]): Json {
  const allowed = typeof status === 'number' ? [status] : status;
  expect(allowed, response.describe).toContain(response.status);
  if (response.status === 204) {
    expect(response.text, `204 must have no body: ${response.describe}`).toBe('');
    return {};
  }
  expect(response.contentType, response.describe).toMatch(SCIM_JSON);
  expect(response.json, `body must be JSON: ${response.describe}`).toBeDefined();
  return response.json as Json;
}

/** RFC 7644 §3.12: the Error schema, `status` as a string equal to the HTTP status, a detail, SCIM JSON. */
export function expectScimError(response: ReplayResponse, status: number, scimType?: string): Json {
  expect(response.status, response.describe).toBe(status);
  expect(response.contentType, response.describe).toMatch(SCIM_JSON);
  const body = response.json;
  expect(body, `error body must be JSON: ${response.describe}`).toBeDefined();
  expect(body?.schemas, response.describe).toEqual([ERROR_SCHEMA]);
  expect(typeof body?.status, response.describe).toBe('string');
  expect(body?.status, response.describe).toBe(String(status));
  expect(typeof body?.detail, response.describe).toBe('string');
  if (scimType !== undefined) expect(body?.scimType, response.describe).toBe(scimType);
  return body as Json;
}

/** A ListResponse with JSON-integer paging fields (Okta checks the types). */
export function expectList(response: ReplayResponse): Json {
  const body = expectStatus(response, 200);
  expect(body.schemas, response.describe).toEqual([LIST_RESPONSE]);
  for (const field of ['totalResults', 'startIndex', 'itemsPerPage']) {
    expect(Number.isInteger(body[field]), `${field} must be a JSON integer: ${response.describe}`).toBe(true);
  }
  expect(Array.isArray(body.Resources), response.describe).toBe(true);
  expect(body.itemsPerPage, response.describe).toBe(body.Resources.length);
  return body;
}

/** The empty ListResponse Entra's Test Connection and every "no match" query need. */
export function expectEmptyList(response: ReplayResponse): Json {
  const body = expectList(response);
  expect(body.totalResults, response.describe).toBe(0);
  expect(body.Resources, response.describe).toEqual([]);
  expect(body.startIndex, response.describe).toBe(1);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Read-back helpers: a neutral GET (bearer token only) after every write.
// ---------------------------------------------------------------------------------------------

const neutral = (server: TestServer, token: string, path: string) => replay(server, token, { method: 'GET', path });

/** GET /Users/{id}, expecting 200. */
export async function readUser(server: TestServer, token: string, id: string): Promise<Json> {
  const response = await neutral(server, token, `/Users/${encodeURIComponent(id)}`);
  const body = expectStatus(response, 200);
  expect(body.id, response.describe).toBe(id);
  return body;
}

/** GET /Users/{id}, expecting a SCIM 404. */
export async function expectUserGone(server: TestServer, token: string, id: string): Promise<void> {
  expectScimError(await neutral(server, token, `/Users/${encodeURIComponent(id)}`), 404);
}

/** GET /Users?filter=… (percent-encoded), returning the resources. */
export async function findUsers(server: TestServer, token: string, filter: string): Promise<Json[]> {
  const response = await neutral(server, token, `/Users?filter=${encodeURIComponent(filter)}&count=1000`);
  const body = expectList(response);
  expect(body.totalResults, response.describe).toBe(body.Resources.length);
  return body.Resources as Json[];
}

/** The ids a userName filter finds. */
export async function idsByUserName(server: TestServer, token: string, userName: string): Promise<string[]> {
  return (await findUsers(server, token, `userName eq ${JSON.stringify(userName)}`)).map((u) => u.id as string);
}

/** GET /Groups/{id}, expecting 200. */
export async function readGroup(server: TestServer, token: string, id: string): Promise<Json> {
  const response = await neutral(server, token, `/Groups/${encodeURIComponent(id)}`);
  const body = expectStatus(response, 200);
  expect(body.id, response.describe).toBe(id);
  return body;
}

/** The member ids of a group, sorted (a group without `members` has none). */
export async function memberIds(server: TestServer, token: string, groupId: string): Promise<string[]> {
  const group = await readGroup(server, token, groupId);
  const members = (group.members ?? []) as Json[];
  const ids = members.map((m) => m.value as string);
  expect(new Set(ids).size, `duplicate members in ${JSON.stringify(group)}`).toBe(ids.length);
  return ids.sort();
}

/** The one group whose displayName equals `name` (exact filter). */
export async function groupByName(server: TestServer, token: string, name: string): Promise<Json> {
  const response = await neutral(server, token, `/Groups?filter=${encodeURIComponent(`displayName eq ${JSON.stringify(name)}`)}`);
  const body = expectList(response);
  expect(body.totalResults, response.describe).toBe(1);
  return body.Resources[0] as Json;
}

/** The names of the groups (roles) a user reads back with. */
export async function groupNamesOf(server: TestServer, token: string, userId: string): Promise<string[]> {
  const user = await readUser(server, token, userId);
  return ((user.groups ?? []) as Json[]).map((g) => g.display as string).sort();
}

/** Asserts that no `null` appears anywhere in a response body (Entra cannot deserialize them in some places). */
export function expectNoNulls(value: unknown, where = '$'): void {
  expect(value, `${where} is null`).not.toBeNull();
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) expectNoNulls(item, `${where}[${i}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) expectNoNulls(inner, `${where}.${key}`);
  }
}
