import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProvisioningLogEntry } from '../directory/model.js';
import type { Viewer } from '../directory/sign-in/sign-in.js';
import { adminPath, consolePath, userPath } from './links.js';
import { logContent } from './views/admin-views.js';
import { usersContent } from './views/user-views.js';

const segmentArbitrary = () =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('...', '%2e', './', '/..', '?', '#'),
    )
    .filter((s) => s !== '.' && s !== '..');

/** Issue 13, defect 7: every path segment built from data is percent-encoded. */
describe('defect 7: console link builders encode every data segment', () => {
  it('keeps ../, slashes, queries and fragments inside one segment', () => {
    expect(userPath('acme', '../integrations/remove')).toBe('/w/acme/admin/users/..%2Fintegrations%2Fremove');
    expect(adminPath('acme', 'roles', 'a/b?c#d', 'rename')).toBe('/w/acme/admin/roles/a%2Fb%3Fc%23d/rename');
    expect(consolePath('a/../b', 'login', 'link', '...')).toBe('/w/a%2F..%2Fb/login/link/...');
    expect(consolePath('acme')).toBe('/w/acme');
  });

  it('refuses the dot segments no encoding can keep in place', () => {
    expect(() => userPath('acme', '..')).toThrow(TypeError);
    expect(() => consolePath('.')).toThrow(TypeError);
  });

  it('any id stays one segment that decodes back to itself', () => {
    fc.assert(
      fc.property(segmentArbitrary(), segmentArbitrary(), (slug, id) => {
        const path = userPath(slug, id);
        const parts = path.split('/');
        expect(parts.length).toBe(6);
        expect(decodeURIComponent(parts[2] as string)).toBe(slug);
        expect(decodeURIComponent(parts[5] as string)).toBe(id);
        expect(path).not.toMatch(/[?#\\]/);
        // A browser resolves no dot segment out of it.
        expect(new URL(path, 'https://roster.example').pathname).toBe(path);
      }),
      { numRuns: 500 },
    );
  });

  const viewer = {
    workspace: { slug: 'acme', name: 'Acme' },
    user: { email: 'admin@acme.example', userName: 'admin@acme.example' },
    session: { csrfToken: 'csrf' },
    isAdmin: true,
  } as unknown as Viewer;
  const entry = (resourceId: string): ProvisioningLogEntry =>
    ({
      time: '2025-01-01T00:00:00.000Z',
      method: 'GET',
      path: `/scim/v2/Users/${resourceId}`,
      status: 404,
      resourceId,
      detail: null,
      warnings: [],
      traceId: 't',
    }) as unknown as ProvisioningLogEntry;

  it('the log view links only the ids it is told are users, encoded', () => {
    const html = logContent(
      viewer,
      [entry('../integrations/remove'), entry('a/b'), entry('real-user')],
      { status: '', user: '', trace: '' },
      new Set(['real-user', 'a/b']),
    ).text;
    const links = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(links).toEqual(['/w/acme/admin/users/a%2Fb', '/w/acme/admin/users/real-user']);
    expect(html).not.toContain('/users/../');
  });

  it('the user list links each user by its encoded id', () => {
    const user = { id: '../x', userName: 'u', email: 'u@acme.example', active: true, teamIds: [], contacts: {}, scimManaged: false };
    const html = usersContent(
      viewer,
      { users: [user as never], total: 1, roles: new Map(), teams: new Map() },
      { text: '', status: 'all', page: 1, pageSize: 50 },
    ).text;
    expect(html).toContain('href="/w/acme/admin/users/..%2Fx"');
  });
});
