/**
 * Wire-level replay of identity-provider traffic (see ../shared/reference/idp-behaviour.md).
 *
 * `replay()` sends one raw HTTP request with exactly the headers given: it uses `node:http`
 * rather than `fetch`, because `fetch` always adds `User-Agent`, `Accept`, `Accept-Language`,
 * `Sec-Fetch-Mode` and `Accept-Encoding` headers, so it cannot replay Entra's Test Connection
 * (no User-Agent at all) or OneLogin's empty User-Agent. The path is sent byte for byte, so
 * query strings keep their `+`-encoded spaces, `%22` quotes and trailing `&` or `?`.
 * Only `Host`, `Connection` and `Content-Length` are added by the transport.
 * What the suites assert about the answers is in ./replay-assertions.ts.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { TestServer } from '../support/scim-server.js';

export type Json = Record<string, any>;

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** `null` as a header value removes a header a profile would otherwise send. */
export type HeaderMap = Record<string, string | null>;

export interface ReplayRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path below the SCIM base URL, with its raw query string: `/Users?filter=userName+eq+%22x%22&`. */
  readonly path: string;
  /** Exactly the headers to send (names case-insensitive). `Authorization` is added from the token unless given. */
  readonly headers?: HeaderMap;
  /** An object is sent as JSON text; a string is sent as is. */
  readonly body?: unknown;
}

export interface ReplayResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly contentType: string | undefined;
  readonly text: string;
  /** The parsed JSON body, or undefined for an empty or non-JSON body. */
  readonly json: Json | undefined;
  /** "METHOD path → status body", for assertion messages. */
  readonly describe: string;
}

/** Sends one raw request to the SCIM base URL of `server`. */
export function replay(server: TestServer, token: string | undefined, request: ReplayRequest): Promise<ReplayResponse> {
  const base = new URL(server.scimUrl);
  const payload = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === null) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload, 'utf8'));
  const path = `${base.pathname.replace(/\/$/, '')}${request.path}`;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: base.hostname, port: Number(base.port), method: request.method, path, headers, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          let raw = Buffer.concat(chunks);
          const encoding = String(incoming.headers['content-encoding'] ?? '').toLowerCase();
          if (encoding === 'gzip') raw = gunzipSync(raw);
          else if (encoding === 'deflate') raw = inflateSync(raw);
          const text = raw.toString('utf8');
          let json: Json | undefined;
          try {
            json = text.trim() === '' ? undefined : (JSON.parse(text) as Json);
          } catch {
            json = undefined;
          }
          const status = incoming.statusCode ?? 0;
          resolve({
            status,
            headers: incoming.headers,
            contentType: incoming.headers['content-type'],
            text,
            json,
            describe: `${request.method} ${request.path} → ${status} ${text.slice(0, 1500)}`,
          });
        });
      },
    );
    outgoing.on('error', reject);
    if (payload !== undefined) outgoing.write(payload, 'utf8');
    outgoing.end();
  });
}

/**
 * The headers one IdP sends: `always` on every request, `withBody` added when there is a body.
 * A replay can override or (with `null`) remove any of them.
 */
export interface IdpProfile {
  readonly name: string;
  readonly always: HeaderMap;
  readonly withBody: HeaderMap;
}

/** Entra ID: no User-Agent at all (Test Connection), `application/scim+json; charset=utf-8` bodies. */
export const ENTRA: IdpProfile = {
  name: 'Entra ID',
  always: { accept: 'application/scim+json' },
  withBody: { 'content-type': 'application/scim+json; charset=utf-8' },
};

/** Okta (2018 doc headers plus the Runscope spec test's content type). */
export const OKTA: IdpProfile = {
  name: 'Okta',
  always: {
    'user-agent': 'Okta SCIM Client 1.0.0',
    accept: 'application/scim+json',
    'accept-charset': 'utf-8',
    'accept-encoding': 'gzip,deflate',
  },
  withBody: { 'content-type': 'application/scim+json; charset=utf-8' },
};

/** OneLogin: an empty User-Agent and `application/scim+json` bodies (authentik#11249). */
export const ONELOGIN: IdpProfile = {
  name: 'OneLogin',
  always: { 'user-agent': '', accept: 'application/json' },
  withBody: { 'content-type': 'application/scim+json' },
};

/** A textbook RFC 7644 client. */
export const GENERIC: IdpProfile = {
  name: 'generic RFC 7644 client',
  always: { 'user-agent': 'rfc7644-client/1.0', accept: 'application/scim+json' },
  withBody: { 'content-type': 'application/scim+json' },
};

export type Send = (method: ReplayRequest['method'], path: string, body?: unknown, headers?: HeaderMap) => Promise<ReplayResponse>;

/** A sender bound to one server, token and IdP profile. */
export function idp(server: TestServer, token: string, profile: IdpProfile): Send {
  return (method, path, body, headers = {}) =>
    replay(server, token, {
      method,
      path,
      headers: { ...profile.always, ...(body !== undefined ? profile.withBody : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
}

export const patchOp = (...Operations: unknown[]): Json => ({ schemas: [PATCH_OP], Operations });

export const guid = (): string => randomUUID();

/** The user's enterprise extension, or {}. */
export const enterprise = (user: Json): Json => (user[ENTERPRISE] ?? {}) as Json;

/** The value of the user's work email, if any. */
export const workEmail = (user: Json): string | undefined =>
  ((user.emails ?? []) as Json[]).find((e) => String(e.type).toLowerCase() === 'work')?.value as string | undefined;

/** Sorted copy. */
export const sorted = (values: readonly string[]): string[] => [...values].sort();

/** Query-string encoding as Entra and OneLogin send it: spaces as `+`, quotes as `%22`. */
export function plusEncoded(filter: string): string {
  return encodeURIComponent(filter).replace(/%20/g, '+');
}
