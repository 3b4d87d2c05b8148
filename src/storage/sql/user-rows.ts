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

const optional = (value: string | null): string | undefined => (value === null ? undefined : value);

export function fromUserRow(row: UsersTable, teamIds: readonly string[]): User {
  const contacts = JSON.parse(row.contacts) as Contacts;
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
    contacts,
    externalId: optional(row.external_id),
    formattedName: optional(row.formatted_name),
    familyName: optional(row.family_name),
    givenName: optional(row.given_name),
    middleName: optional(row.middle_name),
    honorificPrefix: optional(row.honorific_prefix),
    honorificSuffix: optional(row.honorific_suffix),
    displayName: optional(row.display_name),
    nickName: optional(row.nick_name),
    title: optional(row.title),
    userType: optional(row.user_type),
    preferredLanguage: optional(row.preferred_language),
    locale: optional(row.locale),
    timezone: optional(row.timezone),
    employeeNumber: optional(row.employee_number),
    costCenter: optional(row.cost_center),
    organization: optional(row.organization),
    division: optional(row.division),
    department: optional(row.department),
    managerId: optional(row.manager_id),
  };
  for (const key of Object.keys(user)) if (user[key] === undefined) delete user[key];
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
