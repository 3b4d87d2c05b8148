import { DirectoryError } from '../errors.js';
import type { UserProfile, Workspace } from '../model.js';
import { accountEmail } from './user-resource.js';

/** Languages the app supports; any other `de-*` or `en-*` tag maps onto these. */
export const SUPPORTED_LANGUAGES = ['de-DE', 'en-GB'] as const;

/**
 * Maps an IdP language tag to a supported one. Returns the fallback and a warning for the
 * provisioning log when the language is not German or English.
 */
export function normalizeLanguage(tag: string, fallback: string): { language: string; warning?: string } {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'de') return { language: 'de-DE' };
  if (primary === 'en') return { language: 'en-GB' };
  return {
    language: fallback,
    warning: `preferredLanguage '${tag}' is not supported; used the workspace default '${fallback}'`,
  };
}

const zoneCache = new Map<string, boolean>();

/**
 * Checks an IANA time zone name with the runtime's ICU data (RFC 7643 §4.1.1 `timezone`). The
 * name is stored as sent: IdPs expect their values back unchanged, and ICU's canonical form
 * would turn Asia/Kolkata into the older Asia/Calcutta.
 */
export function checkTimezone(zone: string): string {
  let valid = zoneCache.get(zone);
  if (valid === undefined) {
    valid = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone);
    if (valid) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
      } catch {
        valid = false;
      }
    }
    if (zoneCache.size < 10_000) zoneCache.set(zone, valid);
  }
  if (!valid) throw new DirectoryError('invalidValue', `timezone '${zone}' is not an IANA time zone name (for example Europe/Berlin)`);
  return zone;
}

/** Longest userName, externalId or email/phone value accepted; all are indexed. */
export const MAX_KEY_LENGTH = 512;

/**
 * The workspace's rules on a profile an IdP sent: the language mapped onto a supported one (with
 * a warning for the provisioning log), the time zone checked, indexed values bounded, and an
 * account email found (userName when it is an address, else a work email). Refuses with
 * `invalidValue` otherwise.
 */
export function settleProfile(
  profile: UserProfile,
  workspace: Workspace,
  warnings: string[],
): { readonly adjusted: UserProfile; readonly email: string } {
  let adjusted = profile;
  if (adjusted.preferredLanguage !== undefined) {
    const { language, warning } = normalizeLanguage(adjusted.preferredLanguage, workspace.defaultLanguage);
    adjusted = { ...adjusted, preferredLanguage: language };
    if (warning) warnings.push(warning);
  }
  if (adjusted.timezone !== undefined) adjusted = { ...adjusted, timezone: checkTimezone(adjusted.timezone) };
  const keys: (readonly [string, string | undefined])[] = [
    ['userName', adjusted.userName],
    ['externalId', adjusted.externalId],
    ...(['emails', 'phoneNumbers', 'addresses'] as const).flatMap((kind) =>
      adjusted.contacts[kind].map((c, i) => [`${kind}[${i}].value`, c.value] as const),
    ),
  ];
  for (const [name, value] of keys) {
    // Indexed columns: PostgreSQL's B-tree rows hold about 2.7 kB, and no IdP needs more than this.
    if (value !== undefined && value.length > MAX_KEY_LENGTH) {
      throw new DirectoryError('invalidValue', `'${name}' is ${value.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`);
    }
  }
  const email = accountEmail(adjusted);
  if (!email) {
    throw new DirectoryError(
      'invalidValue',
      `user '${adjusted.userName}' needs an email: userName is not an email address and no work email was given`,
    );
  }
  return { adjusted, email };
}
