import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDirectoryError } from '../../directory/errors.js';
import type { Workspace } from '../../directory/model.js';
import type { SignedIn } from '../../directory/sign-in/sign-in.js';
import { authorizationErrorMessage, quotableDescription } from '../../sso/authorization-errors.js';
import { reasonOf } from '../console-errors.js';
import { type ConsoleContext, field, queryText, type SlugRequest, sendPage, signInLimit } from '../context.js';
import {
  clearSessionCookie,
  cookieOptions,
  csrfValid,
  SESSION_COOKIE,
  STATE_COOKIE,
  setSessionCookie,
  viewerFor,
  workspacePath,
} from '../session.js';
import { linkPage, loginPage, messagePage, startPage } from '../views/login-views.js';

type LinkRequest = FastifyRequest<{ Params: { slug: string; token: string } }>;

const LINK_INVALID = 'This sign-in link is not valid: it was used already, it expired, or it belongs to another workspace.';

/** What the sign-in routes share: finding the workspace, the refusal page, starting a session. */
function signInPages({ directory, config }: ConsoleContext) {
  const ssoConfigured = async (workspace: Workspace) => Boolean(await directory.workspaces.ssoSettings(workspace));
  return {
    ssoConfigured,
    workspaceOf: async (slug: string): Promise<Workspace | undefined> => directory.workspaces.find(slug),
    notFound: (reply: FastifyReply) => sendPage(reply, messagePage('Workspace not found', 'There is no workspace at this address.'), 404),
    refuse: async (reply: FastifyReply, workspace: Workspace, message: string, email?: string, providerSaid?: string) =>
      sendPage(reply, loginPage({ workspace, ssoConfigured: await ssoConfigured(workspace), error: message, email, providerSaid }), 403),
    signedIn: (reply: FastifyReply, workspace: Workspace, session: SignedIn) => {
      setSessionCookie(reply, config, workspace.slug, session);
      return reply.redirect(`${workspacePath(workspace.slug)}/profile`, 303);
    },
  };
}

/** Signing in and out: the start page, SSO, passwords, one-time links. */
export function registerLoginRoutes(scope: FastifyInstance, context: ConsoleContext): void {
  const { directory } = context;
  const { workspaceOf, ssoConfigured, notFound } = signInPages(context);

  scope.get('/', async (_request, reply) => sendPage(reply, startPage()));
  scope.get('/go', async (request: SlugRequest, reply) => {
    const slug = queryText(request.query, 'slug', 200).toLowerCase();
    return reply.redirect(`${workspacePath(slug)}/login`, 303);
  });

  scope.get('/w/:slug', async (request: SlugRequest, reply) => reply.redirect(`${workspacePath(request.params.slug)}/login`, 303));

  scope.get('/w/:slug/login', async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    if (await viewerFor(directory, request, workspace.slug)) return reply.redirect(`${workspacePath(workspace.slug)}/profile`, 303);
    return sendPage(reply, loginPage({ workspace, ssoConfigured: await ssoConfigured(workspace) }));
  });

  registerSsoSignInRoutes(scope, context);
  registerCredentialRoutes(scope, context);
}

/** Single sign-on: the redirect to the identity provider and its callback. */
function registerSsoSignInRoutes(scope: FastifyInstance, context: ConsoleContext): void {
  const { directory, config } = context;
  const { workspaceOf, ssoConfigured, notFound, refuse, signedIn } = signInPages(context);
  const callbackUrl = (workspace: Workspace): string => `${config.publicUrl}${workspacePath(workspace.slug)}/sso/callback`;
  // A GET, not a form POST: the redirect to the identity provider must not be held to CSP form-action.
  const limited = signInLimit(config);

  scope.get('/w/:slug/sso/start', limited, async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    try {
      const { url, state } = await directory.signIn.startSso(workspace, callbackUrl(workspace));
      // The state is also bound to this browser, so a callback started elsewhere (login CSRF) fails.
      reply.setCookie(STATE_COOKIE, state, cookieOptions(config, `${workspacePath(workspace.slug)}/sso`, 10 * 60 * 1000));
      return reply.redirect(url.href, 303);
    } catch (error) {
      if (!isDirectoryError(error)) throw error;
      if (error.code !== 'identityProviderFailed') return refuse(reply, workspace, error.message);
      request.log.warn({ err: error, workspace: workspace.slug, reason: reasonOf(error) }, 'sso start failed');
      return refuse(reply, workspace, `Single sign-on is not available right now: ${error.message}.`);
    }
  });

  scope.get('/w/:slug/sso/callback', async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    if (!(await ssoConfigured(workspace))) return refuse(reply, workspace, 'Single sign-on is not set up for this workspace.');
    const state = queryText(request.query, 'state', 512);
    const boundToBrowser = state !== '' && request.cookies[STATE_COOKIE] === state;
    reply.clearCookie(STATE_COOKIE, cookieOptions(config, `${workspacePath(workspace.slug)}/sso`));
    const error = queryText(request.query, 'error', 200);
    if (error) {
      // Anyone can send a browser to this address with any text in `error` and
      // `error_description`: Roster words the code itself, and quotes the provider's description
      // only when the state is one this browser started (its cookie) and Roster still holds.
      const pending = boundToBrowser && (await directory.signIn.abandonSso(workspace, state));
      const description = queryText(request.query, 'error_description', 2000);
      request.log.warn(
        { workspace: workspace.slug, error, errorDescription: description, stateMatched: pending },
        'the identity provider answered the sign-in with an error',
      );
      const quoted = pending ? quotableDescription(description) : undefined;
      return refuse(reply, workspace, authorizationErrorMessage(error), undefined, quoted);
    }
    try {
      const url = new URL(request.url, config.publicUrl);
      return signedIn(reply, workspace, await directory.signIn.finishSso(workspace, { url, state, boundToBrowser }));
    } catch (error) {
      if (!isDirectoryError(error)) throw error;
      if (error.code !== 'identityProviderFailed') return refuse(reply, workspace, error.message);
      request.log.warn({ err: error, workspace: workspace.slug, reason: reasonOf(error) }, 'sso callback failed');
      return refuse(reply, workspace, `Single sign-on failed: ${error.message}.`);
    }
  });
}

/** Password sign-in, one-time links and signing out. */
function registerCredentialRoutes(scope: FastifyInstance, context: ConsoleContext): void {
  const { directory, config } = context;
  const { workspaceOf, notFound, refuse, signedIn } = signInPages(context);
  const limited = signInLimit(config);

  scope.post('/w/:slug/login/password', limited, async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    const email = field(request.body, 'email');
    try {
      return signedIn(reply, workspace, await directory.signIn.password(workspace, email, field(request.body, 'password')));
    } catch (error) {
      if (isDirectoryError(error) && error.code === 'signInRefused') return refuse(reply, workspace, error.message, email);
      throw error;
    }
  });

  // The GET only shows a button: link scanners in mail systems fetch links and must not use them up.
  scope.get('/w/:slug/login/link/:token', async (request: LinkRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    // Only a value shaped like an issued token gets a form that posts back to it.
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(request.params.token)) return refuse(reply, workspace, LINK_INVALID);
    return sendPage(reply, linkPage(workspace, request.params.token));
  });

  scope.post('/w/:slug/login/link/:token', limited, async (request: LinkRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    try {
      return signedIn(reply, workspace, await directory.signIn.redeemLink(workspace, request.params.token));
    } catch (error) {
      if (isDirectoryError(error) && error.code === 'signInRefused') return refuse(reply, workspace, error.message);
      throw error;
    }
  });

  scope.post('/w/:slug/logout', async (request: SlugRequest, reply) => {
    const slug = request.params.slug;
    const viewer = await viewerFor(directory, request, slug);
    if (viewer && !csrfValid(viewer, field(request.body, '_csrf'))) {
      return sendPage(reply, messagePage('Request refused', 'This form has expired. Reload the page and try again.'), 403);
    }
    const secret = request.cookies[SESSION_COOKIE];
    if (secret) await directory.signIn.end(secret);
    clearSessionCookie(reply, config, slug);
    return reply.redirect(`${workspacePath(slug)}/login`, 303);
  });
}
