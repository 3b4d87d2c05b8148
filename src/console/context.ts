import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { Directory } from '../directory/directory.js';
import { DirectoryError, type DirectoryErrorCode } from '../directory/errors.js';
import type { EventContext } from '../directory/events/event-model.js';
import type { Viewer } from '../directory/sign-in/sign-in.js';

/** What every console route needs. */
export interface ConsoleContext {
  readonly directory: Directory;
  readonly config: Config;
}

/** Query values are read through `queryText`: a repeated parameter arrives as an array. */
export type SlugRequest = FastifyRequest<{ Params: { slug: string }; Querystring: Record<string, unknown> }>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in viewer on /w/:slug pages that require one. */
    viewer?: Viewer;
  }
}

export function sendPage(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** The viewer a guarded route runs for; the guard hook has set it. */
export function viewerOfRequest(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new TypeError('route reached without a signed-in viewer');
  return request.viewer;
}

/** A form field as a trimmed string ('' when missing or not a string). */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * A query parameter as a trimmed string: '' when missing, the first value when repeated
 * (`?q=a&q=b` parses to an array), and at most `maxLength` characters.
 */
export function queryText(query: unknown, name: string, maxLength = 1000): string {
  let value = (query as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' ? value.trim().slice(0, maxLength) : '';
}

/** Runs a console action; a DirectoryError becomes the message shown to the admin. */
export async function attempt<T>(
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; message: string; code: DirectoryErrorCode }> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof DirectoryError) return { ok: false, message: error.message, code: error.code };
    throw error;
  }
}

/** Who a console action runs for, in the audit log (`console:<email>`) and in events. */
export function actorOf(request: FastifyRequest): EventContext {
  const { user } = viewerOfRequest(request);
  return { actor: { type: 'console', email: user.email || user.userName }, traceId: request.id };
}

/** Route options that apply the console's per-address sign-in limit (none when configured to 0). */
export function signInLimit(config: Config): { config?: { rateLimit: { max: number; timeWindow: number } } } {
  return config.signInRateLimit > 0 ? { config: { rateLimit: { max: config.signInRateLimit, timeWindow: 60_000 } } } : {};
}
