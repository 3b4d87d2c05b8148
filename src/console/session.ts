import { timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { Directory } from '../directory/directory.js';
import { SESSION_TTL_MS, type SignedIn, type Viewer } from '../directory/sign-in/sign-in.js';
import { consolePath } from './links.js';
import type { Flash } from './views/layout.js';

export const SESSION_COOKIE = 'roster_session';
export const STATE_COOKIE = 'roster_sso_state';
export const FLASH_COOKIE = 'roster_flash';

export const workspacePath = (slug: string): string => consolePath(slug);

/**
 * Cookies are HttpOnly, SameSite=Lax (the IdP's redirect back is a top-level GET that must carry
 * the state cookie) and Secure when Roster is served over https. Each is scoped to one workspace's
 * path, so sessions of two workspaces in one browser do not collide.
 */
export function cookieOptions(config: Config, path: string, maxAgeMs?: number): CookieSerializeOptions {
  return {
    path,
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl.startsWith('https:'),
    ...(maxAgeMs !== undefined ? { maxAge: Math.floor(maxAgeMs / 1000) } : {}),
  };
}

export function setSessionCookie(reply: FastifyReply, config: Config, slug: string, signedIn: SignedIn): void {
  reply.setCookie(SESSION_COOKIE, signedIn.secret, cookieOptions(config, workspacePath(slug), SESSION_TTL_MS));
}

export function clearSessionCookie(reply: FastifyReply, config: Config, slug: string): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(config, workspacePath(slug)));
}

/** The signed-in viewer of this workspace, if the request carries a valid session for it. */
export async function viewerFor(directory: Directory, request: FastifyRequest, slug: string): Promise<Viewer | undefined> {
  const secret = request.cookies[SESSION_COOKIE];
  if (!secret) return undefined;
  const viewer = await directory.signIn.viewer(secret);
  return viewer && viewer.workspace.slug === slug ? viewer : undefined;
}

/** Compares the form's `_csrf` field with the session's token, in constant time. */
export function csrfValid(viewer: Viewer, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(submitted);
  const b = Buffer.from(viewer.session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A message for the next page, kept in a short-lived cookie so a crafted URL cannot fake one. */
export function setFlash(reply: FastifyReply, config: Config, slug: string, flash: Flash): void {
  reply.setCookie(
    FLASH_COOKIE,
    Buffer.from(JSON.stringify(flash)).toString('base64url'),
    cookieOptions(config, workspacePath(slug), 60_000),
  );
}

export function takeFlash(request: FastifyRequest, reply: FastifyReply, config: Config, slug: string): Flash | undefined {
  const value = request.cookies[FLASH_COOKIE];
  if (!value) return undefined;
  reply.clearCookie(FLASH_COOKIE, cookieOptions(config, workspacePath(slug)));
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Flash;
    if ((parsed.kind === 'ok' || parsed.kind === 'error') && typeof parsed.message === 'string') return parsed;
  } catch {
    // A damaged cookie is simply dropped.
  }
  return undefined;
}
