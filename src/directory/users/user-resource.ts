import type { ScimResource } from '../../scim/schema/resource-checker.js';
import { URN } from '../../scim/schema/urns.js';
import { isJsonObject, type JsonObject } from '../../scim/schema/value-normalizer.js';
import type { Contact, Contacts, Role, User, UserProfile } from '../model.js';
import type { UserNameParts } from '../ports.js';
import { USER_ATTRIBUTES, type UserAttribute, withAttributeValues } from './user-attributes.js';

/** What a user's SCIM representation needs besides the user row. */
export interface UserContext {
  readonly baseUrl: string;
  /** The user's role when it is exposed as a Group (not the guest role). */
  readonly group?: Role;
  readonly teamNames: readonly string[];
  readonly managerName?: string;
}

/**
 * Where a table attribute sits in a resource: in an extension's object when its path has a URN
 * prefix (the URN ends at the last colon; URNs hold dots, as in `enterprise:2.0:User`), under a
 * complex parent when the rest has a dot (RFC 7643 §2.4).
 */
interface Placement {
  readonly attribute: UserAttribute;
  readonly extension: string | undefined;
  readonly parent: string | undefined;
  readonly name: string;
}

function placementOf(attribute: UserAttribute): Placement {
  const path: string = attribute.path;
  const colon = path.startsWith('urn:') ? path.lastIndexOf(':') : -1;
  const rest = path.slice(colon + 1);
  const dot = rest.indexOf('.');
  return {
    attribute,
    extension: colon === -1 ? undefined : path.slice(0, colon),
    parent: dot === -1 ? undefined : rest.slice(0, dot),
    name: rest.slice(dot + 1),
  };
}

// Worked out once, not per user: every user of a page maps the same table.
const ALL_PLACEMENTS = USER_ATTRIBUTES.map(placementOf);
const PLACEMENTS = new Map(ALL_PLACEMENTS.map((placement) => [placement.attribute, placement]));
const CORE_PLACEMENTS = ALL_PLACEMENTS.filter((p) => p.extension === undefined);
const EXTENSION_PLACEMENTS = [...new Set(ALL_PLACEMENTS.flatMap((p) => p.extension ?? []))].map(
  (urn) => [urn, ALL_PLACEMENTS.filter((p) => p.extension === urn)] as const,
);

/** Writes the user's values of these attributes into `target`, creating complex parents as needed. */
function writeAttributes(target: JsonObject, placements: readonly Placement[], user: User): void {
  for (const { attribute, parent, name } of placements) {
    const value = user[attribute.field];
    if (value === undefined) continue;
    if (parent === undefined) {
      target[name] = value;
      continue;
    }
    const holder = target[parent];
    if (isJsonObject(holder)) holder[name] = value;
    else target[parent] = { [name]: value };
  }
}

/** The string value of a table attribute in a resource, if it has one. */
function readAttribute(resource: ScimResource, placement: Placement | undefined): string | undefined {
  if (!placement) return undefined;
  const container = placement.extension === undefined ? resource : resource[placement.extension];
  if (!isJsonObject(container)) return undefined;
  const holder = placement.parent === undefined ? container : container[placement.parent];
  if (!isJsonObject(holder)) return undefined;
  const value = holder[placement.name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The user as a SCIM resource. With `derive`, empty `name.formatted` and `displayName` are
 * filled from the name parts for the response; without it (the base for PATCH and PUT) only
 * stored values appear, so derived values never get written back as if a client sent them.
 */
export function toUserResource(user: User, context: UserContext, options: { derive: boolean }): ScimResource {
  const resource: JsonObject = { id: user.id };
  writeAttributes(resource, CORE_PLACEMENTS, user);
  if (options.derive) {
    // The name parts the formatted name is built from are in `name`: it exists when they do.
    const name = resource.name;
    if (isJsonObject(name) && name.formatted === undefined) {
      const formatted = formattedNameOf(user);
      if (formatted) name.formatted = formatted;
    }
    if (resource.displayName === undefined) resource.displayName = displayNameOf(user);
  }
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
  for (const [urn, placements] of EXTENSION_PLACEMENTS) {
    const extension: JsonObject = {};
    writeAttributes(extension, placements, user);
    if (urn === URN.enterpriseUser) addManagerReferences(extension, context);
    if (Object.keys(extension).length > 0) resource[urn] = extension;
  }
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

/** The read-only `$ref` and `displayName` of a stored manager (RFC 7643 §4.3). */
function addManagerReferences(enterprise: JsonObject, context: UserContext): void {
  const manager = enterprise.manager;
  if (!isJsonObject(manager) || typeof manager.value !== 'string') return;
  manager.$ref = `${context.baseUrl}/Users/${manager.value}`;
  if (context.managerName !== undefined) manager.displayName = context.managerName;
}

export const userVersion = (user: User): string => `W/"${user.version}"`;

const formattedNameOf = (parts: UserNameParts): string => [parts.givenName, parts.middleName, parts.familyName].filter(Boolean).join(' ');

/** The name Roster shows: displayName, else the formatted name, else one built from the parts, else userName. */
export function displayNameOf(parts: UserNameParts): string {
  return parts.displayName || parts.formattedName || formattedNameOf(parts) || parts.userName;
}

/** Profile fields a stored-form resource carries; team names are returned separately. */
export function profileFromResource(resource: ScimResource): { profile: UserProfile; active: boolean | undefined; teamNames: string[] } {
  const teamsExtension = resource[URN.teamsUser];
  const teams = isJsonObject(teamsExtension) ? teamsExtension.teams : undefined;
  return {
    profile: withAttributeValues({ contacts: contactsFrom(resource) }, (attribute) => readAttribute(resource, PLACEMENTS.get(attribute))),
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
 * The account email, the key existing users are matched by (docs/rules/matching.md): userName
 * when it is an email address, else the first work email, else the first email.
 */
export function accountEmail(profile: UserProfile): string | undefined {
  if (looksLikeEmail(profile.userName)) return profile.userName;
  const emails = profile.contacts.emails.filter((e) => looksLikeEmail(e.value));
  return (emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails.find((e) => e.primary) ?? emails[0])?.value;
}

export function looksLikeEmail(value: string | undefined): value is string {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+$/.test(value);
}
