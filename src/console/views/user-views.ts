import type { Role, Team, User } from '../../directory/model.js';
import type { Viewer } from '../../directory/sign-in/sign-in.js';
import type { DirectoryPage, StatusFilter } from '../../directory/users/user-directory.js';
import { displayNameOf } from '../../directory/users/user-resource.js';
import { type Html, html } from '../html.js';
import { adminPath, userPath } from '../links.js';
import { formatTime } from './layout.js';
import { managedNotice, userFields } from './profile-views.js';

export function usersContent(
  viewer: Viewer,
  result: DirectoryPage,
  query: { text: string; status: StatusFilter; page: number; pageSize: number },
): Html {
  const slug = viewer.workspace.slug;
  const base = adminPath(slug, 'users');
  const pages = Math.max(1, Math.ceil(result.total / query.pageSize));
  const link = (page: number) => `${base}?${new URLSearchParams({ q: query.text, status: query.status, page: String(page) })}`;
  const statusOption = (value: StatusFilter, label: string) =>
    html`<option value="${value}"${query.status === value ? html` selected` : ''}>${label}</option>`;
  return html`<h1>Users</h1>
<form class="inline" method="get" action="${base}" data-testid="user-search" role="search">
  <input name="q" type="search" value="${query.text}" placeholder="Email, user name or name (prefix)" aria-label="Search users">
  <select name="status" aria-label="Status">${statusOption('all', 'All')}${statusOption('active', 'Active')}${statusOption('inactive', 'Deactivated')}</select>
  <button type="submit">Search</button>
</form>
<p class="muted" data-testid="user-total">${result.total.toLocaleString('en')} user${result.total === 1 ? '' : 's'}${query.text ? html` matching “${query.text}”` : ''}</p>
<table>
<thead><tr><th>Name</th><th>Email</th><th>Status</th><th>Role</th><th>Teams</th><th>Source</th></tr></thead>
<tbody>
${result.users.map((user) =>
  userRow(
    slug,
    user,
    result.roles.get(user.roleId),
    user.teamIds.map((id) => result.teams.get(id)).filter((t): t is Team => Boolean(t)),
  ),
)}
</tbody>
</table>
<nav class="pager">
  ${query.page > 1 ? html`<a href="${link(query.page - 1)}" data-testid="previous-page">← Previous</a>` : ''}
  <span class="muted">Page ${query.page} of ${pages}</span>
  ${query.page < pages ? html`<a href="${link(query.page + 1)}" data-testid="next-page">Next →</a>` : ''}
</nav>`;
}

function userRow(slug: string, user: User, role: Role | undefined, teams: readonly Team[]): Html {
  return html`<tr data-testid="user-row">
  <td><a href="${userPath(slug, user.id)}">${displayNameOf(user)}</a></td>
  <td>${user.email}</td>
  <td>${user.active ? html`<span class="badge active">Active</span>` : html`<span class="badge inactive">Deactivated</span>`}</td>
  <td>${role?.name ?? '—'}</td>
  <td>${teams.map((t) => t.name).join(', ')}</td>
  <td>${user.scimManaged ? html`<span class="badge" data-testid="scim-badge" title="Last sync ${formatTime(user.lastSyncedAt)}">SCIM</span> <span class="muted">${formatTime(user.lastSyncedAt)}</span>` : html`<span class="muted">Roster</span>`}</td>
</tr>`;
}

export function userDetailContent(viewer: Viewer, entry: { user: User; role: Role | undefined; teams: Team[] }): Html {
  const slug = viewer.workspace.slug;
  return html`<p><a href="${adminPath(slug, 'users')}">← Users</a></p>
<h1>${displayNameOf(entry.user)}</h1>
${managedNotice(entry.user)}
${userFields(entry.user, entry.role, entry.teams)}
<h2>Record</h2>
<dl class="fields">
  <dt>Id</dt><dd><code>${entry.user.id}</code></dd>
  <dt>External id</dt><dd>${entry.user.externalId ?? '—'}</dd>
  <dt>Created</dt><dd>${formatTime(entry.user.createdAt)}</dd>
  <dt>Updated</dt><dd>${formatTime(entry.user.updatedAt)}</dd>
  <dt>In the SCIM view</dt><dd>${entry.user.scimDeleted ? 'No (deleted by the identity provider)' : 'Yes'}</dd>
</dl>
<p><a href="${adminPath(slug, 'log')}?${new URLSearchParams({ user: entry.user.id }).toString()}">Provisioning log of this user</a></p>`;
}
