import type { Contact, Contacts, User } from '../../directory/model.js';
import type { UserContactsTable, UsersTable } from './database-types.js';

export const CONTACT_KINDS = ['emails', 'phoneNumbers', 'addresses'] as const;

/** A user as its `users` row (team links and contact index rows are written separately). */
export function toUserRow(u: User): UsersTable {
  return {
    workspace_id: u.workspaceId,
    id: u.id,
    user_name: u.userName,
    user_name_lower: u.userName.toLowerCase(),
    email_lower: u.email.toLowerCase(),
    active: u.active ? 1 : 0,
    scim_deleted: u.scimDeleted ? 1 : 0,
    role_id: u.roleId,
    external_id: u.externalId ?? null,
    formatted_name: u.formattedName ?? null,
    family_name: u.familyName ?? null,
    given_name: u.givenName ?? null,
    middle_name: u.middleName ?? null,
    honorific_prefix: u.honorificPrefix ?? null,
    honorific_suffix: u.honorificSuffix ?? null,
    display_name: u.displayName ?? null,
    nick_name: u.nickName ?? null,
    title: u.title ?? null,
    user_type: u.userType ?? null,
    preferred_language: u.preferredLanguage ?? null,
    locale: u.locale ?? null,
    timezone: u.timezone ?? null,
    employee_number: u.employeeNumber ?? null,
    cost_center: u.costCenter ?? null,
    organization: u.organization ?? null,
    division: u.division ?? null,
    department: u.department ?? null,
    manager_id: u.managerId ?? null,
    scim_managed: u.scimManaged ? 1 : 0,
    last_synced_at: u.lastSyncedAt,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    version: u.version,
    contacts: JSON.stringify(u.contacts),
  };
}

/** Optional text attributes of a user and their columns. */
const OPTIONAL_COLUMNS = [
  ['externalId', 'external_id'],
  ['formattedName', 'formatted_name'],
  ['familyName', 'family_name'],
  ['givenName', 'given_name'],
  ['middleName', 'middle_name'],
  ['honorificPrefix', 'honorific_prefix'],
  ['honorificSuffix', 'honorific_suffix'],
  ['displayName', 'display_name'],
  ['nickName', 'nick_name'],
  ['title', 'title'],
  ['userType', 'user_type'],
  ['preferredLanguage', 'preferred_language'],
  ['locale', 'locale'],
  ['timezone', 'timezone'],
  ['employeeNumber', 'employee_number'],
  ['costCenter', 'cost_center'],
  ['organization', 'organization'],
  ['division', 'division'],
  ['department', 'department'],
  ['managerId', 'manager_id'],
] as const satisfies readonly (readonly [keyof User, keyof UsersTable])[];

export function fromUserRow(row: UsersTable, teamIds: readonly string[]): User {
  const user: Record<string, unknown> = {
    workspaceId: row.workspace_id,
    id: row.id,
    userName: row.user_name,
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
  // Absent attributes are left out rather than set and deleted (deleting slows every later access).
  for (const [field, column] of OPTIONAL_COLUMNS) {
    const value = row[column];
    if (value !== null && value !== undefined) user[field] = value;
  }
  return user as unknown as User;
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
