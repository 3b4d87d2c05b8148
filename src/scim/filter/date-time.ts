/**
 * dateTime values in filters (RFC 7643 §2.3.5, xsd:dateTime; compared per RFC 7644 §3.4.2.2).
 *
 * Accepts `YYYY-MM-DDThh:mm[:ss[.fff…]][Z|±hh[:mm]]` (also `t`/`z`, or a space for `T`) and a
 * bare date `YYYY-MM-DD` (midnight). A missing offset means UTC, so results never depend on the
 * server's time zone. Fields are range-checked (no 30 February, no hour 24) rather than left to
 * `Date`, which rolls them over.
 */

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const daysInMonth = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0));

/**
 * Normalises a dateTime string to `Date.prototype.toISOString()` form (UTC, milliseconds), or
 * returns undefined when it is not a valid date-time.
 */
export function normaliseDateTime(text: string): string | undefined {
  if (text.length > 40) return undefined;
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, milliseconds);
  return date.toISOString();
}
