import * as oidc from 'openid-client';
import type { SsoConfig } from '../directory/model.js';

/** What the identity provider vouched for after a successful authorization code exchange. */
export interface VerifiedIdentity {
  readonly subject: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean | undefined;
  readonly name: string | undefined;
}

/** A failure talking to the identity provider; `message` is fit for an admin to read. */
export class SsoProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SsoProviderError';
  }
}

export interface AuthorizationRequest {
  readonly url: URL;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

const DISCOVERY_TTL_MS = 10 * 60 * 1000;
const TIMEOUT_SECONDS = 10;

/**
 * The OpenID Connect relying party (authorization code flow with PKCE and nonce), built on
 * openid-client. Discovery documents are cached per workspace settings for ten minutes.
 */
export class OidcRelyingParty {
  private readonly discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

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
    checks: { state: string; nonce: string; codeVerifier: string },
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
      throw new SsoProviderError(`the identity provider's answer was refused: ${describe(error)}`, { cause: error });
    }
    const claims = tokens.claims();
    if (!claims) throw new SsoProviderError('the identity provider sent no ID token');
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
        throw new SsoProviderError(`reading the user's profile from the identity provider failed: ${describe(error)}`, { cause: error });
      }
    }
    return { subject: claims.sub, email, emailVerified: verified, name };
  }

  /** Checks that the issuer answers with a usable discovery document (the console's "test connection"). */
  async test(settings: SsoConfig): Promise<{ issuer: string; authorizationEndpoint: string; tokenEndpoint: string; pkce: boolean }> {
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
    const config = discover(settings);
    this.discovered.set(key, { at: Date.now(), config });
    config.catch(() => this.discovered.delete(key));
    return config;
  }
}

async function discover(settings: SsoConfig): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  if (issuer.protocol === 'http:' && !isLoopback(issuer.hostname)) {
    throw new SsoProviderError(
      `the issuer ${settings.issuer} must use https (plain http is accepted only on this machine, for development)`,
    );
  }
  try {
    return await oidc.discovery(issuer, settings.clientId, settings.clientSecret, undefined, {
      timeout: TIMEOUT_SECONDS,
      ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    throw new SsoProviderError(`discovery at ${settings.issuer} failed: ${describe(error)}`, { cause: error });
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
