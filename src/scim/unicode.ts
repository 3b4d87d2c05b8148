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
