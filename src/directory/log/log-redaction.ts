import type { ProvisioningLogEntry } from '../model.js';

/**
 * What the provisioning log may keep of what a client sent (issue 13, defects 1 and 10).
 *
 * Every text field of an entry is **cleaned** (nothing a database column or a terminal chokes
 * on), **redacted** (no Roster secret, no credential-looking query parameter) and **bounded**.
 * Cleaning comes first, so a control character cannot hide a secret from the redaction, and
 * bounding comes last, so a cut cannot leave a secret behind that the redaction would have caught.
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]';

/** Query parameters whose value is a credential, compared ignoring case once percent-decoded. */
export const SECRET_PARAMETERS: ReadonlySet<string> = new Set([
  'access_token',
  'token',
  'code',
  'client_secret',
  'id_token',
  'refresh_token',
  'password',
]);

/**
 * Roster's secrets are `roster_<kind>_<secret>`: `roster_scim_…` bearer tokens today, and any
 * later kind (`roster_key_…`) the same way. Matched in any letter case: a client that changes the
 * case of the prefix still leaks the secret part.
 */
const ROSTER_SECRET = /roster_[a-z0-9-]+_/i;

/**
 * A run of the characters a secret can be written with: its own alphabet (base64url) and `%`,
 * for a secret sent percent-encoded (`roster%5Fscim%5F…`), even several times over. Separators
 * (`/ ? & = ;`, spaces, quotes) end a run, so a secret always lies within one run.
 */
const SECRET_ALPHABET_RUN = /[A-Za-z0-9_%-]+/g;

/** Percent-decoding rounds tried before a run that still changes is treated as a secret. */
const MAX_DECODING_ROUNDS = 16;

/**
 * Control characters (C0, DEL, C1: Unicode category Cc) and lone UTF-16 surrogates (category Cs
 * in a `u` regex, which reads a valid pair as one code point).
 */
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Cs}]/gu;

/** Longest kept text of each field, in UTF-16 code units (one unit is at most 3 bytes of UTF-8). */
export const LOG_FIELD_LIMITS = {
  path: 2000,
  detail: 2000,
  errorCode: 100,
  /** Indexed with the workspace id: 256 units stay far below PostgreSQL's 2704-byte B-tree row limit. */
  resourceId: 256,
  traceId: 100,
  method: 32,
  warning: 1000,
  warnings: 100,
} as const;

/**
 * Replaces what no database text column or terminal should receive: NUL (PostgreSQL text cannot
 * hold it), the other control characters (a newline or an escape sequence would forge or hide lines
 * in `roster log`) and lone surrogates (not Unicode, so not UTF-8). Each becomes U+FFFD.
 */
export function cleanText(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, '\ufffd');
}

/** Cuts `text` to `max` code units, never inside a surrogate pair, marking the cut with `…`. */
export function boundText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

/** Whether a run of secret-alphabet characters is, or decodes to, something holding a Roster secret. */
function holdsSecret(run: string): boolean {
  let text = run;
  for (let round = 0; round < MAX_DECODING_ROUNDS; round++) {
    if (ROSTER_SECRET.test(text)) return true;
    // Byte-wise: the secret alphabet is ASCII, so decoding each %XX alone is enough to find it.
    const decoded = text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (decoded === text) return false;
    text = decoded;
  }
  return true;
}

/** Replaces every Roster secret in free text (plain or percent-encoded) with `[redacted]`. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_ALPHABET_RUN, (run) => (holdsSecret(run) ? REDACTED : run));
}

/**
 * A request URL as the log may show it: the value of each credential-named query parameter
 * (`access_token`, `code`, `password`, …) and every Roster secret anywhere in the path or query
 * become `[redacted]`; everything else is kept as sent.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return redactSecrets(url);
  const parameters = url
    .slice(queryStart + 1)
    .split(/([&;])/)
    .map((part, index) => (index % 2 === 1 ? part : redactParameter(part)));
  return redactSecrets(`${url.slice(0, queryStart)}?${parameters.join('')}`);
}

function redactParameter(parameter: string): string {
  const equals = parameter.indexOf('=');
  if (equals < 0) return parameter;
  const name = parameter.slice(0, equals);
  return SECRET_PARAMETERS.has(decodeName(name).toLowerCase()) ? `${name}=${REDACTED}` : parameter;
}

/** A query parameter name as a form decoder reads it: `+` is a space, `%XX` a byte. */
function decodeName(name: string): string {
  let text = name.replaceAll('+', ' ');
  for (let round = 0; round < MAX_DECODING_ROUNDS && /%[0-9a-f]{2}/i.test(text); round++) {
    text = text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
  return text;
}

/** One free-text field: cleaned, redacted, bounded. */
function safeText(text: string, max: number): string {
  return boundText(redactSecrets(cleanText(text)), max);
}

/**
 * The entry as the log stores it. Whatever the client sent, every field is text a database
 * accepts, holds no secret and has a bounded length, so one request cannot make a write of the
 * log fail nor leak a credential to the workspace's admins.
 */
export function recordableEntry(entry: Omit<ProvisioningLogEntry, 'id'>): Omit<ProvisioningLogEntry, 'id'> {
  const warnings = entry.warnings.slice(0, LOG_FIELD_LIMITS.warnings).map((w) => safeText(w, LOG_FIELD_LIMITS.warning));
  if (entry.warnings.length > LOG_FIELD_LIMITS.warnings) {
    warnings.push(`… ${entry.warnings.length - LOG_FIELD_LIMITS.warnings} more warning(s) not kept`);
  }
  return {
    ...entry,
    traceId: safeText(entry.traceId, LOG_FIELD_LIMITS.traceId),
    method: safeText(entry.method, LOG_FIELD_LIMITS.method),
    path: boundText(redactUrl(cleanText(entry.path)), LOG_FIELD_LIMITS.path),
    resourceId: entry.resourceId === null ? null : safeText(entry.resourceId, LOG_FIELD_LIMITS.resourceId),
    detail: entry.detail === null ? null : safeText(entry.detail, LOG_FIELD_LIMITS.detail),
    errorCode: entry.errorCode === null ? null : safeText(entry.errorCode, LOG_FIELD_LIMITS.errorCode),
    warnings,
  };
}
