import { type RawBuilder, sql } from 'kysely';
import type { CompareOperator, FilterValue, ResolvedFilter } from '../../scim/filter/ast.js';
import type { ResolvedAttribute } from '../../scim/schema/resource-type.js';
import { ScimError } from '../../scim/errors.js';

/**
 * Compiles a resolved SCIM filter over Users into a parameterised SQL condition on the `users`
 * table aliased `u` (RFC 7644 §3.4.2.2). Single-valued attributes are columns; emails, phone
 * numbers and addresses are EXISTS sub-queries on `user_contacts`; teams and groups go through
 * their link tables. Case-insensitive attributes compare lower-cased values.
 */

interface Column {
  readonly sql: string;
  /** A column already holding the lower-cased value, so equality can use its index. */
  readonly lower?: string;
  readonly type: 'string' | 'boolean' | 'dateTime';
}

const USER_COLUMNS: Readonly<Record<string, Column>> = {
  id: { sql: 'u.id', type: 'string' },
  externalId: { sql: 'u.external_id', type: 'string' },
  userName: { sql: 'u.user_name', lower: 'u.user_name_lower', type: 'string' },
  'name.formatted': { sql: 'u.formatted_name', type: 'string' },
  'name.familyName': { sql: 'u.family_name', type: 'string' },
  'name.givenName': { sql: 'u.given_name', type: 'string' },
  'name.middleName': { sql: 'u.middle_name', type: 'string' },
  'name.honorificPrefix': { sql: 'u.honorific_prefix', type: 'string' },
  'name.honorificSuffix': { sql: 'u.honorific_suffix', type: 'string' },
  displayName: { sql: 'u.display_name', type: 'string' },
  nickName: { sql: 'u.nick_name', type: 'string' },
  title: { sql: 'u.title', type: 'string' },
  userType: { sql: 'u.user_type', type: 'string' },
  preferredLanguage: { sql: 'u.preferred_language', type: 'string' },
  locale: { sql: 'u.locale', type: 'string' },
  timezone: { sql: 'u.timezone', type: 'string' },
  active: { sql: 'u.active', type: 'boolean' },
  'meta.created': { sql: 'u.created_at', type: 'dateTime' },
  'meta.lastModified': { sql: 'u.updated_at', type: 'dateTime' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': { sql: 'u.employee_number', type: 'string' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter': { sql: 'u.cost_center', type: 'string' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization': { sql: 'u.organization', type: 'string' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division': { sql: 'u.division', type: 'string' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': { sql: 'u.department', type: 'string' },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value': { sql: 'u.manager_id', type: 'string' },
};

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
const TEAMS_KEY = 'urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams';

/** A correlated sub-query scope for a multi-valued attribute, and how its sub-attributes map to columns. */
interface Scope {
  exists(condition: RawBuilder<unknown> | undefined): RawBuilder<unknown>;
  column(attribute: ResolvedAttribute): Column;
}

export function compileUserFilter(filter: ResolvedFilter): RawBuilder<unknown> {
  switch (filter.kind) {
    case 'and':
      return sql`(${compileUserFilter(filter.left)} and ${compileUserFilter(filter.right)})`;
    case 'or':
      return sql`(${compileUserFilter(filter.left)} or ${compileUserFilter(filter.right)})`;
    case 'not':
      return sql`(not ${compileUserFilter(filter.filter)})`;
    case 'valuePath': {
      const scope = multiValuedScope(filter.attribute);
      if (!scope) return compileScoped(filter.filter, singleScope);
      return scope.exists(compileScoped(filter.filter, scope));
    }
    case 'present':
    case 'compare': {
      const scope = multiValuedScope(filter.attribute);
      if (!scope) return compileScoped(filter, singleScope);
      if (filter.kind === 'present' && !filter.attribute.subAttribute) return scope.exists(undefined);
      return scope.exists(compileScoped(filter, scope));
    }
    default: {
      const impossible: never = filter;
      throw new TypeError(`unknown filter kind ${JSON.stringify(impossible)}`);
    }
  }
}

/** Compiles a filter whose attributes all live in one scope (the user row, or one sub-query). */
function compileScoped(filter: ResolvedFilter, scope: Scope): RawBuilder<unknown> {
  switch (filter.kind) {
    case 'and':
      return sql`(${compileScoped(filter.left, scope)} and ${compileScoped(filter.right, scope)})`;
    case 'or':
      return sql`(${compileScoped(filter.left, scope)} or ${compileScoped(filter.right, scope)})`;
    case 'not':
      return sql`(not ${compileScoped(filter.filter, scope)})`;
    case 'valuePath':
      throw ScimError.invalidFilter('value filters cannot be nested');
    case 'present': {
      const column = scope.column(filter.attribute);
      if (column.type === 'string') return sql`(${sql.raw(column.sql)} is not null and ${sql.raw(column.sql)} <> '')`;
      return sql`(${sql.raw(column.sql)} is not null)`;
    }
    case 'compare':
      return compare(scope.column(filter.attribute), filter.attribute, filter.op, filter.value);
    default: {
      const impossible: never = filter;
      throw new TypeError(`unknown filter kind ${JSON.stringify(impossible)}`);
    }
  }
}

const singleScope: Scope = {
  exists: () => {
    throw new TypeError('a single-valued scope has no sub-query');
  },
  column: (attribute) => {
    const column = USER_COLUMNS[attribute.key];
    if (!column) throw ScimError.invalidFilter(`filtering on '${attribute.key}' is not supported`);
    return column;
  },
};

function multiValuedScope(attribute: ResolvedAttribute): Scope | undefined {
  const name = attribute.attribute.name;
  if (!attribute.inExtension && CONTACT_ATTRIBUTES.has(name)) return contactScope(name);
  if (attribute.key.startsWith(TEAMS_KEY)) return teamsScope;
  if (!attribute.inExtension && name === 'groups') return groupsScope;
  return undefined;
}

function contactScope(kind: string): Scope {
  return {
    exists: (condition) =>
      sql`exists (select 1 from user_contacts c where c.workspace_id = u.workspace_id and c.user_id = u.id and c.kind = ${kind}${
        condition ? sql` and ${condition}` : sql``
      })`,
    column: (attribute) => {
      const sub = attribute.subAttribute?.name ?? 'value';
      const column = CONTACT_COLUMNS[sub];
      if (!column) throw ScimError.invalidFilter(`filtering on '${attribute.key}' is not supported`);
      return column;
    },
  };
}

const teamsScope: Scope = {
  exists: (condition) =>
    sql`exists (select 1 from user_teams ut join teams t on t.workspace_id = ut.workspace_id and t.id = ut.team_id where ut.workspace_id = u.workspace_id and ut.user_id = u.id${
      condition ? sql` and ${condition}` : sql``
    })`,
  column: () => ({ sql: 't.name', type: 'string' }),
};

/** A user's `groups` is the one non-guest role they hold. */
const groupsScope: Scope = {
  exists: (condition) =>
    sql`exists (select 1 from roles r where r.workspace_id = u.workspace_id and r.id = u.role_id and r.is_guest = 0${
      condition ? sql` and ${condition}` : sql``
    })`,
  column: (attribute) => {
    const sub = attribute.subAttribute?.name ?? 'value';
    if (sub === 'value') return { sql: 'r.id', type: 'string' };
    if (sub === 'display') return { sql: 'r.name', type: 'string' };
    throw ScimError.invalidFilter(`filtering on '${attribute.key}' is not supported`);
  },
};

function compare(column: Column, attribute: ResolvedAttribute, op: CompareOperator, value: FilterValue): RawBuilder<unknown> {
  const target = sql.raw(column.sql);
  if (value === null) {
    if (op === 'eq') return sql`(${target} is null)`;
    if (op === 'ne') return sql`(${target} is not null)`;
    throw ScimError.invalidFilter(`'${op}' cannot compare with null`);
  }
  if (column.type === 'boolean') {
    const bit = value === true ? 1 : 0;
    if (op === 'eq') return sql`(${target} = ${bit})`;
    if (op === 'ne') return sql`(${target} is null or ${target} <> ${bit})`;
    throw ScimError.invalidFilter(`'${op}' is not defined for the boolean attribute '${attribute.key}'`);
  }
  const caseExact = attribute.definition.caseExact || column.type === 'dateTime';
  const text = String(value);
  const operand = caseExact ? text : text.toLowerCase();
  // Equality on a case-insensitive attribute uses its lower-cased column so the index applies.
  const left = caseExact ? target : sql.raw(column.lower ?? `lower(${column.sql})`);
  switch (op) {
    case 'eq':
      return sql`(${left} = ${operand})`;
    case 'ne':
      return sql`(${target} is null or ${left} <> ${operand})`;
    case 'co':
      return sql`(${left} like ${`%${escapeLike(operand)}%`} escape '\\')`;
    case 'sw':
      return sql`(${left} like ${`${escapeLike(operand)}%`} escape '\\')`;
    case 'ew':
      return sql`(${left} like ${`%${escapeLike(operand)}`} escape '\\')`;
    case 'gt':
      return sql`(${left} > ${operand})`;
    case 'ge':
      return sql`(${left} >= ${operand})`;
    case 'lt':
      return sql`(${left} < ${operand})`;
    case 'le':
      return sql`(${left} <= ${operand})`;
    default: {
      const impossible: never = op;
      throw new TypeError(`unknown operator ${String(impossible)}`);
    }
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The SQL expression to sort users by (RFC 7644 §3.4.2.3); multi-valued attributes sort by their primary or first value. */
export function userSortExpression(attribute: ResolvedAttribute): RawBuilder<unknown> {
  const scope = multiValuedScope(attribute);
  if (!scope) {
    const column = singleScope.column(attribute);
    if (column.type !== 'string' || attribute.definition.caseExact) return sql.raw(column.sql);
    return sql.raw(column.lower ?? `lower(${column.sql})`);
  }
  const name = attribute.attribute.name;
  if (CONTACT_ATTRIBUTES.has(name)) {
    const column = scope.column(attribute);
    const expression = attribute.definition.caseExact ? column.sql : (column.lower ?? `lower(${column.sql})`);
    return sql`(select ${sql.raw(expression)} from user_contacts c where c.workspace_id = u.workspace_id and c.user_id = u.id and c.kind = ${name} order by c.is_primary desc, c.position limit 1)`;
  }
  throw ScimError.invalidParameter(`sorting by '${attribute.key}' is not supported`);
}
