/**
 * Whether a string is well-formed Unicode: no lone (unpaired) surrogate code unit. JSON and the
 * filter syntax can both spell one as a `\uD800`-style escape, but no Unicode encoding can hold it:
 * SQLite and PostgreSQL would each store a different replacement, so such strings are refused
 * wherever they enter (request bodies, filters, PATCH paths) instead of being stored.
 * `String.prototype.isWellFormed` is ES2024 and in Node 20; the TypeScript target here is ES2022.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Whether text can be stored as given on both engines: well-formed, and no NUL (PostgreSQL's text cannot hold one). */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && isWellFormed(text);
}

/**
 * Whether parsed input (query, path parameters, a form body) holds only storable text, in member
 * names and values, to a depth of 8. The API and the console refuse any other input before a route
 * sees it: 400, never stored, never compared.
 */
export function isStorableInput(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return true;
  return Object.entries(value).every(([key, item]) => isStorableText(key) && isStorableInput(item, depth + 1));
}
