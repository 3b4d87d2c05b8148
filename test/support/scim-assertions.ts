/** Assertions on the answers of the SCIM test client (`scimClient` in ./scim-server.ts). */
import { expect } from 'vitest';
import type { ScimResponse } from './scim-server.js';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The status, with the body in the failure message. */
export function expectStatus(response: ScimResponse, status: number): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
}

/**
 * Asserts the RFC 7644 §3.12 error shape: the Error schema, status as a string equal to the
 * HTTP status, the scimType (`null`: none; omitted: not checked), a detail containing the X-Trace-Id, a SCIM content type.
 */
export function expectScimError(response: ScimResponse, status: number, scimType?: string | null): void {
  expectStatus(response, status);
  expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.status).toBe(String(status));
  expect(typeof response.body.status).toBe('string');
  if (scimType === null) expect(response.body.scimType).toBeUndefined();
  else if (scimType !== undefined) expect(response.body.scimType).toBe(scimType);
  expect(typeof response.body.detail).toBe('string');
  const traceId = response.headers.get('x-trace-id');
  expect(traceId).toBeTruthy();
  expect(response.body.detail).toContain(traceId);
}
