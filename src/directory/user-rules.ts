import { DirectoryError } from './errors.js';

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
