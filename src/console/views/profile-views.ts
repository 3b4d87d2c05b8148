import type { Role, Team, User } from '../../directory/model.js';
import type { Viewer } from '../../directory/sign-in/sign-in.js';
import { displayNameOf } from '../../directory/users/user-resource.js';
import { type Html, html } from '../html.js';
import { formatTime } from './layout.js';

/** The profile fields the identity provider syncs, as a definition list (own profile and admin detail). */
export function userFields(user: User, role: Role | undefined, teams: readonly Team[]): Html {
  const contacts = (list: User['contacts']['emails']) =>
    list.length === 0
      ? '—'
      : list.map((c) => html`<div>${c.value ?? c.formatted ?? ''}${c.type ? html` <span class="muted">(${c.type})</span>` : ''}</div>`);
  const rows: Array<[string, string, Html | string]> = [
    ['name', 'Name', displayNameOf(user)],
    ['email', 'Email', user.email || '—'],
    ['user-name', 'User name', user.userName],
    ['emails', 'Emails', html`${contacts(user.contacts.emails)}`],
    ['phones', 'Phone numbers', html`${contacts(user.contacts.phoneNumbers)}`],
    ['position', 'Position', user.title ?? '—'],
    ['department', 'Department', user.department ?? '—'],
    ['language', 'Language', user.preferredLanguage ?? '—'],
    ['timezone', 'Time zone', user.timezone ?? '—'],
    ['role', 'Role', role?.name ?? '—'],
    ['teams', 'Teams', teams.length ? teams.map((t) => t.name).join(', ') : '—'],
    ['status', 'Status', user.active ? 'Active' : 'Deactivated'],
    ['last-sync', 'Last sync', formatTime(user.lastSyncedAt)],
  ];
  return html`<dl class="fields">${rows.map(([id, label, value]) => html`<dt>${label}</dt><dd data-testid="field-${id}">${value}</dd>`)}</dl>`;
}

export function managedNotice(user: User): Html {
  return user.scimManaged
    ? html`<p><span class="badge" data-testid="managed-by-idp">Managed by your identity provider</span> <span class="muted">These fields are synced over SCIM; change them in your identity provider.</span></p>`
    : html`<p class="muted">This account is managed in Roster, not by an identity provider.</p>`;
}

export function profileContent(viewer: Viewer, teams: readonly Team[]): Html {
  return html`<section data-testid="profile">
  <h1>${displayNameOf(viewer.user)}</h1>
  ${managedNotice(viewer.user)}
  ${userFields(viewer.user, viewer.role, teams)}
  <p class="muted">Signed in with ${viewer.session.method === 'sso' ? 'single sign-on' : viewer.session.method === 'password' ? 'a password' : 'a one-time link'}.</p>
</section>`;
}
