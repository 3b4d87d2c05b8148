import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, newSession } from '../support/browser.js';
import { completeProviderLogin, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';

/** The test OpenID provider itself, driven by openid-client as Roster drives it. */
describe('the test OpenID provider', () => {
  let provider: TestOidcProvider;
  let browser: Browser | undefined;
  const available = chromiumAvailable();
  let callback: { url: string; received: Promise<URL>; close: () => Promise<void> };

  beforeAll(async () => {
    let resolveReceived: (url: URL) => void = () => undefined;
    const received = new Promise<URL>((resolve) => (resolveReceived = resolve));
    const server = createServer((request, response) => {
      resolveReceived(new URL(request.url ?? '/', callback.url));
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p>signed in</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w/acme/sso/callback`;
    callback = {
      url,
      received,
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
    provider = await startOidcProvider({ redirectUris: [url] });
    provider.setAccount('ada@acme.example', { name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace' });
  });
  afterAll(async () => {
    await browser?.close();
    await provider?.close();
    await callback?.close();
  });

  const configuration = () =>
    client.discovery(new URL(provider.issuer), provider.clientId, provider.clientSecret, undefined, {
      execute: [client.allowInsecureRequests],
    });

  it('serves discovery on a loopback http issuer, with PKCE S256 and the three scopes', async () => {
    const config = await configuration();
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(provider.issuer);
    expect(provider.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
  });

  it('refuses an authorization request without PKCE', async () => {
    const config = await configuration();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: callback.url, scope: 'openid email', state: 'x' });
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '', provider.issuer);
    expect(location.href.startsWith(callback.url)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it.skipIf(!available)('completes the code flow with PKCE and nonce in a browser, with the email claims in the ID token', async () => {
    browser = await launchBrowser();
    const session = await newSession(browser);
    try {
      const config = await configuration();
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: callback.url,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        nonce,
        state,
      });
      await session.page.goto(url.href);
      await completeProviderLogin(session.page, provider.issuer, 'ada@acme.example');
      const current = await callback.received;
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: state,
      });
      const claims = tokens.claims();
      expect(claims).toMatchObject({
        iss: provider.issuer,
        sub: 'ada@acme.example',
        email: 'ada@acme.example',
        email_verified: true,
        name: 'Ada Lovelace',
        given_name: 'Ada',
        family_name: 'Lovelace',
      });
      const userInfo = await client.fetchUserInfo(config, tokens.access_token, 'ada@acme.example');
      expect(userInfo.email).toBe('ada@acme.example');
    } finally {
      await session.close();
    }
  });
});
