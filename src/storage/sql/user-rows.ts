import type { Contact, Contacts, User } from '../../directory/model.js';
import type { UserNameParts } from '../../directory/ports.js';
import {
  USER_ATTRIBUTES,
  type UserAttribute,
  type UserAttributeColumns,
  type UserAttributeValues,
  withAttributeValues,
} from '../../directory/users/user-attributes.js';
import type { UserContactsTable, UsersTable } from './database-types.js';

export const CONTACT_KINDS = ['emails', 'phoneNumbers', 'addresses'] as const;

/** A user as its `users` row (team links and contact index rows are written separately). */
export function toUserRow(u: User): UsersTable {
  const row = {
    workspace_id: u.workspaceId,
    id: u.id,
    email_lower: u.email.toLowerCase(),
    active: u.active ? 1 : 0,
    scim_deleted: u.scimDeleted ? 1 : 0,
    role_id: u.roleId,
    scim_managed: u.scimManaged ? 1 : 0,
    last_synced_at: u.lastSyncedAt,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    version: u.version,
    contacts: JSON.stringify(u.contacts),
  };
  return withAttributeColumns(row, u);
}

/**
 * `row` with the attribute columns of a user added: every column of the table, NULL when not
 * set, so an UPDATE clears what the user no longer has. Lower-case columns are lowered here, in
 * JavaScript, as filter-sql.ts lowers the values compared with them. Added to the row rather
 * than spread into it, for the reason given at withAttributeValues.
 */
function withAttributeColumns<T extends Record<string, unknown>>(row: T, values: UserAttributeValues): T & UserAttributeColumns {
  const columns: Record<string, unknown> = row;
  for (const attribute of USER_ATTRIBUTES) {
    const value = values[attribute.field];
    columns[attribute.column] = value ?? null;
    if ('lower' in attribute) columns[attribute.lower] = value?.toLowerCase() ?? null;
  }
  // The loop set every column of the table, and required fields are never undefined.
  return row as T & UserAttributeColumns;
}

export function fromUserRow(row: UsersTable, teamIds: readonly string[]): User {
  const user = {
    workspaceId: row.workspace_id,
    id: row.id,
    email: row.email_lower,
    active: Number(row.active) === 1,
    scimDeleted: Number(row.scim_deleted) === 1,
    roleId: row.role_id,
    teamIds,
    scimManaged: Number(row.scim_managed) === 1,
    lastSyncedAt: row.last_synced_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
    contacts: JSON.parse(row.contacts) as Contacts,
  };
  return withAttributeValues(user, (attribute) => row[attribute.column]);
}

/** The fields displayNameOf reads; typed so the compiler finds a field missing from the list. */
const NAME_PART_FIELDS: Readonly<Record<keyof UserNameParts, true>> = {
  userName: true,
  displayName: true,
  formattedName: true,
  givenName: true,
  middleName: true,
  familyName: true,
};

type NamePartAttribute = Extract<UserAttribute, { readonly field: keyof UserNameParts }>;

/** The columns a user's name parts are read from (manager names, Group members). */
export const NAME_COLUMNS = USER_ATTRIBUTES.filter((a): a is NamePartAttribute => Object.hasOwn(NAME_PART_FIELDS, a.field)).map(
  (a) => a.column,
);

/** A user's name parts from a row of which NAME_COLUMNS were selected. */
export function namePartsFromRow(row: Partial<UserAttributeColumns>): UserNameParts {
  return withAttributeValues({}, (attribute) => row[attribute.column]);
}

/** Index rows for filtering on emails, phone numbers and addresses. */
export function toContactRows(u: User): UserContactsTable[] {
  const rows: UserContactsTable[] = [];
  for (const kind of CONTACT_KINDS) {
    u.contacts[kind].forEach((c: Contact, position) => {
      rows.push({
        workspace_id: u.workspaceId,
        user_id: u.id,
        kind,
        position,
        type: c.type ?? null,
        is_primary: c.primary === undefined ? null : c.primary ? 1 : 0,
        value: c.value ?? null,
        value_lower: c.value?.toLowerCase() ?? null,
        display: c.display ?? null,
        formatted: c.formatted ?? null,
        street_address: c.streetAddress ?? null,
        locality: c.locality ?? null,
        region: c.region ?? null,
        postal_code: c.postalCode ?? null,
        country: c.country ?? null,
      });
    });
  }
  return rows;
}
