import type { Viewer } from '../../directory/sign-in/sign-in.js';
import { type Html, html } from '../html.js';
import { consolePath } from '../links.js';

export interface PageOptions {
  readonly title: string;
  readonly viewer?: Viewer | undefined;
  /** The admin section this page belongs to, highlighted in the navigation. */
  readonly section?: AdminSection;
  readonly flash?: Flash | undefined;
}

export type AdminSection = 'integrations' | 'users' | 'roles' | 'seats' | 'log' | 'sso' | 'profile';

export interface Flash {
  readonly kind: 'ok' | 'error';
  readonly message: string;
}

const SECTIONS: ReadonlyArray<{ id: AdminSection; label: string; path: string }> = [
  { id: 'integrations', label: 'Integrations', path: 'admin/integrations' },
  { id: 'users', label: 'Users', path: 'admin/users' },
  { id: 'roles', label: 'Roles & teams', path: 'admin/roles' },
  { id: 'seats', label: 'Seats', path: 'admin/seats' },
  { id: 'log', label: 'Provisioning log', path: 'admin/log' },
  { id: 'sso', label: 'Single sign-on', path: 'admin/sso' },
];

/** The page shell: header with the signed-in user, admin navigation, flash message, content. */
export function page(options: PageOptions, content: Html): string {
  const { viewer } = options;
  const base = viewer ? consolePath(viewer.workspace.slug) : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Roster</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="${viewer ? `${base}/profile` : '/'}">Roster</a>
  ${viewer ? html`<span class="workspace">${viewer.workspace.name}</span>` : ''}
  ${
    viewer
      ? html`<nav class="account">
    <a href="${base}/profile" data-testid="signed-in-as">${viewer.user.email || viewer.user.userName}</a>
    <form method="post" action="${base}/logout">${csrfField(viewer)}<button type="submit" class="link" data-testid="logout">Sign out</button></form>
  </nav>`
      : ''
  }
</header>
<div class="frame">
${
  viewer?.isAdmin
    ? html`<nav class="side" aria-label="Administration">
  ${SECTIONS.map((s) => html`<a href="${base}/${s.path}"${s.id === options.section ? html` aria-current="page"` : ''}>${s.label}</a>`)}
  <hr><a href="${base}/profile"${options.section === 'profile' ? html` aria-current="page"` : ''}>My profile</a>
</nav>`
    : ''
}
<main>
${options.flash ? html`<p class="flash ${options.flash.kind}" role="status" data-testid="flash-${options.flash.kind}">${options.flash.message}</p>` : ''}
${content}
</main>
</div>
</body>
</html>`.text;
}

/** The synchronizer token every form of a signed-in page carries. */
export function csrfField(viewer: Viewer): Html {
  return html`<input type="hidden" name="_csrf" value="${viewer.session.csrfToken}">`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
