import type { Workspace } from '../../directory/model.js';
import { html } from '../html.js';
import { consolePath } from '../links.js';
import { page } from './layout.js';

export function startPage(): string {
  return page(
    { title: 'Sign in' },
    html`<section class="login card">
  <h1>Sign in to Roster</h1>
  <form class="stack" method="get" action="/go">
    <label>Workspace <input name="slug" required pattern="[a-z0-9][a-z0-9-]*" placeholder="your-company" autofocus></label>
    <button type="submit">Continue</button>
  </form>
</section>`,
  );
}

export interface LoginPageOptions {
  readonly workspace: Workspace;
  readonly ssoConfigured: boolean;
  readonly error?: string | undefined;
  readonly email?: string | undefined;
  /** The identity provider's own description of a failed sign-in, quoted under `error`. */
  readonly providerSaid?: string | undefined;
}

export function loginPage({ workspace, ssoConfigured, error, email, providerSaid }: LoginPageOptions): string {
  const base = consolePath(workspace.slug);
  const passwords = workspace.loginPolicy === 'sso_and_password';
  return page(
    { title: `Sign in to ${workspace.name}` },
    html`<section class="login card">
  <h1>Sign in to ${workspace.name}</h1>
  ${error ? html`<p class="refusal" role="alert" data-testid="login-error">${error}</p>` : ''}
  ${providerSaid ? html`<p class="muted" data-testid="provider-said">Your identity provider said: “${providerSaid}”</p>` : ''}
  ${
    ssoConfigured
      ? html`<a class="button" href="${base}/sso/start" data-testid="sso-login">Sign in with single sign-on</a>`
      : html`<p class="muted">Single sign-on is not set up for this workspace yet. An administrator can sign in with a one-time link from <code>roster admin login-link ${workspace.slug} &lt;email&gt;</code>.</p>`
  }
  ${
    passwords
      ? html`<form class="stack" method="post" action="${base}/login/password" data-testid="password-form">
    <p class="muted">External users without single sign-on sign in with their password.</p>
    <label>Email <input name="email" type="email" autocomplete="username" required value="${email ?? ''}"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit" class="secondary">Sign in with password</button>
  </form>`
      : ''
  }
</section>`,
  );
}

export function linkPage(workspace: Workspace, token: string): string {
  return page(
    { title: 'One-time sign-in' },
    html`<section class="login card">
  <h1>Sign in to ${workspace.name}</h1>
  <p>This one-time link signs you in once. It stops working after use.</p>
  <form method="post" action="${consolePath(workspace.slug, 'login', 'link', token)}">
    <button type="submit" data-testid="link-continue">Continue</button>
  </form>
</section>`,
  );
}

export function messagePage(title: string, message: string, status: 'error' | 'info' = 'error'): string {
  return page(
    { title },
    html`<section class="login card">
  <h1>${title}</h1>
  <p class="${status === 'error' ? 'refusal' : 'muted'}" data-testid="${status === 'error' ? 'page-error' : 'page-info'}">${message}</p>
  <p><a href="/">Back to the start</a></p>
</section>`,
  );
}
