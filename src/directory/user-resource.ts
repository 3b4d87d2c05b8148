import type { ScimResource } from '../scim/schema/resource-checker.js';
import { URN } from '../scim/schema/urns.js';
import { isJsonObject, type JsonObject } from '../scim/schema/value-normalizer.js';
import type { Contact, Contacts, Role, User, UserProfile } from './model.js';
import type { UserNameParts } from './ports.js';

/** What a user's SCIM representation needs besides the user row. */
export interface UserContext {
  readonly baseUrl: string;
  /** The user's role when it is exposed as a Group (not the guest role). */
  readonly group?: Role;
  readonly teamNames: readonly string[];
  readonly managerName?: string;
}

const NAME_FIELDS = [
  ['formatted', 'formattedName'],
  ['familyName', 'familyName'],
  ['givenName', 'givenName'],
  ['middleName', 'middleName'],
  ['honorificPrefix', 'honorificPrefix'],
  ['honorificSuffix', 'honorificSuffix'],
] as const;

const TOP_FIELDS = ['externalId', 'displayName', 'nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'] as const;

const ENTERPRISE_FIELDS = ['employeeNumber', 'costCenter', 'organization', 'division', 'department'] as const;

/**
 * The user as a SCIM resource. With `derive`, empty `name.formatted` and `displayName` are
 * filled from the name parts for the response; without it (the base for PATCH and PUT) only
 * stored values appear, so derived values never get written back as if a client sent them.
 */
export function toUserResource(user: User, context: UserContext, options: { derive: boolean }): ScimResource {
  const resource: JsonObject = { id: user.id };
  if (user.externalId !== undefined) resource.externalId = user.externalId;
  resource.userName = user.userName;
  const name: JsonObject = {};
  for (const [scim, field] of NAME_FIELDS) if (user[field] !== undefined) name[scim] = user[field];
  if (options.derive && name.formatted === undefined) {
    const formatted = formattedNameOf(user);
    if (formatted) name.formatted = formatted;
  }
  if (Object.keys(name).length > 0) resource.name = name;
  for (const field of TOP_FIELDS) if (field !== 'externalId' && user[field] !== undefined) resource[field] = user[field];
  if (options.derive && resource.displayName === undefined) resource.displayName = displayNameOf(user);
  resource.active = user.active;
  for (const kind of ['emails', 'phoneNumbers', 'addresses'] as const) {
    if (user.contacts[kind].length > 0) resource[kind] = user.contacts[kind].map((c) => ({ ...c }));
  }
  if (context.group) {
    resource.groups = [
      {
        value: context.group.id,
        $ref: `${context.baseUrl}/Groups/${context.group.id}`,
        display: context.group.name,
        type: 'direct',
      },
    ];
  }
  const enterprise: JsonObject = {};
  for (const field of ENTERPRISE_FIELDS) if (user[field] !== undefined) enterprise[field] = user[field];
  if (user.managerId !== undefined) {
    const manager: JsonObject = { value: user.managerId, $ref: `${context.baseUrl}/Users/${user.managerId}` };
    if (context.managerName !== undefined) manager.displayName = context.managerName;
    enterprise.manager = manager;
  }
  if (Object.keys(enterprise).length > 0) resource[URN.enterpriseUser] = enterprise;
  if (context.teamNames.length > 0) resource[URN.teamsUser] = { teams: [...context.teamNames] };
  resource.meta = {
    resourceType: 'User',
    created: user.createdAt,
    lastModified: user.updatedAt,
    location: `${context.baseUrl}/Users/${user.id}`,
    version: userVersion(user),
  };
  return resource;
}

export const userVersion = (user: User): string => `W/"${user.version}"`;

const formattedNameOf = (parts: UserNameParts): string => [parts.givenName, parts.middleName, parts.familyName].filter(Boolean).join(' ');

/** The name Roster shows: displayName, else the formatted name, else one built from the parts, else userName. */
export function displayNameOf(parts: UserNameParts): string {
  return parts.displayName || parts.formattedName || formattedNameOf(parts) || parts.userName;
}

/** Profile fields a stored-form resource carries; team names are returned separately. */
export function profileFromResource(resource: ScimResource): { profile: UserProfile; active: boolean | undefined; teamNames: string[] } {
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const name = isJsonObject(resource.name) ? resource.name : {};
  const enterprise = isJsonObject(resource[URN.enterpriseUser]) ? (resource[URN.enterpriseUser] as JsonObject) : {};
  const teams = isJsonObject(resource[URN.teamsUser]) ? (resource[URN.teamsUser] as JsonObject).teams : undefined;
  const manager = isJsonObject(enterprise.manager) ? enterprise.manager : {};
  const profile: Record<string, unknown> = {
    userName: text(resource.userName) ?? '',
    contacts: contactsFrom(resource),
    managerId: text(manager.value),
  };
  for (const [scim, field] of NAME_FIELDS) profile[field] = text(name[scim]);
  for (const field of TOP_FIELDS) profile[field] = text(resource[field]);
  for (const field of ENTERPRISE_FIELDS) profile[field] = text(enterprise[field]);
  for (const key of Object.keys(profile)) if (profile[key] === undefined) delete profile[key];
  return {
    profile: profile as unknown as UserProfile,
    active: typeof resource.active === 'boolean' ? resource.active : undefined,
    teamNames: Array.isArray(teams) ? teams.filter((t): t is string => typeof t === 'string') : [],
  };
}

function contactsFrom(resource: ScimResource): Contacts {
  const list = (value: unknown): Contact[] =>
    Array.isArray(value) ? value.filter(isJsonObject).map((element) => ({ ...element }) as Contact) : [];
  return {
    emails: list(resource.emails),
    phoneNumbers: list(resource.phoneNumbers),
    addresses: list(resource.addresses),
  };
}

/**
 * The account email (the article's matching key): userName when it is an email address,
 * else the first work email, else the first email.
 */
export function accountEmail(profile: UserProfile): string | undefined {
  if (looksLikeEmail(profile.userName)) return profile.userName;
  const emails = profile.contacts.emails.filter((e) => looksLikeEmail(e.value));
  return (emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails.find((e) => e.primary) ?? emails[0])?.value;
}

export function looksLikeEmail(value: string | undefined): value is string {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+$/.test(value);
}
