import type { AttributeType } from '../../scim/schema/attribute.js';
import { URN } from '../../scim/schema/urns.js';

/** SCIM types whose values the table stores as text: a `reference` (RFC 7643 §2.3.7) is a URI string. */
export type StoredAttributeType = Extract<AttributeType, 'string' | 'reference'>;

/** One single-valued simple attribute of a User, stored in its own column of `users`. */
export interface UserAttributeSpec {
  /**
   * The path as the schema resolves it (ResolvedAttribute.key): a dot names the sub-attribute of
   * a complex attribute (`name.givenName`), a URN prefix the extension holding it.
   */
  readonly path: string;
  /** The field of the record (User, UserProfile). */
  readonly field: string;
  /** The column of `users`. */
  readonly column: string;
  /** A column holding the value lower-cased, so case-insensitive equality can use an index. */
  readonly lower?: string;
  readonly type: StoredAttributeType;
  /** Every user has a value (the schema requires it); the column is NOT NULL. */
  readonly required?: true;
}

const ENTERPRISE = URN.enterpriseUser;

/**
 * The User's attributes that are columns of `users`, in the order SCIM responses list them. The
 * record fields (UserProfile), the row's columns (UsersTable), the resource mapping
 * (user-resource.ts), the row mapping (storage/sql/user-rows.ts) and the filter mapping
 * (storage/sql/user-filter-mapping.ts) are derived from it: a new simple attribute is its schema
 * definition, a row here and a migration adding the column. Multi-valued attributes (contacts,
 * teams), `id`, `active` and `meta` are stored their own ways (see user-attributes.test.ts).
 */
export const USER_ATTRIBUTES = [
  { path: 'externalId', field: 'externalId', column: 'external_id', type: 'string' },
  { path: 'userName', field: 'userName', column: 'user_name', lower: 'user_name_lower', type: 'string', required: true },
  { path: 'name.formatted', field: 'formattedName', column: 'formatted_name', type: 'string' },
  { path: 'name.familyName', field: 'familyName', column: 'family_name', type: 'string' },
  { path: 'name.givenName', field: 'givenName', column: 'given_name', type: 'string' },
  { path: 'name.middleName', field: 'middleName', column: 'middle_name', type: 'string' },
  { path: 'name.honorificPrefix', field: 'honorificPrefix', column: 'honorific_prefix', type: 'string' },
  { path: 'name.honorificSuffix', field: 'honorificSuffix', column: 'honorific_suffix', type: 'string' },
  { path: 'displayName', field: 'displayName', column: 'display_name', type: 'string' },
  { path: 'nickName', field: 'nickName', column: 'nick_name', type: 'string' },
  { path: 'profileUrl', field: 'profileUrl', column: 'profile_url', type: 'reference' },
  { path: 'title', field: 'title', column: 'title', type: 'string' },
  { path: 'userType', field: 'userType', column: 'user_type', type: 'string' },
  { path: 'preferredLanguage', field: 'preferredLanguage', column: 'preferred_language', type: 'string' },
  { path: 'locale', field: 'locale', column: 'locale', type: 'string' },
  { path: 'timezone', field: 'timezone', column: 'timezone', type: 'string' },
  { path: `${ENTERPRISE}:employeeNumber`, field: 'employeeNumber', column: 'employee_number', type: 'string' },
  { path: `${ENTERPRISE}:costCenter`, field: 'costCenter', column: 'cost_center', type: 'string' },
  { path: `${ENTERPRISE}:organization`, field: 'organization', column: 'organization', type: 'string' },
  { path: `${ENTERPRISE}:division`, field: 'division', column: 'division', type: 'string' },
  { path: `${ENTERPRISE}:department`, field: 'department', column: 'department', type: 'string' },
  { path: `${ENTERPRISE}:manager.value`, field: 'managerId', column: 'manager_id', type: 'string' },
] as const satisfies readonly UserAttributeSpec[];

export type UserAttribute = (typeof USER_ATTRIBUTES)[number];
type RequiredAttribute = Extract<UserAttribute, { readonly required: true }>;
type OptionalAttribute = Exclude<UserAttribute, { readonly required: true }>;
type LoweredAttribute = Extract<UserAttribute, { readonly lower: string }>;

/** The record's value of an attribute: every stored type is text so far. */
type ValueOf<T extends StoredAttributeType> = T extends 'string' | 'reference' ? string : never;

/** The record fields of the table's attributes; an optional one is absent when not set. */
export type UserAttributeValues = { readonly [A in RequiredAttribute as A['field']]: ValueOf<A['type']> } & {
  readonly [A in OptionalAttribute as A['field']]?: ValueOf<A['type']>;
};

/** The `users` columns of the table's attributes; an optional one is NULL when not set. */
export type UserAttributeColumns = { [A in RequiredAttribute as A['column']]: ValueOf<A['type']> } & {
  [A in OptionalAttribute as A['column']]: ValueOf<A['type']> | null;
} & { [A in LoweredAttribute as A['lower']]: A extends RequiredAttribute ? ValueOf<A['type']> : ValueOf<A['type']> | null };

/**
 * `target` with the record fields of the table's attributes added, each read by `read` (null
 * or undefined: not set, and left out). Fields are added to the caller's object: building them
 * apart and spreading them into the record measured tens of times slower in V8, on the path that
 * reads every page of users. A required attribute read as absent
 * becomes '', which the callers' checks (the schema's `required`, the NOT NULL column) keep from
 * happening.
 */
export function withAttributeValues<T extends Record<string, unknown>>(
  target: T,
  read: (attribute: UserAttribute) => string | null | undefined,
): T & UserAttributeValues {
  const fields: Record<string, unknown> = target;
  for (const attribute of USER_ATTRIBUTES) {
    const value = read(attribute);
    if (value !== null && value !== undefined) fields[attribute.field] = value;
    else if ('required' in attribute) fields[attribute.field] = '';
  }
  // The loop visited every attribute of the table and gave each required one a value.
  return target as T & UserAttributeValues;
}
