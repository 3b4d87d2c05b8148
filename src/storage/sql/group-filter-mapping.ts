import { sql } from 'kysely';
import { ScimError } from '../../scim/errors.js';
import type { FilterMapping, Scope } from './filter-sql.js';

/** How Group attributes (roles) live in SQL, for the `roles` table aliased `r`. */
const membersScope: Scope = {
  exists: (condition) =>
    sql`exists (select 1 from users u where u.workspace_id = r.workspace_id and u.role_id = r.id and u.scim_deleted = 0${
      condition ? sql` and ${condition}` : sql``
    })`,
  column: (attribute) => {
    const sub = attribute.subAttribute?.name ?? 'value';
    if (sub === 'value') return { sql: 'u.id', type: 'string' };
    if (sub === 'display') return { sql: 'u.display_name', type: 'string' };
    throw ScimError.invalidFilter(`filtering on '${attribute.key}' is not supported`);
  },
};

export const GROUP_FILTER_MAPPING: FilterMapping = {
  columns: {
    id: { sql: 'r.id', type: 'string' },
    // Roles have no external id: Entra's match by externalId finds nothing, and then uses displayName.
    externalId: { sql: 'null', type: 'string' },
    displayName: { sql: 'r.name', lower: 'r.name_lower', type: 'string' },
    'meta.created': { sql: 'r.created_at', type: 'dateTime' },
    'meta.lastModified': { sql: 'r.updated_at', type: 'dateTime' },
  },
  scopeOf: (attribute) => (attribute.attribute.name === 'members' ? membersScope : undefined),
};
