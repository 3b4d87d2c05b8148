import type { Provider, ScimIntegration, SsoConfig, Workspace } from '../../directory/model.js';
import type { Viewer } from '../../directory/sign-in/sign-in.js';
import { type Html, html } from '../html.js';
import { adminPath, segment } from '../links.js';
import { csrfField, formatTime } from './layout.js';

export interface ProviderInfo {
  readonly id: Provider;
  readonly name: string;
  readonly summary: string;
  /** The setup guide under /guides. */
  readonly guide: string;
}

export const PROVIDER_INFO: readonly ProviderInfo[] = [
  {
    id: 'azure',
    name: 'Microsoft Entra ID',
    summary: 'Provision users and roles from an Entra ID (Azure AD) enterprise application.',
    guide: 'entra-id',
  },
  { id: 'okta', name: 'Okta', summary: 'Push users and groups from an Okta SCIM 2.0 app integration.', guide: 'okta' },
  { id: 'onelogin', name: 'OneLogin', summary: 'Sync users, roles and teams from a OneLogin SCIM provisioner app.', guide: 'onelogin' },
  { id: 'generic', name: 'Generic SCIM 2.0', summary: 'Any other SCIM 2.0 client, with a base URL and a bearer token.', guide: 'generic' },
];

export const providerInfo = (id: Provider): ProviderInfo => PROVIDER_INFO.find((p) => p.id === id) ?? (PROVIDER_INFO[3] as ProviderInfo);

export interface IntegrationsPage {
  readonly viewer: Viewer;
  readonly integration: ScimIntegration | undefined;
  readonly sso: SsoConfig | undefined;
  readonly refusal?: string | undefined;
  readonly issued?: { readonly baseUrl: string; readonly token: string; readonly provider: Provider } | undefined;
}

export function integrationsContent({ viewer, integration, sso, refusal, issued }: IntegrationsPage): Html {
  const base = adminPath(viewer.workspace.slug, 'integrations');
  return html`<h1>Integrations</h1>
${refusal ? html`<p class="refusal" role="alert" data-testid="integration-refused">${refusal}</p>` : ''}
${readiness(viewer.workspace, sso)}
<h2>Your integrations</h2>
${
  integration
    ? html`<table>
  <thead><tr><th>Name</th><th>Type</th><th>Since</th><th></th></tr></thead>
  <tbody>
    <tr data-testid="integration-row"><td><strong>SCIM</strong> · ${providerInfo(integration.provider).name}</td><td>User provisioning</td><td>${formatTime(integration.createdAt)}</td>
      <td><a class="button secondary" href="${base}/remove" data-testid="remove-integration">Remove integration</a></td></tr>
    <tr data-testid="client-app-row"><td><strong>${integration.clientName}</strong></td><td>Client application: authenticates the identity provider's SCIM requests. Do not delete it.</td><td>${formatTime(integration.createdAt)}</td>
      <td><a class="button secondary" href="${base}/regenerate" data-testid="regenerate-token">Regenerate token</a></td></tr>
  </tbody>
</table>`
    : html`<p class="muted">No integration yet. Pick your identity provider below.</p>`
}
<h2>Integration library</h2>
<div class="cards">
${PROVIDER_INFO.map(
  (p) => html`<div class="card" data-testid="provider-${p.id}">
  <strong>${p.name}</strong>
  <p>${p.summary}</p>
  <a href="/guides/${segment(p.guide)}">Setup guide</a>
  <form method="post" action="${base}/enable">${csrfField(viewer)}<input type="hidden" name="provider" value="${p.id}">
    <button type="submit" data-testid="enable-${p.id}"${integration ? html` disabled title="Remove the current integration first"` : ''}>Enable</button></form>
</div>`,
)}
</div>
${issued ? tokenDialog(issued) : ''}`;
}

function readiness(workspace: Workspace, sso: SsoConfig | undefined): Html {
  const missing: string[] = [];
  if (workspace.plan !== 'enterprise')
    missing.push(`SCIM provisioning needs the enterprise plan (this workspace is on ${workspace.plan}).`);
  if (!sso) missing.push('Single sign-on (OpenID Connect) must be configured first: provisioned users sign in through it.');
  return missing.length ? html`<div class="warning">${missing.map((m) => html`<div>${m}</div>`)}</div>` : html``;
}

function tokenDialog(issued: { baseUrl: string; token: string; provider: Provider }): Html {
  const info = providerInfo(issued.provider);
  return html`<dialog open data-open data-testid="token-dialog" aria-labelledby="token-title">
  <h2 id="token-title">SCIM is ready for ${info.name}</h2>
  <p>Enter these in ${info.name}. <strong>The token is shown only now</strong>; if you lose it, regenerate it.</p>
  <label>SCIM base URL <code class="secret" id="scim-base-url" data-testid="scim-base-url">${issued.baseUrl}</code></label>
  <button type="button" class="secondary" data-copy="scim-base-url">Copy URL</button>
  <label>Bearer token <code class="secret" id="scim-token" data-testid="scim-token">${issued.token}</code></label>
  <button type="button" data-copy="scim-token" data-testid="copy-token">Copy token</button>
  <p><a href="/guides/${segment(info.guide)}" target="_blank" rel="noopener" data-testid="setup-guide">Open the ${info.name} setup guide</a></p>
  <form method="dialog"><button type="submit" class="secondary" data-close-dialog data-testid="close-dialog">Done</button></form>
</dialog>`;
}

export function confirmContent(viewer: Viewer, options: { title: string; text: string; action: string; button: string }): Html {
  return html`<h1>${options.title}</h1>
<p>${options.text}</p>
<form method="post" action="${options.action}" class="inline">${csrfField(viewer)}
  <button type="submit" class="danger" data-testid="confirm">${options.button}</button>
  <a href="${adminPath(viewer.workspace.slug, 'integrations')}">Cancel</a>
</form>`;
}
