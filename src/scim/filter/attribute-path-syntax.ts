/**
 * Syntax of an attribute path (RFC 7644 §3.4.2.2 ABNF, also used by PATCH paths in §3.5.2):
 *
 *     attrPath = [URI ":"] ATTRNAME *1subAttr
 *     subAttr  = "." ATTRNAME
 *     ATTRNAME = ALPHA *(nameChar)      nameChar = "-" / "_" / DIGIT / ALPHA
 *
 * `$ref` is accepted as a name too (RFC 7643 §2.1 uses it for reference sub-attributes).
 * Only the syntax is checked here; whether the path names a known attribute is the resolver's
 * job. Checks are character loops: linear, no backtracking.
 */

const isAlpha = (code: number) => (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

/** True for an ATTRNAME (or `$ref`-style name). */
export function isAttributeName(name: string): boolean {
  if (name.length === 0) return false;
  let i = 0;
  if (name.charCodeAt(0) === 0x24) i = 1; // "$"
  if (i >= name.length || !isAlpha(name.charCodeAt(i))) return false;
  for (i++; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (!isAlpha(code) && !isDigit(code) && code !== 0x2d && code !== 0x5f) return false;
  }
  return true;
}

/** Characters a URI may contain (RFC 3986 reserved, unreserved and `%`). */
const isUriChar = (code: number) =>
  isAlpha(code) || isDigit(code) || (code > 0x20 && code < 0x7f && "-._~:/?#@!$&'()*+,;=%".includes(String.fromCharCode(code)));

/** A URI prefix such as `urn:ietf:params:scim:schemas:core:2.0:User`: scheme ":" rest. */
function isUriPrefix(uri: string): boolean {
  if (uri.length === 0 || !isAlpha(uri.charCodeAt(0))) return false;
  let i = 1;
  for (; i < uri.length; i++) {
    const code = uri.charCodeAt(i);
    if (code === 0x3a) break;
    if (!isAlpha(code) && !isDigit(code) && code !== 0x2b && code !== 0x2d && code !== 0x2e) return false;
  }
  if (i >= uri.length - 1) return false; // no scheme separator, or nothing after it
  for (; i < uri.length; i++) if (!isUriChar(uri.charCodeAt(i))) return false;
  return true;
}

/**
 * Checks an attribute path. Returns undefined when it is well formed, otherwise a short
 * description of the problem for an error detail.
 */
export function attributePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'the attribute path is empty';
  const colon = path.lastIndexOf(':');
  let names = path;
  if (colon !== -1) {
    if (!isUriPrefix(path.slice(0, colon))) return 'the schema URI before the attribute name is malformed';
    names = path.slice(colon + 1);
  }
  const dot = names.indexOf('.');
  const name = dot === -1 ? names : names.slice(0, dot);
  const sub = dot === -1 ? undefined : names.slice(dot + 1);
  if (!isAttributeName(name) || (sub !== undefined && !isAttributeName(sub))) {
    if (path.includes('+')) {
      return "'+' is not allowed in an attribute path; separate the parts of a filter with spaces";
    }
    return 'attribute names start with a letter and contain only letters, digits, "-" and "_", with at most one ".sub-attribute"';
  }
  return undefined;
}
