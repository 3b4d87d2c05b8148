import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Account, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Page } from 'playwright-core';

/**
 * A real OpenID Connect provider (the `oidc-provider` package) for end-to-end tests, in-process
 * on 127.0.0.1 and a random port. It serves discovery, the authorization endpoint with the
 * package's development login and consent pages (any password; the login is the account id,
 * which is the email), token, userinfo and JWKS. PKCE is required of every client.
 */
export interface OidcProviderOptions {
  /** Redirect URIs of the first client, e.g. `${server.url}/w/acme/sso/callback`. */
  readonly redirectUris?: readonly string[];
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** How clients authenticate at the token endpoint (openid-client's default is client_secret_post). */
  readonly tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface AccountClaims {
  readonly sub?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
}

export interface OidcClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface TestOidcProvider extends OidcClient {
  /** `http://127.0.0.1:<port>`: the issuer and the discovery base. */
  readonly issuer: string;
  /** Adds or replaces the account whose login (account id) is `email`. */
  setAccount(email: string, claims?: AccountClaims): void;
  deleteAccount(email: string): void;
  /** Registers one more confidential client (or replaces the redirect URIs of an existing one). */
  addClient(redirectUris: readonly string[], client?: Partial<OidcClient>): OidcClient;
  /** Adds a redirect URI to the first client. */
  addRedirectUri(uri: string): void;
  close(): Promise<void>;
}

interface ClientMetadata {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
}

/** The adapter: plain maps, with the clients read from the map the test controls. */
function adapterFor(clients: Map<string, ClientMetadata>) {
  const models = new Map<string, Map<string, AdapterPayload>>();
  return class MapAdapter implements Adapter {
    private readonly items: Map<string, AdapterPayload>;
    constructor(private readonly name: string) {
      const items = models.get(name) ?? new Map<string, AdapterPayload>();
      models.set(name, items);
      this.items = items;
    }
    async upsert(id: string, payload: AdapterPayload): Promise<void> {
      this.items.set(id, payload);
    }
    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.name === 'Client') {
        const client = clients.get(id);
        return client ? { ...client, redirect_uris: [...client.redirect_uris] } : undefined;
      }
      return this.items.get(id);
    }
    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return [...this.items.values()].find((item) => item.userCode === userCode);
    }
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return [...this.items.values()].find((item) => item.uid === uid);
    }
    async consume(id: string): Promise<void> {
      const item = this.items.get(id);
      if (item) item.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string): Promise<void> {
      this.items.delete(id);
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [id, item] of this.items) if (item.grantId === grantId) this.items.delete(id);
    }
  };
}

export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<TestOidcProvider> {
  const accounts = new Map<string, AccountClaims>();
  const clients = new Map<string, ClientMetadata>();
  const authMethod = options.tokenEndpointAuthMethod ?? 'client_secret_post';
  const register = (redirectUris: readonly string[], client: Partial<OidcClient> = {}): OidcClient => {
    const clientId = client.clientId ?? `roster-${randomBytes(4).toString('hex')}`;
    const clientSecret = client.clientSecret ?? randomBytes(24).toString('base64url');
    clients.set(clientId, {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [...redirectUris],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: authMethod,
    });
    return { clientId, clientSecret };
  };
  const first = register(options.redirectUris ?? [], {
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
  });

  // The issuer carries the port, so listen first and hand requests to the provider once it exists.
  let handler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const server = createServer((request, response) => {
    if (handler) handler(request, response);
    else response.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    adapter: adapterFor(clients),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    cookies: {
      // Cookies ignore ports: keep these apart from Roster's on the same 127.0.0.1.
      names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_interaction_resume' },
      keys: [randomBytes(32).toString('hex')],
    },
    features: { devInteractions: { enabled: true } },
    ttl: { AccessToken: 3600, AuthorizationCode: 600, Grant: 3600, IdToken: 3600, Interaction: 3600, Session: 3600 },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    // Like most real IdPs, put the requested claims in the ID token too (not only at userinfo).
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, id: string): Promise<Account | undefined> => {
      const claims = accounts.get(id);
      if (!claims) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: claims.sub ?? id,
          email: id,
          email_verified: claims.email_verified ?? true,
          ...(claims.name !== undefined ? { name: claims.name } : {}),
          ...(claims.given_name !== undefined ? { given_name: claims.given_name } : {}),
          ...(claims.family_name !== undefined ? { family_name: claims.family_name } : {}),
        }),
      };
    },
  });
  // Silence the development-only warnings and the server_error stack traces of refused logins.
  provider.on('server_error', () => undefined);
  handler = provider.callback();

  return {
    issuer,
    clientId: first.clientId,
    clientSecret: first.clientSecret,
    setAccount(email, claims = {}) {
      accounts.set(email, claims);
    },
    deleteAccount(email) {
      accounts.delete(email);
    },
    addClient: register,
    addRedirectUri(uri) {
      const client = clients.get(first.clientId)!;
      client.redirect_uris = [...client.redirect_uris, uri];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Completes the provider's development login and consent pages in the browser: types the
 * account id (the email) and any password, then confirms consent when asked.
 */
export async function completeProviderLogin(page: Page, issuer: string, email: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(issuer), { timeout: 15_000 });
  const login = page.locator('input[name="login"]');
  await login.waitFor({ timeout: 15_000 });
  await login.fill(email);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  // Consent is asked once per account and client; after it the browser leaves the provider.
  const consent = page.locator('input[name="prompt"][value="consent"]');
  const left = page.waitForURL((url) => !url.href.startsWith(issuer), { timeout: 15_000 }).then(() => 'left' as const);
  left.catch(() => undefined);
  const asked = consent.waitFor({ state: 'attached', timeout: 15_000 }).then(() => 'consent' as const);
  asked.catch(() => undefined);
  if ((await Promise.race([left, asked])) === 'consent') {
    await page.locator('button[type="submit"]').click();
  }
  await page.waitForURL((url) => !url.href.startsWith(issuer), { timeout: 15_000 });
}
