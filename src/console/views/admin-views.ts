import type { LoginPolicy, ProvisioningLogEntry, SsoConfig } from '../../directory/model.js';
import type { Viewer } from '../../directory/sign-in/sign-in.js';
import type { SeatSummary } from '../../directory/users/user-directory.js';
import { type Html, html } from '../html.js';
import { adminPath, userPath } from '../links.js';
import { csrfField, formatTime } from './layout.js';

export function seatsContent(summary: SeatSummary): Html {
  const percent = summary.seats === 0 ? 100 : Math.min(100, Math.round((summary.used / summary.seats) * 100));
  const blocked = summary.free === 0 || summary.recentRefusals > 0;
  return html`<h1>Seats</h1>
<p class="muted">Every active user who is not a guest takes one user license. Provisioning or reactivating a user needs a free seat.</p>
<div class="card" style="max-width:520px;display:grid;gap:.6rem">
  <div><strong data-testid="seats-used">${summary.used}</strong> used of ${summary.seats} · <strong data-testid="seats-free">${summary.free}</strong> free</div>
  <div class="meter" role="meter" aria-valuemin="0" aria-valuemax="${summary.seats}" aria-valuenow="${summary.used}"><span style="width:${percent}%"></span></div>
</div>
${
  blocked
    ? html`<p class="warning" data-testid="seats-warning" style="margin-top:1rem">${
        summary.free === 0
          ? 'All seats are in use: your identity provider cannot provision or reactivate anyone until you add seats or deactivate users.'
          : ''
      }${summary.recentRefusals > 0 ? ` ${summary.recentRefusals} recent provisioning request${summary.recentRefusals === 1 ? ' was' : 's were'} refused for lack of seats (see the provisioning log, status 409).` : ''}</p>`
    : ''
}`;
}

/**
 * The provisioning log. `userIds` holds the entries' resource ids that are users of the
 * workspace: only those are linked, since an entry records whatever id a token holder sent.
 */
export function logContent(
  viewer: Viewer,
  entries: readonly ProvisioningLogEntry[],
  query: { status: string; user: string; trace: string },
  userIds: ReadonlySet<string>,
  note?: string,
): Html {
  const slug = viewer.workspace.slug;
  return html`<h1>Provisioning log</h1>
<p class="muted">Every SCIM request, newest first. An identity provider shows the trace id of a failed request (the <code>x-trace-id</code> header); paste it here.</p>
<form class="inline" method="get" action="${adminPath(slug, 'log')}" data-testid="log-filter">
  <input name="trace" value="${query.trace}" placeholder="Trace id" aria-label="Trace id" size="38">
  <input name="user" value="${query.user}" placeholder="User id or email" aria-label="User">
  <select name="status" aria-label="Status">
    ${[
      ['', 'Any status'],
      ['ok', 'Succeeded (2xx)'],
      ['failed', 'Failed (4xx/5xx)'],
      ['400', '400'],
      ['401', '401'],
      ['404', '404'],
      ['409', '409'],
      ['429', '429'],
    ].map(([value, label]) => html`<option value="${value}"${query.status === value ? html` selected` : ''}>${label}</option>`)}
  </select>
  <button type="submit">Filter</button>
</form>
${note ? html`<p class="muted">${note}</p>` : ''}
<table style="margin-top:.75rem">
<thead><tr><th>Time</th><th>Request</th><th>Status</th><th>User</th><th>Detail</th><th>Trace id</th></tr></thead>
<tbody>
${entries.map(
  (e) => html`<tr data-testid="log-row">
  <td>${formatTime(e.time)}</td>
  <td><code>${e.method} ${e.path}</code></td>
  <td><span class="badge ${e.status >= 400 ? 'error' : 'active'}" data-testid="log-status">${e.status}</span></td>
  <td>${resourceCell(slug, e.resourceId, userIds)}</td>
  <td data-testid="log-detail">${e.detail ?? ''}${e.warnings.map((w) => html`<div class="muted">⚠ ${w}</div>`)}</td>
  <td><code data-testid="log-trace">${e.traceId}</code></td>
</tr>`,
)}
</tbody>
</table>
${entries.length === 0 ? html`<p class="muted">No entries match.</p>` : ''}`;
}

function resourceCell(slug: string, resourceId: string | null | undefined, userIds: ReadonlySet<string>): Html | string {
  if (!resourceId) return '—';
  const short = `${resourceId.slice(0, 8)}…`;
  return userIds.has(resourceId)
    ? html`<a href="${userPath(slug, resourceId)}" data-testid="log-user">${short}</a>`
    : html`<span class="muted" data-testid="log-resource">${short}</span>`;
}

export interface SsoPageState {
  readonly sso: SsoConfig | undefined;
  readonly loginPolicy: LoginPolicy;
  readonly redirectUri: string;
  readonly test?: { readonly ok: boolean; readonly message: string } | undefined;
}

export function ssoContent(viewer: Viewer, state: SsoPageState): Html {
  const base = adminPath(viewer.workspace.slug, 'sso');
  const csrf = csrfField(viewer);
  const policy = (value: LoginPolicy, label: string) =>
    html`<label style="font-weight:normal"><input type="radio" name="loginPolicy" value="${value}"${state.loginPolicy === value ? html` checked` : ''}> ${label}</label>`;
  return html`<h1>Single sign-on</h1>
<p class="muted">OpenID Connect, authorization code flow with PKCE. Register this redirect URI at your identity provider: <code>${state.redirectUri}</code></p>
<form class="stack card" method="post" action="${base}" data-testid="sso-form">${csrf}
  <label>Issuer URL <input name="issuer" type="url" required value="${state.sso?.issuer ?? ''}" placeholder="https://login.example.com"></label>
  <label>Client id <input name="clientId" required value="${state.sso?.clientId ?? ''}"></label>
  <label>Client secret <input name="clientSecret" type="password" autocomplete="off" placeholder="${state.sso ? 'Stored encrypted; leave empty to keep it' : ''}"${state.sso ? '' : html` required`}></label>
  <fieldset style="border:0;padding:0;display:grid;gap:.3rem"><legend style="font-weight:600;font-size:.9rem">Login policy</legend>
    ${policy('sso_only', 'SSO only: everyone signs in through the identity provider')}
    ${policy('sso_and_password', 'SSO and password: external users without SSO keep a password')}
  </fieldset>
  <button type="submit">Save</button>
</form>
<form method="post" action="${base}/test" style="margin-top:1rem">${csrf}
  <button type="submit" class="secondary" data-testid="test-connection"${state.sso ? '' : html` disabled`}>Test connection</button>
</form>
${state.test ? html`<p class="${state.test.ok ? 'flash ok' : 'refusal'}" data-testid="test-result" data-status="${state.test.ok ? 'ok' : 'error'}">${state.test.message}</p>` : ''}`;
}
