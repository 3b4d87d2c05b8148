import type { FastifyInstance, HTTPMethods } from 'fastify';
import { ScimError } from '../../scim/errors.js';

const ALL: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Answers 405 with an `Allow` header for the methods a known SCIM path does not offer. */
export function refuseOtherMethods(scope: FastifyInstance, url: string, allowed: readonly HTTPMethods[]): void {
  const others = ALL.filter((m) => !allowed.includes(m));
  if (others.length === 0) return;
  scope.route({
    method: others,
    url,
    handler: async (request, reply) => {
      reply.header('allow', allowed.join(', '));
      throw new ScimError('methodNotAllowed', `${request.method} is not supported on ${url}; use ${allowed.join(', ')}`);
    },
  });
}
