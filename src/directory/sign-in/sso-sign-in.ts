import { DirectoryError, SignInRefused } from '../errors.js';
import type { LoginFlow, SsoConfig, Workspace } from '../model.js';
import type { DirectoryStore } from '../ports.js';
import { completeSsoSignIn, type SignedIn, saveLoginFlow, takeLoginFlow } from './sign-in.js';

/** What an authorization request sends the browser to, and what its callback is checked against. */
export interface AuthorizationRequest {
  readonly url: URL;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** What the identity provider vouched for after a successful code exchange. */
export interface VerifiedIdentity {
  readonly subject: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean | undefined;
  readonly name: string | undefined;
}

/** What "test connection" found at the issuer. */
export interface IssuerCheck {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** The issuer announces PKCE with S256. */
  readonly pkce: boolean;
}

/**
 * The port to a workspace's OpenID Connect provider (authorization code flow with PKCE S256 and
 * a nonce); `src/sso/` implements it with openid-client. Every failure is an
 * `IdentityProviderFailed`.
 */
export interface IdentityProviderClient {
  authorizationRequest(settings: SsoConfig, redirectUri: string): Promise<AuthorizationRequest>;
  complete(settings: SsoConfig, callbackUrl: URL, checks: Pick<LoginFlow, 'state' | 'nonce' | 'codeVerifier'>): Promise<VerifiedIdentity>;
  test(settings: SsoConfig): Promise<IssuerCheck>;
}

export async function ssoSettings(store: DirectoryStore, workspace: Workspace): Promise<SsoConfig | undefined> {
  return store.read.workspaces.sso(workspace.id);
}

async function requireSso(store: DirectoryStore, workspace: Workspace): Promise<SsoConfig> {
  const settings = await ssoSettings(store, workspace);
  if (!settings) throw new DirectoryError('ssoNotConfigured', 'Single sign-on is not set up for this workspace.');
  return settings;
}

/**
 * Starts an SSO sign-in: an authorization request whose state, nonce and PKCE verifier are kept
 * server-side (single use, ten minutes) until the callback. The caller binds the returned state
 * to the browser (a cookie), so a callback started elsewhere fails (login CSRF).
 */
export async function startSsoSignIn(
  store: DirectoryStore,
  identityProvider: IdentityProviderClient,
  workspace: Workspace,
  redirectUri: string,
): Promise<{ url: URL; state: string }> {
  const settings = await requireSso(store, workspace);
  const request = await identityProvider.authorizationRequest(settings, redirectUri);
  await saveLoginFlow(store, workspace, { state: request.state, nonce: request.nonce, codeVerifier: request.codeVerifier });
  return { url: request.url, state: request.state };
}

/** The provider's redirect back to Roster. */
export interface SsoCallback {
  readonly url: URL;
  readonly state: string;
  /** The state is the one this browser's cookie holds. */
  readonly boundToBrowser: boolean;
}

/**
 * Completes an SSO sign-in from the provider's callback: the state must be one this browser
 * started (`boundToBrowser`, from its cookie) and Roster still holds; the code is exchanged and the
 * account with the verified email signs in.
 */
export async function finishSsoSignIn(
  store: DirectoryStore,
  identityProvider: IdentityProviderClient,
  workspace: Workspace,
  callback: SsoCallback,
): Promise<SignedIn> {
  const settings = await requireSso(store, workspace);
  if (!callback.boundToBrowser) {
    throw new SignInRefused('flowInvalid', 'This sign-in was not started in this browser, or it expired. Please start again.');
  }
  const flow = await takeLoginFlow(store, workspace, callback.state);
  const identity = await identityProvider.complete(settings, callback.url, flow);
  return completeSsoSignIn(store, workspace, { email: identity.email, emailVerified: identity.emailVerified });
}

/**
 * Ends a pending sign-in that the provider answered with an error. True when `state` was a live
 * sign-in of this workspace (only then may the provider's own words be shown).
 */
export async function abandonSsoSignIn(store: DirectoryStore, workspace: Workspace, state: string): Promise<boolean> {
  try {
    await takeLoginFlow(store, workspace, state);
    return true;
  } catch (error) {
    if (error instanceof SignInRefused) return false;
    throw error;
  }
}

/** The console's "test connection": the issuer answers with a usable discovery document. */
export async function testSsoConnection(
  store: DirectoryStore,
  identityProvider: IdentityProviderClient,
  workspace: Workspace,
): Promise<IssuerCheck> {
  return identityProvider.test(await requireSso(store, workspace));
}
