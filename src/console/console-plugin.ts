import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStorableInput } from '../scim/unicode.js';
import { ConsoleInputRefused, consoleFailure } from './console-errors.js';
import { type ConsoleContext, field, sendPage } from './context.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerGuideRoutes } from './routes/guide-routes.js';
import { registerLoginRoutes } from './routes/login-routes.js';
import { registerProfileRoutes } from './routes/profile-routes.js';
import { csrfValid, viewerFor, workspacePath } from './session.js';
import { messagePage } from './views/login-views.js';

const ASSETS = {
  'console.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/console.css', import.meta.url)) },
  'console.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/console.js', import.meta.url)) },
} as const;

/**
 * The web console: server-rendered pages on the SCIM service's Fastify instance. Its own scope
 * parses forms and cookies, so the SCIM API's parsers and error bodies stay untouched.
 */
export async function registerConsole(app: FastifyInstance, context: ConsoleContext): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(cookie);
    await scope.register(formbody, { bodyLimit: 64 * 1024 });
    // Sign-in routes opt in (signInLimit in context.ts): a password check costs an scrypt hash, so
    // unbounded guessing would be both a brute-force and a CPU-exhaustion attack.
    await scope.register(rateLimit, {
      global: false,
      keyGenerator: (request) => request.ip,
      errorResponseBuilder: (_request, limit) =>
        Object.assign(new Error(`Too many sign-in attempts from your address. Try again in ${limit.after}.`), { statusCode: 429 }),
    });
    scope.setErrorHandler((error, request, reply) => {
      const failure = consoleFailure(error);
      if (failure) return sendPage(reply, messagePage(failure.title, failure.message), failure.status);
      request.log.error({ err: error }, 'console request failed');
      return sendPage(reply, messagePage('Something went wrong', `Roster could not complete this request. Trace id: ${request.id}`), 500);
    });
    // PostgreSQL cannot hold a NUL in text, and no person types one (nor a lone surrogate): refuse
    // it before any route (and any guard) hands it to the store. Runs after the form body is parsed.
    scope.addHook('preValidation', async (request) => {
      if (!isStorableInput(request.params) || !isStorableInput(request.query) || !isStorableInput(request.body)) {
        throw new ConsoleInputRefused(
          'The request contains a NUL character or a lone surrogate, which Roster does not accept in any field.',
        );
      }
    });
    // Defence in depth against cross-site form posts, besides SameSite cookies and CSRF tokens.
    const origin = new URL(context.config.publicUrl).origin;
    scope.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'POST') return;
      // Browsers send `Origin: null` under the no-referrer policy; Sec-Fetch-Site still tells.
      const sent = request.headers.origin;
      const site = request.headers['sec-fetch-site'];
      const foreignOrigin = sent !== undefined && sent !== 'null' && sent !== origin;
      const foreignSite = site === 'cross-site' || site === 'same-site';
      if (foreignOrigin || foreignSite) {
        return sendPage(reply, messagePage('Request refused', 'This form was sent from another site.'), 403);
      }
    });
    scope.get('/assets/:name', async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
      const asset = ASSETS[request.params.name as keyof typeof ASSETS];
      if (!asset) return sendPage(reply, messagePage('Not found', 'No such file.'), 404);
      return reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body);
    });
    registerLoginRoutes(scope, context);
    registerGuideRoutes(scope);
    await scope.register(async (member) => {
      member.addHook('preHandler', (request, reply) => guard(context, request, reply, { admin: false }));
      registerProfileRoutes(member, context);
    });
    await scope.register(async (admin) => {
      admin.addHook('preHandler', (request, reply) => guard(context, request, reply, { admin: true }));
      registerAdminRoutes(admin, context);
    });
  });
}

/** Requires a signed-in viewer of the URL's workspace (an admin where asked) and a valid CSRF token on POST. */
async function guard(context: ConsoleContext, request: FastifyRequest, reply: FastifyReply, options: { admin: boolean }): Promise<void> {
  const slug = (request.params as { slug?: string }).slug ?? '';
  const viewer = await viewerFor(context.directory, request, slug);
  if (!viewer) {
    if (request.method === 'GET') return void reply.redirect(`${workspacePath(slug)}/login`, 303);
    return void sendPage(reply, messagePage('Signed out', 'Your session has ended. Sign in again.'), 401);
  }
  if (options.admin && !viewer.isAdmin) {
    return void sendPage(reply, messagePage('Administrators only', 'This page is for workspace administrators.'), 403);
  }
  if (request.method === 'POST' && !csrfValid(viewer, field(request.body, '_csrf'))) {
    return void sendPage(
      reply,
      messagePage('Request refused', 'This form has expired or did not come from Roster. Reload the page and try again.'),
      403,
    );
  }
  request.viewer = viewer;
}
