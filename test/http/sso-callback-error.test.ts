import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveLoginFlow } from '../../src/directory/sign-in/sign-in.js';
import { type LoggedServer, startLoggedServer } from './console-session.js';

/**
 * Issue 13, defect 9: /w/<slug>/sso/callback?error=x&error_description=… showed attacker-chosen
 * text on Roster's origin. Roster now words the error itself, and quotes the provider's
 * description only for a sign-in this browser started.
 */
const ATTACKER = 'Your account is locked. Call +1 555 0100 now';
const KNOWN: Record<string, RegExp> = {
  access_denied: /declined/,
  invalid_request: /malformed/,
  unauthorized_client: /does not allow Roster/,
  unsupported_response_type: /authorization code flow/,
  invalid_scope: /scopes/,
  server_error: /internal error/,
  temporarily_unavailable: /temporarily unavailable/,
  interaction_required: /interact/,
  login_required: /sign in to it first/,
  account_selection_required: /choose an account/,
  consent_required: /consent/,
  invalid_request_uri: /form of Roster/,
  invalid_request_object: /form of Roster/,
  request_not_supported: /form of Roster/,
  request_uri_not_supported: /form of Roster/,
  registration_not_supported: /form of Roster/,
};

describe('defect 9: the SSO callback error page shows no attacker-chosen text', () => {
  let server: LoggedServer;

  beforeAll(async () => {
    server = await startLoggedServer();
    await server.workspace('acme');
  });
  afterAll(async () => server.close());

  const callback = async (query: Record<string, string>, cookie?: string) => {
    const response = await fetch(`${server.url}/w/acme/sso/callback?${new URLSearchParams(query)}`, {
      headers: cookie ? { cookie } : {},
      redirect: 'manual',
    });
    return { status: response.status, page: await response.text() };
  };
  /** A sign-in attempt as /sso/start leaves it: the flow stored server-side, its state in this browser's cookie. */
  const pendingSignIn = async () => {
    const state = randomBytes(16).toString('base64url');
    const workspace = await server.store.read.workspaces.bySlug('acme');
    if (!workspace) throw new Error('no workspace');
    await saveLoginFlow(server.store, workspace, { state, nonce: 'n', codeVerifier: 'v'.repeat(43) });
    return { state, cookie: `roster_sso_state=${state}` };
  };

  it('unknown state: neither error nor error_description reaches the page', async () => {
    const queries: Array<Record<string, string>> = [
      { error: 'access_denied', error_description: ATTACKER },
      { error: ATTACKER },
      { error: ATTACKER, error_description: ATTACKER, state: 'forged-state' },
      { error: 'x', error_description: ATTACKER, state: 'forged-state' },
    ];
    for (const query of queries) {
      const { status, page } = await callback(query, query.state ? `roster_sso_state=${query.state}` : undefined);
      expect(status).toBe(403);
      expect(page).not.toContain('locked');
      expect(page).not.toContain('555');
      expect(page).not.toContain('data-testid="provider-said"');
      expect(page).toContain('data-testid="login-error"');
    }
  });

  it('known OAuth 2.0 and OpenID Connect codes get Roster’s own wording; other codes a generic one', async () => {
    for (const [code, wording] of Object.entries(KNOWN)) {
      const { page } = await callback({ error: code, error_description: ATTACKER });
      const shown = /data-testid="login-error">([^<]*)</.exec(page)?.[1] ?? '';
      expect(shown, code).toMatch(wording);
      expect(shown, code).not.toContain(code);
    }
    const { page } = await callback({ error: 'something_else' });
    expect(page).toMatch(/did not sign you in/);
    expect(page).not.toContain('something_else');
  });

  it('matching state (cookie and stored flow): the description is quoted, labelled and length-limited, once', async () => {
    const { state, cookie } = await pendingSignIn();
    const { status, page } = await callback({ error: 'access_denied', error_description: 'User cancelled the login', state }, cookie);
    expect(status).toBe(403);
    expect(page).toMatch(/declined/);
    expect(page).toContain('Your identity provider said: “User cancelled the login”');
    // The state was used up: replaying the same URL quotes nothing.
    const replay = await callback({ error: 'access_denied', error_description: 'User cancelled the login', state }, cookie);
    expect(replay.page).not.toContain('User cancelled');

    const long = await pendingSignIn();
    const cut = await callback({ error: 'server_error', error_description: 'a'.repeat(1000), state: long.state }, long.cookie);
    expect(cut.page).toContain(`“${'a'.repeat(200)}…”`);
    expect(cut.page).not.toContain('a'.repeat(201));
  });

  it('a stored flow without this browser’s cookie, or characters RFC 6749 does not allow, quote nothing', async () => {
    const other = await pendingSignIn();
    const noCookie = await callback({ error: 'access_denied', error_description: ATTACKER, state: other.state });
    expect(noCookie.page).not.toContain('locked');
    const odd = await pendingSignIn();
    const unicode = await callback(
      { error: 'access_denied', error_description: 'Bitte rufen Sie “Support” an', state: odd.state },
      odd.cookie,
    );
    expect(unicode.page).not.toContain('Bitte');
    expect(unicode.page).not.toContain('data-testid="provider-said"');
  });

  it('logs the raw values at warn level', async () => {
    await callback({ error: 'weird_code', error_description: 'raw description for the log' });
    const entry = server.lines
      .map((line) => JSON.parse(line) as { level: number; error?: string; errorDescription?: string })
      .find((line) => line.error === 'weird_code');
    expect(entry?.level).toBe(40);
    expect(entry?.errorDescription).toBe('raw description for the log');
  });
});
