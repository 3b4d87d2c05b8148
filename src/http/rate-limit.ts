import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import { ScimError } from '../scim/errors.js';

/**
 * Limits requests per SCIM token, answering 429 with `Retry-After` (Okta and Entra honour it).
 * It runs after authentication, so unauthenticated floods never spend a token's budget, and it
 * is keyed on the authenticated token's id, so every spelling of the `Authorization` header
 * (scheme in any case, extra whitespace) shares the one budget of its token. The
 * counters live in each instance's memory: with several instances the effective limit is the
 * sum, which docs/security.md states.
 */
export async function registerRateLimit(scope: FastifyInstance, config: Config): Promise<void> {
  if (config.rateLimit.max === 0) return;
  await scope.register(rateLimit, {
    hook: 'preHandler',
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: (request) => `scim-token:${request.scimTokenId}`,
    errorResponseBuilder: (_request, context) =>
      new ScimError('rateLimited', `more than ${context.max} requests in ${context.after}; retry after the Retry-After delay`),
  });
}
