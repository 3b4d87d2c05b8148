import { expect } from 'vitest';
import type { ScimClient, ScimResponse } from '../support/scim-server.js';

export { ERROR_SCHEMA, expectScimError } from '../support/scim-assertions.js';

export type Json = Record<string, any>;

export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const TEAMS = 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User';

/** `?filter=` with the filter percent-encoded. */
export const q = (filter: string, extra = ''): string => `/Users?filter=${encodeURIComponent(filter)}${extra}`;

/** Creates a user and returns the 201 body. */
export async function create(scim: ScimClient, body: unknown): Promise<Json> {
  const response = await scim.post('/Users', body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** Reads a user (200 expected). */
export async function read(scim: ScimClient, id: string): Promise<Json> {
  const response = await scim.get(`/Users/${id}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

/** Asserts that the user reads back exactly as before (meta.version and lastModified included). */
export async function expectUnchanged(scim: ScimClient, id: string, before: Json): Promise<void> {
  const after = await read(scim, id);
  expect(after).toStrictEqual(before);
}

/** Ids of a list response, in order. */
export const ids = (response: ScimResponse): string[] => (response.body.Resources as Array<{ id: string }>).map((r) => r.id);

/** userNames of a list response, in order. */
export const userNames = (response: ScimResponse): string[] =>
  (response.body.Resources as Array<{ userName: string }>).map((r) => r.userName);

/** GETs a filter and returns the sorted userNames (asserting 200 and a consistent ListResponse). */
export async function filterNames(scim: ScimClient, filter: string): Promise<string[]> {
  const response = await scim.get(q(filter, '&count=1000'));
  expect(response.status, `${filter}: ${JSON.stringify(response.body)}`).toBe(200);
  expect(response.body.schemas).toEqual([LIST_SCHEMA]);
  expect(response.body.totalResults).toBe(response.body.Resources.length);
  return userNames(response).sort();
}
