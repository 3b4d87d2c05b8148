import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Workspace } from '../../directory/model.js';
import {
  completeSsoSignIn,
  endSession,
  passwordSignIn,
  redeemLoginLink,
  type SignedIn,
  SignInRefused,
  saveLoginFlow,
  takeLoginFlow,
} from '../../directory/sign-in.js';
import { authorizationErrorMessage, quotableDescription } from '../../sso/authorization-errors.js';
import { SsoProviderError } from '../../sso/oidc-relying-party.js';
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

/** Signing in and out: the start page, SSO, passwords, one-time links. */
export function registerLoginRoutes(scope: FastifyInstance, context: ConsoleContext): void {
  const { store, config, sso } = context;

  const workspaceOf = async (slug: string): Promise<Workspace | undefined> => store.read.workspaces.bySlug(slug);
  const notFound = (reply: FastifyReply) =>
    sendPage(reply, messagePage('Workspace not found', 'There is no workspace at this address.'), 404);
  const refuse = async (reply: FastifyReply, workspace: Workspace, message: string, email?: string, providerSaid?: string) =>
    sendPage(
      reply,
      loginPage({ workspace, ssoConfigured: Boolean(await store.read.workspaces.sso(workspace.id)), error: message, email, providerSaid }),
      403,
    );
  /** Ends the sign-in attempt `state` names; whether it was a live one of this workspace. */
  const pendingFlowTaken = async (workspace: Workspace, state: string): Promise<boolean> => {
    try {
      await takeLoginFlow(store, workspace, state);
      return true;
    } catch (error) {
      if (error instanceof SignInRefused) return false;
      throw error;
    }
  };
  const signedIn = (reply: FastifyReply, workspace: Workspace, session: SignedIn) => {
    setSessionCookie(reply, config, workspace.slug, session);
    return reply.redirect(`${workspacePath(workspace.slug)}/profile`, 303);
  };

  scope.get('/', async (_request, reply) => sendPage(reply, startPage()));
  scope.get('/go', async (request: SlugRequest, reply) => {
    const slug = queryText(request.query, 'slug', 200).toLowerCase();
    return reply.redirect(`${workspacePath(slug)}/login`, 303);
  });

  scope.get('/w/:slug', async (request: SlugRequest, reply) => reply.redirect(`${workspacePath(request.params.slug)}/login`, 303));

  scope.get('/w/:slug/login', async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    if (await viewerFor(store, request, workspace.slug)) return reply.redirect(`${workspacePath(workspace.slug)}/profile`, 303);
    return sendPage(reply, loginPage({ workspace, ssoConfigured: Boolean(await store.read.workspaces.sso(workspace.id)) }));
  });

  // A GET, not a form POST: the redirect to the identity provider must not be held to CSP form-action.
  const limited = signInLimit(config);

  scope.get('/w/:slug/sso/start', limited, async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    const settings = await store.read.workspaces.sso(workspace.id);
    if (!settings) return refuse(reply, workspace, 'Single sign-on is not set up for this workspace.');
    try {
      const authorization = await sso.authorizationRequest(settings, callbackUrl(workspace));
      await saveLoginFlow(store, workspace, {
        state: authorization.state,
        nonce: authorization.nonce,
        codeVerifier: authorization.codeVerifier,
      });
      // The state is also bound to this browser, so a callback started elsewhere (login CSRF) fails.
      reply.setCookie(STATE_COOKIE, authorization.state, cookieOptions(config, `${workspacePath(workspace.slug)}/sso`, 10 * 60 * 1000));
      return reply.redirect(authorization.url.href, 303);
    } catch (error) {
      if (error instanceof SsoProviderError) {
        request.log.warn({ err: error, workspace: workspace.slug, reason: error.reason }, 'sso start failed');
        return refuse(reply, workspace, `Single sign-on is not available right now: ${error.message}.`);
      }
      throw error;
    }
  });

  scope.get('/w/:slug/sso/callback', async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    const settings = await store.read.workspaces.sso(workspace.id);
    if (!settings) return refuse(reply, workspace, 'Single sign-on is not set up for this workspace.');
    const state = queryText(request.query, 'state', 512);
    const boundToBrowser = state !== '' && request.cookies[STATE_COOKIE] === state;
    reply.clearCookie(STATE_COOKIE, cookieOptions(config, `${workspacePath(workspace.slug)}/sso`));
    const error = queryText(request.query, 'error', 200);
    if (error) {
      // Anyone can send a browser to this address with any text in `error` and
      // `error_description`: Roster words the code itself, and quotes the provider's description
      // only when the state is one this browser started (its cookie) and Roster still holds.
      const pending = boundToBrowser && (await pendingFlowTaken(workspace, state));
      const description = queryText(request.query, 'error_description', 2000);
      request.log.warn(
        { workspace: workspace.slug, error, errorDescription: description, stateMatched: pending },
        'the identity provider answered the sign-in with an error',
      );
      const quoted = pending ? quotableDescription(description) : undefined;
      return refuse(reply, workspace, authorizationErrorMessage(error), undefined, quoted);
    }
    try {
      if (!boundToBrowser) {
        throw new SignInRefused('flowInvalid', 'This sign-in was not started in this browser, or it expired. Please start again.');
      }
      const flow = await takeLoginFlow(store, workspace, state);
      const identity = await sso.complete(settings, new URL(request.url, config.publicUrl), flow);
      return signedIn(
        reply,
        workspace,
        await completeSsoSignIn(store, workspace, { email: identity.email, emailVerified: identity.emailVerified }),
      );
    } catch (error) {
      if (error instanceof SignInRefused) return refuse(reply, workspace, error.message);
      if (error instanceof SsoProviderError) {
        request.log.warn({ err: error, workspace: workspace.slug, reason: error.reason }, 'sso callback failed');
        return refuse(reply, workspace, `Single sign-on failed: ${error.message}.`);
      }
      throw error;
    }
  });

  scope.post('/w/:slug/login/password', limited, async (request: SlugRequest, reply) => {
    const workspace = await workspaceOf(request.params.slug);
    if (!workspace) return notFound(reply);
    const email = field(request.body, 'email');
    try {
      return signedIn(reply, workspace, await passwordSignIn(store, workspace, email, field(request.body, 'password')));
    } catch (error) {
      if (error instanceof SignInRefused) return refuse(reply, workspace, error.message, email);
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
      return signedIn(reply, workspace, await redeemLoginLink(store, workspace, request.params.token));
    } catch (error) {
      if (error instanceof SignInRefused) return refuse(reply, workspace, error.message);
      throw error;
    }
  });

  scope.post('/w/:slug/logout', async (request: SlugRequest, reply) => {
    const slug = request.params.slug;
    const viewer = await viewerFor(store, request, slug);
    if (viewer && !csrfValid(viewer, field(request.body, '_csrf'))) {
      return sendPage(reply, messagePage('Request refused', 'This form has expired. Reload the page and try again.'), 403);
    }
    const secret = request.cookies[SESSION_COOKIE];
    if (secret) await endSession(store, secret);
    clearSessionCookie(reply, config, slug);
    return reply.redirect(`${workspacePath(slug)}/login`, 303);
  });

  function callbackUrl(workspace: Workspace): string {
    return `${config.publicUrl}${workspacePath(workspace.slug)}/sso/callback`;
  }
}
