/**
 * Console addresses. Every path segment that comes from data (a slug, an id, a token) is
 * percent-encoded, so a value such as `../integrations/remove` stays one segment: it cannot
 * climb out of the path the link was built for, add a query or a fragment.
 */
export function segment(value: string): string {
  // URL parsers resolve `.` and `..` (encoded as %2E or not) as dot segments: no encoding keeps
  // them in place. Ids, slugs and tokens never are one; callers check untrusted values first.
  if (value === '.' || value === '..') throw new TypeError(`'${value}' cannot be a path segment`);
  return encodeURIComponent(value);
}

/** `/w/<slug>` followed by the given segments, each encoded. */
export function consolePath(slug: string, ...segments: readonly string[]): string {
  return `/w/${segment(slug)}${segments.map((s) => `/${segment(s)}`).join('')}`;
}

/** `/w/<slug>/admin` followed by the given segments, each encoded. */
export const adminPath = (slug: string, ...segments: readonly string[]): string => consolePath(slug, 'admin', ...segments);

/** The admin page of one user. */
export const userPath = (slug: string, userId: string): string => adminPath(slug, 'users', userId);
