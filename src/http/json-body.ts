import type { FastifyInstance } from 'fastify';
import { ScimError } from '../scim/errors.js';
import { isWellFormed } from '../scim/unicode.js';

/** Deepest JSON nesting accepted in a body; SCIM resources need fewer than ten levels. */
export const MAX_JSON_DEPTH = 32;

/**
 * Parses `application/scim+json` and `application/json` bodies, with or without a charset
 * (RFC 7644 §3.1). Fastify's default parser only knows `application/json`, which is why
 * several SCIM servers dropped Entra's bodies; this one handles both with the same rules.
 */
export function registerJsonParsers(app: FastifyInstance): void {
  // Only JSON bodies: anything else (text/plain included) is 415 Unsupported Media Type.
  app.removeAllContentTypeParsers();
  const parse = (_request: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      const value: unknown = JSON.parse(text);
      checkBody(value);
      done(null, value);
    } catch (error) {
      done(error instanceof ScimError ? error : ScimError.invalidSyntax(`the body is not valid JSON: ${(error as Error).message}`));
    }
  };
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, parse);
}

/**
 * One pass over the parsed body, without recursion (depth can never overflow the stack):
 * - rejects pathologically deep JSON (invalidSyntax);
 * - rejects any string value or member name that is not well-formed Unicode (invalidValue).
 *   JSON may escape a lone surrogate (`"\ud800"`), which no encoding can store: SQLite and
 *   PostgreSQL would each replace it differently, so what a GET returns would not be what the
 *   write acknowledged. Refused here, for every endpoint, before any layer sees the value.
 */
function checkBody(value: unknown): void {
  const stack: Node[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const current = node.value;
    if (typeof current === 'string') {
      if (!isWellFormed(current)) throw notWellFormed(`the string at ${pathOf(node)}`);
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (node.depth > MAX_JSON_DEPTH) throw ScimError.invalidSyntax(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
    const depth = node.depth + 1;
    if (Array.isArray(current)) {
      for (const [index, child] of current.entries()) stack.push({ value: child, depth, parent: node, key: index });
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (!isWellFormed(key)) throw notWellFormed(`a member name in ${pathOf(node)}`);
      stack.push({ value: child, depth, parent: node, key });
    }
  }
}

/** A value met in the walk; the path to it is only spelled out for an error. */
interface Node {
  readonly value: unknown;
  readonly depth: number;
  readonly parent?: Node;
  readonly key?: string | number;
}

/** `Operations[0].value.displayName`, shortened to its last 120 characters; "the top level" for the body itself. */
function pathOf(node: Node): string {
  let path = '';
  for (let at: Node | undefined = node; at?.parent !== undefined && path.length <= 120; at = at.parent) {
    const key = at.key;
    path = typeof key === 'number' ? `[${key}]${path}` : `${at.parent.parent === undefined ? '' : '.'}${String(key)}${path}`;
  }
  if (path === '') return 'the top level';
  if (path.length <= 120) return path;
  const tail = path.slice(-119);
  // Never start the excerpt with the second half of a surrogate pair.
  return `…${/^[\uDC00-\uDFFF]/.test(tail) ? tail.slice(1) : tail}`;
}

function notWellFormed(where: string): ScimError {
  return ScimError.invalidValue(
    `${where} is not well-formed Unicode: it contains a lone surrogate (an unpaired \\uD800-\\uDFFF escape), which cannot be stored`,
  );
}
