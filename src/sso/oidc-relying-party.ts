import * as oidc from 'openid-client';
import { IdentityProviderFailed } from '../directory/errors.js';
import type { LoginFlow, SsoConfig } from '../directory/model.js';
import type { AuthorizationRequest, IdentityProviderClient, IssuerCheck, VerifiedIdentity } from '../directory/sign-in/sso-sign-in.js';
import { type AddressPolicy, assertPublicUrl } from '../net/address-policy.js';
import { type GuardedFetch, guardedFetch } from '../net/guarded-fetch.js';

/** The one message for any failed fetch of the issuer's metadata (test connection, sign-in). */
export const DISCOVERY_FAILED = "the issuer's discovery document could not be fetched";
/** The one message for any failure after the identity provider sent the browser back. */
export const EXCHANGE_FAILED = "the identity provider's answer could not be verified";

export interface RelyingPartyOptions {
  /** Allow issuers (and every URL their metadata names) on non-public addresses: ROSTER_ALLOW_PRIVATE_ISSUERS. */
  readonly allowPrivateIssuers: boolean;
}

const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const TIMEOUT_SECONDS = 10;

/**
 * The OpenID Connect relying party (authorization code flow with PKCE and nonce), built on
 * openid-client: the directory's IdentityProviderClient port. Discovery documents are cached per
 * workspace settings for ten minutes. Every failure is an IdentityProviderFailed whose message
 * is one wording per step (see DISCOVERY_FAILED, EXCHANGE_FAILED) and whose reason is for the log.
 */
export class OidcRelyingParty implements IdentityProviderClient {
  private readonly discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();
  private readonly policy: AddressPolicy;
  /** Every request openid-client makes for a configuration (discovery, token, userinfo, JWKS) goes through it. */
  private readonly fetch: GuardedFetch;

  constructor(options: RelyingPartyOptions = { allowPrivateIssuers: false }) {
    this.policy = { allowPrivate: options.allowPrivateIssuers };
    this.fetch = guardedFetch(this.policy);
  }

  async authorizationRequest(settings: SsoConfig, redirectUri: string): Promise<AuthorizationRequest> {
    const config = await this.configuration(settings);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Exchanges the code from `callbackUrl`, checking state, nonce and PKCE, and reads the email claims. */
  async complete(
    settings: SsoConfig,
    callbackUrl: URL,
    checks: Pick<LoginFlow, 'state' | 'nonce' | 'codeVerifier'>,
  ): Promise<VerifiedIdentity> {
    const config = await this.configuration(settings);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new IdentityProviderFailed(EXCHANGE_FAILED, `the authorization code grant failed: ${describe(error)}`, { cause: error });
    }
    const claims = tokens.claims();
    if (!claims) throw new IdentityProviderFailed(EXCHANGE_FAILED, 'the token response holds no ID token');
    let email = typeof claims.email === 'string' ? claims.email : undefined;
    let verified = typeof claims.email_verified === 'boolean' ? claims.email_verified : undefined;
    let name = typeof claims.name === 'string' ? claims.name : undefined;
    // Many providers put email only in the UserInfo response, not in the ID token.
    if (email === undefined && tokens.access_token) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = typeof info.email === 'string' ? info.email : undefined;
        verified = typeof info.email_verified === 'boolean' ? info.email_verified : verified;
        name ??= typeof info.name === 'string' ? info.name : undefined;
      } catch (error) {
        throw new IdentityProviderFailed(EXCHANGE_FAILED, `the userinfo request failed: ${describe(error)}`, { cause: error });
      }
    }
    return { subject: claims.sub, email, emailVerified: verified, name };
  }

  /** Checks that the issuer answers with a usable discovery document (the console's "test connection"). */
  async test(settings: SsoConfig): Promise<IssuerCheck> {
    this.discovered.delete(cacheKey(settings));
    const metadata = (await this.configuration(settings)).serverMetadata();
    return {
      issuer: metadata.issuer,
      authorizationEndpoint: metadata.authorization_endpoint ?? '',
      tokenEndpoint: metadata.token_endpoint ?? '',
      pkce: metadata.code_challenge_methods_supported?.includes('S256') ?? false,
    };
  }

  private configuration(settings: SsoConfig): Promise<oidc.Configuration> {
    const key = cacheKey(settings);
    const cached = this.discovered.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.config;
    const config = discover(settings, this.policy, this.fetch);
    this.discovered.set(key, { at: Date.now(), config });
    config.catch(() => this.discovered.delete(key));
    return config;
  }
}

async function discover(settings: SsoConfig, policy: AddressPolicy, fetch: GuardedFetch): Promise<oidc.Configuration> {
  const failed = (reason: string, cause?: unknown) =>
    new IdentityProviderFailed(DISCOVERY_FAILED, `discovery at ${settings.issuer}: ${reason}`, { cause });
  let issuer: URL;
  try {
    issuer = new URL(settings.issuer);
  } catch (error) {
    throw failed('the issuer is not a URL', error);
  }
  // Plain http only for a loopback issuer (development), and only where private issuers are allowed.
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && policy.allowPrivate && isLoopback(issuer.hostname))) {
    throw failed('the issuer must use https (plain http is accepted only on this machine, with ROSTER_ALLOW_PRIVATE_ISSUERS=1)');
  }
  try {
    // Checked ahead for a clear log line; the guarded fetch checks again at connect time.
    await assertPublicUrl(issuer, policy);
    return await oidc.discovery(issuer, settings.clientId, settings.clientSecret, undefined, {
      timeout: TIMEOUT_SECONDS,
      [oidc.customFetch]: fetch,
      ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    throw failed(describe(error), error);
  }
}

const cacheKey = (settings: SsoConfig): string =>
  `${settings.workspaceId}\n${settings.updatedAt}\n${settings.issuer}\n${settings.clientId}`;

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
