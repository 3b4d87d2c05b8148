import type { FastifyInstance } from 'fastify';
import { ScimError } from '../scim/errors.js';

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
      checkDepth(value);
      done(null, value);
    } catch (error) {
      done(error instanceof ScimError ? error : ScimError.invalidSyntax(`the body is not valid JSON: ${(error as Error).message}`));
    }
  };
  app.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, parse);
}

/** Rejects pathologically deep JSON without recursion, so depth can never overflow the stack. */
function checkDepth(value: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_JSON_DEPTH) throw ScimError.invalidSyntax(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
}
