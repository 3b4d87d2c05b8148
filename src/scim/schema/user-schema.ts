import { attribute, complex, type SchemaDefinition } from './attribute.js';
import { URN } from './urns.js';

const typeAttribute = (values: string[]) =>
  attribute('type', 'string', { canonicalValues: values, description: 'A label indicating the function.' });
const primaryAttribute = attribute('primary', 'boolean', {
  description: 'Whether this is the preferred value; at most one element may be primary.',
});

/**
 * Most emails, phone numbers and addresses (each) a user may have. IdPs send a handful; 100
 * keeps a user's contact rows (15 columns each) far below the bound-parameter limits of SQLite
 * (32,766) and PostgreSQL (65,535) even all three together, and bounds the PATCH engine's
 * element comparisons.
 */
export const MAX_CONTACTS = 100;

/**
 * Most teams a user may belong to. Higher than the contact limit because a team is one short
 * name and one link row (4 columns); 500 covers organisations that model every project as a
 * team, and one SQL statement of names or links stays far below the driver limits.
 */
export const MAX_TEAMS = 500;

/** The core User schema (RFC 7643 §4.1), limited to the attributes Roster stores. */
export const USER_SCHEMA: SchemaDefinition = Object.freeze({
  id: URN.user,
  name: 'User',
  description: 'User Account',
  attributes: Object.freeze([
    attribute('userName', 'string', {
      required: true,
      uniqueness: 'server',
      description: "Unique identifier for the user; Roster's account email when it is an email address.",
    }),
    complex(
      'name',
      [
        attribute('formatted', 'string', { description: 'The full name; derived from the parts when absent.' }),
        attribute('familyName', 'string'),
        attribute('givenName', 'string'),
        attribute('middleName', 'string'),
        attribute('honorificPrefix', 'string'),
        attribute('honorificSuffix', 'string'),
      ],
      { description: "The components of the user's name." },
    ),
    attribute('displayName', 'string', { description: 'The name shown in Roster; derived from the name when absent.' }),
    attribute('nickName', 'string'),
    attribute('profileUrl', 'reference', {
      referenceTypes: ['external'],
      description: "A URL of a page showing the user's online profile.",
    }),
    attribute('title', 'string', { description: "The user's position." }),
    attribute('userType', 'string', { description: 'Shown as the position when no title is given.' }),
    attribute('preferredLanguage', 'string', { description: 'Language tag; Roster supports de-DE and en-GB.' }),
    attribute('locale', 'string'),
    attribute('timezone', 'string', { description: 'IANA time zone name, e.g. Europe/Berlin.' }),
    attribute('active', 'boolean', {
      removable: false,
      description: 'Whether the user may sign in and takes a seat. Always true or false: it cannot be removed or cleared.',
    }),
    complex(
      'emails',
      [
        attribute('value', 'string', { description: 'Email address.' }),
        attribute('display', 'string'),
        typeAttribute(['work', 'home', 'other']),
        primaryAttribute,
      ],
      {
        multiValued: true,
        maxItems: MAX_CONTACTS,
        description: 'Email addresses; the first work email is the primary user email.',
      },
    ),
    complex(
      'phoneNumbers',
      [
        attribute('value', 'string'),
        attribute('display', 'string'),
        typeAttribute(['work', 'home', 'mobile', 'fax', 'pager', 'other']),
        primaryAttribute,
      ],
      { multiValued: true, maxItems: MAX_CONTACTS },
    ),
    complex(
      'addresses',
      [
        attribute('formatted', 'string'),
        attribute('streetAddress', 'string'),
        attribute('locality', 'string'),
        attribute('region', 'string'),
        attribute('postalCode', 'string'),
        attribute('country', 'string'),
        typeAttribute(['work', 'home', 'other']),
        primaryAttribute,
      ],
      { multiValued: true, maxItems: MAX_CONTACTS },
    ),
    complex(
      'groups',
      [
        attribute('value', 'string', { mutability: 'readOnly', caseExact: true }),
        attribute('$ref', 'reference', { mutability: 'readOnly', referenceTypes: ['Group'] }),
        attribute('display', 'string', { mutability: 'readOnly' }),
        attribute('type', 'string', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
      { multiValued: true, mutability: 'readOnly', description: 'The role the user holds, as a Group.' },
    ),
  ]),
});

/** The enterprise User extension (RFC 7643 §4.3). */
export const ENTERPRISE_USER_SCHEMA: SchemaDefinition = Object.freeze({
  id: URN.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: Object.freeze([
    attribute('employeeNumber', 'string'),
    attribute('costCenter', 'string'),
    attribute('organization', 'string'),
    attribute('division', 'string'),
    attribute('department', 'string'),
    complex('manager', [
      attribute('value', 'string', { caseExact: true, description: 'The id of the manager in Roster.' }),
      attribute('$ref', 'reference', { mutability: 'readOnly', referenceTypes: ['User'] }),
      attribute('displayName', 'string', { mutability: 'readOnly' }),
    ]),
  ]),
});

/** Roster's teams extension: team membership matched by exact team name. */
export const TEAMS_USER_SCHEMA: SchemaDefinition = Object.freeze({
  id: URN.teamsUser,
  name: 'Teams',
  description: 'Team assignments of a user, matched to Roster teams by exact name.',
  attributes: Object.freeze([
    attribute('teams', 'string', {
      multiValued: true,
      caseExact: true,
      maxItems: MAX_TEAMS,
      description: 'Names of the teams the user belongs to; each must exist in the workspace.',
    }),
  ]),
});
