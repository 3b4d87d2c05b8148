import { type RawBuilder, sql } from 'kysely';
import type { UserQuery } from '../../directory/ports.js';
import type { ResolvedFilter } from '../../scim/filter/ast.js';
import type { SqlDialect } from './dialect.js';
import { LruMap } from './lru-map.js';

/** Whether the filter matches at most one user: `userName eq` or `id eq`, possibly and-ed with more. */
export function pinsOneUser(filter: ResolvedFilter): boolean {
  switch (filter.kind) {
    case 'compare':
      return (
        filter.op === 'eq' &&
        filter.value !== null &&
        !filter.attribute.inExtension &&
        !filter.attribute.subAttribute &&
        (filter.attribute.key === 'userName' || filter.attribute.key === 'id')
      );
    case 'and':
      return pinsOneUser(filter.left) || pinsOneUser(filter.right);
    default:
      return false;
  }
}

/** Where a page of a workspace's unfiltered SCIM view starts, at one value of its `scim_changes`. */
interface Boundary {
  readonly changes: number;
  readonly id: string;
  /** Whether the page starts at `id` (true) or just after it. */
  readonly inclusive: boolean;
}

const BOUNDARY_CACHE_SIZE = 4096;
/** One cache per open database (a dialect is made once per store). */
const CACHES = new WeakMap<SqlDialect, PageBoundaries>();

/**
 * Remembered page boundaries of the unfiltered SCIM view, so a deep page seeks from where the
 * previous one ended instead of skipping `offset` rows. A boundary is used only while the
 * workspace's `scim_changes` counter is the one it was recorded at (the caller checks it in the
 * same statement): no user has entered or left the view since, so every user still sits at the
 * position it had, and the page is exactly the one OFFSET would return.
 */
export class PageBoundaries {
  private readonly cache = new LruMap<string, Boundary>(BOUNDARY_CACHE_SIZE);

  static of(dialect: SqlDialect): PageBoundaries {
    let boundaries = CACHES.get(dialect);
    if (!boundaries) {
      boundaries = new PageBoundaries();
      CACHES.set(dialect, boundaries);
    }
    return boundaries;
  }

  /** The condition that seeks to the page `query` asks for, if a boundary at `changes` is known. */
  seek(workspaceId: string, query: UserQuery, changes: number): { key: string; condition: RawBuilder<unknown> } | undefined {
    const key = boundaryKey(workspaceId, query.descending === true, query.offset);
    const boundary = this.cache.get(key);
    if (!boundary || boundary.changes !== changes) return undefined;
    const condition = query.descending
      ? boundary.inclusive
        ? sql`u.id <= ${boundary.id}`
        : sql`u.id < ${boundary.id}`
      : boundary.inclusive
        ? sql`u.id >= ${boundary.id}`
        : sql`u.id > ${boundary.id}`;
    return { key, condition };
  }

  forget(key: string): void {
    this.cache.delete(key);
  }

  /** Remembers where this page starts and where the next one does. */
  remember(workspaceId: string, query: UserQuery, changes: number, page: readonly { readonly id: string }[]): void {
    const first = page[0];
    const last = page[page.length - 1];
    if (!first || !last) return;
    const descending = query.descending === true;
    this.cache.set(boundaryKey(workspaceId, descending, query.offset), { changes, id: first.id, inclusive: true });
    this.cache.set(boundaryKey(workspaceId, descending, query.offset + page.length), { changes, id: last.id, inclusive: false });
  }
}

const boundaryKey = (workspaceId: string, descending: boolean, offset: number) => `${workspaceId}|${descending ? 'd' : 'a'}|${offset}`;
