import type { RoleUsage } from '../../directory/roles/roles.js';
import type { TeamUsage } from '../../directory/roles/teams.js';
import type { Viewer } from '../../directory/sign-in/sign-in.js';
import { type Html, html } from '../html.js';
import { adminPath } from '../links.js';
import { csrfField } from './layout.js';

export function rolesContent(viewer: Viewer, roles: readonly RoleUsage[], teams: readonly TeamUsage[]): Html {
  const slug = viewer.workspace.slug;
  const csrf = csrfField(viewer);
  return html`<h1>Roles and teams</h1>
<p class="muted">Roles are exposed to identity providers as SCIM Groups; a user holds one role. New SCIM users receive the non-guest role with the lowest permission level. Permission level 100 or more gives access to this console.</p>
<h2>Roles</h2>
<table>
<thead><tr><th>Role</th><th>Permission level</th><th>Users</th><th>Rename</th><th></th></tr></thead>
<tbody>
${roles.map(
  ({ role, holders, isDefault }) => html`<tr data-testid="role-row" data-role="${role.name}">
  <td><strong>${role.name}</strong> ${isDefault ? html`<span class="badge" data-testid="default-role">New SCIM users</span>` : ''}${role.isGuest ? html` <span class="badge inactive">Guest</span>` : ''}</td>
  <td>${
    role.isGuest
      ? role.level
      : html`<form class="inline" method="post" action="${adminPath(slug, 'roles', role.id, 'level')}">${csrf}<input name="level" type="number" min="1" max="1000" value="${role.level}" aria-label="Permission level of ${role.name}" style="width:6em"><button type="submit" class="secondary">Set</button></form>`
  }</td>
  <td>${holders}</td>
  <td><form class="inline" method="post" action="${adminPath(slug, 'roles', role.id, 'rename')}" data-testid="rename-role">${csrf}<input name="name" value="${role.name}" aria-label="New name of ${role.name}" required maxlength="100"><button type="submit" class="secondary">Rename</button></form></td>
  <td>${role.isGuest ? '' : html`<form class="inline" method="post" action="${adminPath(slug, 'roles', role.id, 'delete')}">${csrf}<button type="submit" class="danger" data-testid="delete-role">Delete</button></form>`}</td>
</tr>`,
)}
</tbody>
</table>
<form class="inline" method="post" action="${adminPath(slug, 'roles')}" data-testid="create-role" style="margin-top:.75rem">${csrf}
  <input name="name" placeholder="New role name" required maxlength="100" aria-label="Role name">
  <input name="level" type="number" min="1" max="1000" value="10" aria-label="Permission level" style="width:6em">
  <button type="submit">Create role</button>
</form>
<h2>Teams</h2>
<p class="muted">Identity providers assign teams by exact name through the <code>urn:ietf:params:scim:schemas:extension:Teams:2.0:User</code> extension.</p>
<table>
<thead><tr><th>Team</th><th>Members</th><th>Rename</th><th></th></tr></thead>
<tbody>
${teams.map(
  ({ team, members }) => html`<tr data-testid="team-row" data-team="${team.name}">
  <td><strong>${team.name}</strong></td><td>${members}</td>
  <td><form class="inline" method="post" action="${adminPath(slug, 'teams', team.id, 'rename')}" data-testid="rename-team">${csrf}<input name="name" value="${team.name}" aria-label="New name of ${team.name}" required maxlength="100"><button type="submit" class="secondary">Rename</button></form></td>
  <td><form class="inline" method="post" action="${adminPath(slug, 'teams', team.id, 'delete')}">${csrf}<button type="submit" class="danger" data-testid="delete-team">Delete</button></form></td>
</tr>`,
)}
</tbody>
</table>
<form class="inline" method="post" action="${adminPath(slug, 'teams')}" data-testid="create-team" style="margin-top:.75rem">${csrf}
  <input name="name" placeholder="New team name" required maxlength="100" aria-label="Team name">
  <button type="submit">Create team</button>
</form>`;
}
