import { type RawBuilder, sql } from 'kysely';
import { type StoredAttributeType, USER_ATTRIBUTES, type UserAttributeSpec } from '../../directory/users/user-attributes.js';
import { ScimError } from '../../scim/errors.js';
import type { ResolvedAttribute } from '../../scim/schema/resource-type.js';
import { URN } from '../../scim/schema/urns.js';
import { type Column, caseFolded, type FilterMapping, type Scope } from './filter-sql.js';

/**
 * How User attributes live in SQL, for the `users` table aliased `u`: single-valued attributes
 * are columns (those of the attribute table, and these few); emails, phone numbers and addresses
 * are rows of `user_contacts`; teams and the user's group (role) go through their link tables.
 */
const USER_COLUMNS: Readonly<Record<string, Column>> = {
  id: { sql: 'u.id', type: 'string' },
  active: { sql: 'u.active', type: 'boolean' },
  'meta.created': { sql: 'u.created_at', type: 'dateTime' },
  'meta.lastModified': { sql: 'u.updated_at', type: 'dateTime' },
  ...Object.fromEntries(USER_ATTRIBUTES.map((attribute) => [attribute.path, columnOf(attribute)])),
};

function columnOf(attribute: UserAttributeSpec): Column {
  const column: Column = { sql: `u.${attribute.column}`, type: sqlType(attribute.type) };
  return attribute.lower === undefined ? column : { ...column, lower: `u.${attribute.lower}` };
}

/** How a stored type compares in SQL: a reference (a URI, RFC 7643 §2.3.7) is text, as the filter resolver types it. */
function sqlType(type: StoredAttributeType): Column['type'] {
  switch (type) {
    case 'string':
    case 'reference':
      return 'string';
    default: {
      const impossible: never = type;
      throw new TypeError(`unknown stored type ${String(impossible)}`);
    }
  }
}

const CONTACT_COLUMNS: Readonly<Record<string, Column>> = {
  value: { sql: 'c.value', lower: 'c.value_lower', type: 'string' },
  display: { sql: 'c.display', type: 'string' },
  type: { sql: 'c.type', type: 'string' },
  primary: { sql: 'c.is_primary', type: 'boolean' },
  formatted: { sql: 'c.formatted', type: 'string' },
  streetAddress: { sql: 'c.street_address', type: 'string' },
  locality: { sql: 'c.locality', type: 'string' },
  region: { sql: 'c.region', type: 'string' },
  postalCode: { sql: 'c.postal_code', type: 'string' },
  country: { sql: 'c.country', type: 'string' },
};

const CONTACT_ATTRIBUTES = new Set(['emails', 'phoneNumbers', 'addresses']);
const TEAMS_KEY = `${URN.teamsUser}:teams`;

const optional = (condition: RawBuilder<unknown> | undefined) => (condition ? sql` and ${condition}` : sql``);

function contactScope(kind: string): Scope {
  const column = (attribute: ResolvedAttribute): Column => {
    const found = CONTACT_COLUMNS[attribute.subAttribute?.name ?? 'value'];
    if (!found) throw ScimError.invalidFilter(`filtering on '${attribute.key}' is not supported`);
    return found;
  };
  return {
    // With the workspace known, the matching users are selected once through user_contacts_value
    // (workspace_id, kind, value_lower) rather than probed per user of the workspace.
    exists: (condition, workspaceId) =>
      workspaceId === undefined
        ? sql`exists (select 1 from user_contacts c where c.workspace_id = u.workspace_id and c.user_id = u.id and c.kind = ${kind}${optional(condition)})`
        : sql`u.id in (select c.user_id from user_contacts c where c.workspace_id = ${workspaceId} and c.kind = ${kind}${optional(condition)})`,
    column,
    sortExpression: (attribute) =>
      sql`(select ${caseFolded(column(attribute), attribute)} from user_contacts c where c.workspace_id = u.workspace_id and c.user_id = u.id and c.kind = ${kind} order by coalesce(c.is_primary, 0) desc, c.position limit 1)`,
  };
}

const teamsScope: Scope = {
  exists: (condition, workspaceId) =>
    workspaceId === undefined
      ? sql`exists (select 1 from user_teams ut join teams t on t.workspace_id = ut.workspace_id and t.id = ut.team_id where ut.workspace_id = u.workspace_id and ut.user_id = u.id${optional(condition)})`
      : sql`u.id in (select ut.user_id from user_teams ut join teams t on t.workspace_id = ut.workspace_id and t.id = ut.team_id where ut.workspace_id = ${workspaceId}${optional(condition)})`,
  column: () => ({ sql: 't.name', type: 'string' }),
};

/** A user's `groups` is the one non-guest role they hold. */
const groupsScope: Scope = {
  exists: (condition) =>
    sql`exists (select 1 from roles r where r.workspace_id = u.workspace_id and r.id = u.role_id and r.is_guest = 0${optional(condition)})`,
  column: (attribute) => {
    const sub = attribute.subAttribute?.name ?? 'value';
    if (sub === 'value') return { sql: 'r.id', type: 'string' };
    if (sub === 'display') return { sql: 'r.name', type: 'string' };
    throw ScimError.invalidFilter(`filtering on '${attribute.key}' is not supported`);
  },
};

export const USER_FILTER_MAPPING: FilterMapping = {
  columns: USER_COLUMNS,
  scopeOf: (attribute) => {
    const name = attribute.attribute.name;
    if (!attribute.inExtension && CONTACT_ATTRIBUTES.has(name)) return contactScope(name);
    if (attribute.key.startsWith(TEAMS_KEY)) return teamsScope;
    if (!attribute.inExtension && name === 'groups') return groupsScope;
    return undefined;
  },
};
