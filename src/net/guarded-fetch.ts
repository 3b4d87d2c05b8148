import http from 'node:http';
import https from 'node:https';
import { type AddressPolicy, addressLiteral, checkAddresses, guardedLookup } from './address-policy.js';

/** The part of `fetch`'s init that openid-client (its `customFetch`) and Roster's callers use. */
export interface GuardedFetchInit {
  readonly method?: string | undefined;
  readonly headers?: Record<string, string> | Headers | undefined;
  /** A ReadableStream (streamed upload) is refused: nothing Roster sends needs one. */
  readonly body?: string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null | undefined;
  readonly signal?: AbortSignal | null | undefined;
  /** Redirects are never followed: a 3xx answer is returned as it is (what `redirect: 'manual'` asks for). */
  readonly redirect?: string | undefined;
}

export type GuardedFetch = (url: string | URL, init?: GuardedFetchInit) => Promise<Response>;

/** Largest response body read into memory (discovery documents and JWKS are a few KiB). */
const MAX_BODY_BYTES = 1024 * 1024;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A `fetch` for URLs chosen by customers: it connects only to addresses the policy allows,
 * checking the address actually connected to (`guardedLookup` at connect time, and address
 * literals before), so DNS rebinding between a check and the connection does not get around it.
 * Built on node:http and node:https, because Node 20's `fetch` offers no `lookup` hook without
 * the undici package. It follows no redirects and reads at most 1 MiB.
 */
export function guardedFetch(policy: AddressPolicy, options: { maxBodyBytes?: number } = {}): GuardedFetch {
  const lookup = guardedLookup(policy);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
      // Node calls `lookup` only for names: an address literal is checked here.
      const literal = addressLiteral(url.hostname);
      if (literal !== undefined) checkAddresses(url.hostname, [literal], policy);
      const headers = new Headers(init.headers);
      const body = requestBody(init.body, headers);
      headers.delete('accept-encoding'); // Responses are read as they come, without decompression.
      if (body !== undefined) headers.set('content-length', String(body.byteLength));
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headers.entries()),
        lookup,
        agent: false,
        ...(init.signal ? { signal: init.signal } : {}),
      });
      request.on('error', reject);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        response.on('data', (chunk: Buffer) => {
          if (tooLarge) return;
          size += chunk.byteLength;
          if (size > maxBodyBytes) {
            tooLarge = true;
            reject(new Error(`the response body exceeds ${maxBodyBytes} bytes`));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          if (tooLarge) return;
          const status = response.statusCode ?? 502;
          const answer = new Headers();
          const raw = response.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) {
            try {
              answer.append(raw[i] as string, raw[i + 1] as string);
            } catch {
              // A header the Fetch API cannot hold is left out.
            }
          }
          try {
            resolve(
              new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: response.statusMessage ?? '',
                headers: answer,
              }),
            );
          } catch (error) {
            reject(error);
          }
        });
      });
      request.end(body);
    });
}

function requestBody(body: GuardedFetchInit['body'], headers: Headers): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return Buffer.from(body.toString(), 'utf8');
  }
  if (typeof body === 'string') {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    return Buffer.from(body, 'utf8');
  }
  if (body instanceof ReadableStream) throw new TypeError('guardedFetch does not send streamed bodies');
  return Buffer.from(body instanceof ArrayBuffer ? new Uint8Array(body) : body);
}
