import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logInput } from '../../../test/support/log-entries.js';
import { newId } from '../ids.js';
import { generateToken, TOKEN_PREFIX } from '../integrations/tokens.js';
import type { ProvisioningLogEntry } from '../model.js';
import {
  boundText,
  cleanText,
  LOG_FIELD_LIMITS,
  REDACTED,
  recordableEntry,
  redactSecrets,
  redactUrl,
  SECRET_PARAMETERS,
} from './log-redaction.js';

type LogInput = Omit<ProvisioningLogEntry, 'id'>;

/** Any UTF-16 code unit: NUL, other controls and lone surrogates included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const anyText = fc.string({
  unit: fc.oneof(anyUnit, fc.constantFrom('\0', '\ud800', '\udc00', '\u001b', '\n', '%', '_', '=', '&', '?', '/')),
});
/** Text that may be part of a URL. */
const urlText = fc.string({ unit: fc.constantFrom(...'abcXYZ019_-.~%+/?&=;#'.split('')) });

/** A Roster secret: a real SCIM token, or a secret of some later kind (`roster_key_…`). */
const rosterSecret = fc.oneof(
  fc.uuid().map((workspaceId) => generateToken(workspaceId)),
  fc
    .tuple(
      fc.constantFrom('scim', 'key', 'api', 'webhook'),
      fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'.split('')), minLength: 16 }),
    )
    .map(([kind, secret]) => `roster_${kind}_${secret}`),
);

/** `text` with each character percent-encoded, or not, as `encode` says; `%` itself is always encoded. */
const percentEncoded = (text: string, encode: boolean[]) =>
  [...text].map((c, i) => (encode[i % encode.length] || c === '%' ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c)).join('');

/** Decodes `%XX` sequences (bytes as Latin-1) until nothing changes: how a determined reader would. */
const decodedFully = (text: string) => {
  let current = text;
  for (;;) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (next === current) return current;
    current = next;
  }
};

const input = (overrides: Partial<LogInput> = {}): LogInput =>
  logInput(newId(), Date.now(), { traceId: '3692516e-0b8e-4afd-9faf-c9baf480422e', ...overrides });

const textsOf = (entry: LogInput): string[] => [
  entry.traceId,
  entry.method,
  entry.path,
  entry.resourceId ?? '',
  entry.detail ?? '',
  ...entry.warnings,
];

describe('issue 13 defect 10: redacting secrets from provisioning-log paths', () => {
  it('redacts the value of each credential-named query parameter, whatever the case of its name', () => {
    expect(redactUrl('/scim/v2/Users?access_token=abc')).toBe(`/scim/v2/Users?access_token=${REDACTED}`);
    expect(redactUrl('/scim/v2/Users?count=2&Access_Token=abc&startIndex=3')).toBe(
      `/scim/v2/Users?count=2&Access_Token=${REDACTED}&startIndex=3`,
    );
    for (const name of SECRET_PARAMETERS) {
      expect(redactUrl(`/scim/v2/Users?${name.toUpperCase()}=v&x=1`)).toBe(`/scim/v2/Users?${name.toUpperCase()}=${REDACTED}&x=1`);
    }
    // A name percent-encoded or form-encoded is the same name to a query parser.
    expect(redactUrl('/x?access%5Ftoken=abc')).toBe(`/x?access%5Ftoken=${REDACTED}`);
    expect(redactUrl('/x?client%255Fsecret=abc;password=pw')).toBe(`/x?client%255Fsecret=${REDACTED};password=${REDACTED}`);
    // Names that merely contain a secret name, and bare names, keep their values.
    expect(redactUrl('/x?tokens=1&mytoken=2&token&codes=3')).toBe('/x?tokens=1&mytoken=2&token&codes=3');
  });

  it('redacts Roster secrets anywhere in the URL or in text: plain, percent-encoded, any prefix case, any roster_<kind>_', () => {
    const token = generateToken(newId());
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(redactUrl(`/scim/v2/Users/${token}`)).toBe(`/scim/v2/Users/${REDACTED}`);
    expect(redactUrl(`/scim/v2/Users?filter=userName%20eq%20%22${token}%22&count=1`)).toBe(`/scim/v2/Users?filter=${REDACTED}&count=1`);
    expect(redactUrl(`/scim/v2/Users?x=${token.replaceAll('_', '%5F')}`)).toBe(`/scim/v2/Users?x=${REDACTED}`);
    expect(redactUrl(`/scim/v2/Users?x=${token.replaceAll('_', '%255F')}`)).toBe(`/scim/v2/Users?x=${REDACTED}`);
    expect(redactUrl(`/scim/v2/Users?x=${token.replace('roster_scim_', 'ROSTER_Scim_')}`)).toBe(`/scim/v2/Users?x=${REDACTED}`);
    expect(redactUrl('/scim/v2/Users?key=roster_key_0123456789abcdef')).toBe(`/scim/v2/Users?key=${REDACTED}`);
    expect(redactSecrets(`no resource with id '${token}'`)).toBe(`no resource with id '${REDACTED}'`);
    // Text without a Roster secret is kept as it is.
    expect(redactUrl('/scim/v2/Users?filter=userName%20eq%20%22roster%22&attributes=userName')).toBe(
      '/scim/v2/Users?filter=userName%20eq%20%22roster%22&attributes=userName',
    );
  });

  it('property: the redacted URL never contains a secret that was in it, plain or percent-encoded', () => {
    fc.assert(
      fc.property(
        urlText,
        rosterSecret,
        urlText,
        fc.array(fc.boolean(), { minLength: 1 }),
        fc.boolean(),
        (before, secret, after, encode, encoded) => {
          const url = `/scim/v2/${before}${encoded ? percentEncoded(secret, encode) : secret}${after}`;
          const redacted = redactUrl(url);
          expect(redacted).not.toContain(secret);
          expect(decodedFully(redacted)).not.toContain(secret);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: no stored field of an entry contains a secret that was in the request, whatever surrounds it', () => {
    fc.assert(
      fc.property(anyText, rosterSecret, anyText, (before, secret, after) => {
        const text = `${before}${secret}${after}`;
        const entry = recordableEntry(
          input({ path: `/scim/v2/Users/${text}`, resourceId: text, detail: text, warnings: [before, text, after] }),
        );
        for (const field of textsOf(entry)) expect(field).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  it('property: the value of a credential-named parameter never survives, wherever the parameter stands', () => {
    const caseOf = (name: string, upper: boolean[]) => [...name].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c)).join('');
    const value = fc.string({ unit: fc.constantFrom(...'abcXYZ019_-.~%+/?='.split('')), minLength: 12 });
    fc.assert(
      fc.property(
        urlText,
        fc.constantFrom(...SECRET_PARAMETERS),
        fc.array(fc.boolean(), { minLength: 1 }),
        value,
        fc.constantFrom('&', ';'),
        urlText,
        (before, name, upper, secret, separator, after) => {
          fc.pre(!before.includes(secret) && !after.includes(secret));
          const url = `/scim/v2/Users?${before}&${caseOf(name, upper)}=${secret}${separator}${after.replace(/^[^&;]*/, '')}`;
          const redacted = redactUrl(url);
          expect(redacted).toContain(`&${caseOf(name, upper)}=${REDACTED}`);
          expect(redacted).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a URL without secrets or credential parameters is kept as sent', () => {
    const plainName = fc
      .string({ unit: fc.constantFrom(...'abcdefgxyz_'.split('')), minLength: 1 })
      .filter((n) => !SECRET_PARAMETERS.has(n));
    const plainValue = fc.string({ unit: fc.constantFrom(...'abcXYZ019_-.~%+'.split('')) }).filter((v) => !/roster/i.test(decodedFully(v)));
    fc.assert(
      fc.property(fc.array(fc.tuple(plainName, plainValue)), (parameters) => {
        const url = `/scim/v2/Users?${parameters.map(([n, v]) => `${n}=${v}`).join('&')}`;
        expect(redactUrl(url)).toBe(url);
      }),
    );
  });
});

describe('issue 13 defect 1: cleaning and bounding what the provisioning log stores', () => {
  it('replaces NUL, other control characters and lone surrogates with U+FFFD, keeping valid pairs', () => {
    expect(cleanText('a\0b\u001b[31mc\nd\u0085e')).toBe('a\ufffdb\ufffd[31mc\ufffdd\ufffde');
    expect(cleanText('x\ud800y\udc00z\ud83d\ude00')).toBe('x\ufffdy\ufffdz\ud83d\ude00');
  });

  it('property: cleaned text holds no control character nor lone surrogate, and has the same length', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const cleaned = cleanText(text);
        expect(cleaned).not.toMatch(/[\p{Cc}\p{Cs}]/u);
        expect(cleaned).toHaveLength(text.length);
        expect(Buffer.from(cleaned, 'utf8').toString('utf8')).toBe(cleaned);
      }),
      { numRuns: 500 },
    );
  });

  it('property: bounding never splits a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '𝄞') }), fc.integer({ min: 1, max: 40 }), (text, max) => {
        const bounded = boundText(text, max);
        expect(bounded).not.toMatch(/\p{Cs}/u);
        expect(bounded.length).toBeLessThanOrEqual(max + 1);
      }),
    );
  });

  it('property: every field of a recorded entry is clean and bounded, whatever the client sent', () => {
    const long = fc.string({ unit: anyUnit, maxLength: 5000 });
    fc.assert(
      fc.property(long, long, long, fc.array(long, { maxLength: 150 }), (path, resourceId, detail, warnings) => {
        const entry = recordableEntry(input({ path, resourceId, detail, warnings }));
        for (const field of textsOf(entry)) expect(field).not.toMatch(/[\p{Cc}\p{Cs}]/u);
        expect(entry.path.length).toBeLessThanOrEqual(LOG_FIELD_LIMITS.path + 1);
        expect((entry.detail as string).length).toBeLessThanOrEqual(LOG_FIELD_LIMITS.detail + 1);
        // The (workspace_id, resource_id) index row must stay under PostgreSQL's 2704-byte B-tree limit.
        expect(Buffer.byteLength(entry.resourceId as string, 'utf8')).toBeLessThanOrEqual(1000);
        expect(entry.warnings.length).toBeLessThanOrEqual(LOG_FIELD_LIMITS.warnings + 1);
        for (const warning of entry.warnings) expect(warning.length).toBeLessThanOrEqual(LOG_FIELD_LIMITS.warning + 1);
      }),
      { numRuns: 50 },
    );
  });

  it('keeps an ordinary entry as it is', () => {
    const entry = input({
      path: '/scim/v2/Users/01890000-0000-7000-8000-000000000000?attributes=userName',
      status: 400,
      resourceId: '01890000-0000-7000-8000-000000000000',
      detail: "timezone 'Mars/Olympus' is not a known time zone",
      warnings: ["ignored unknown attribute 'password'", 'Zoë’s naïve café 😀'],
    });
    expect(recordableEntry(entry)).toStrictEqual(entry);
  });
});
