import type { FastifyInstance } from 'fastify';
import { USER_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { noteResult } from '../provisioning-log-hook.js';
import { type IdRequest, sendResource } from '../scim-reply.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { registerReadRoutes } from './read-routes.js';
import type { ScimRouteDependencies } from './scim-routes.js';

/** The /Users endpoint (RFC 7644 §3). */
export function registerUsersRoutes(scope: FastifyInstance, { config, directory }: ScimRouteDependencies): void {
  const users = directory.scimUsers;
  const context = registerReadRoutes(scope, config, USER_RESOURCE_TYPE, users);
  scope.post('/Users', async (request, reply) => {
    const result = await users.create(context(request), request.body);
    noteResult(request, result);
    return sendResource(reply, result.resource, 201);
  });
  scope.put('/Users/:id', async (request: IdRequest, reply) => {
    const result = await users.replace(context(request), request.params.id, request.body);
    noteResult(request, result);
    return sendResource(reply, result.resource);
  });
  scope.patch('/Users/:id', async (request: IdRequest, reply) => {
    const result = await users.patch(context(request), request.params.id, request.body);
    noteResult(request, result);
    return sendResource(reply, result.resource);
  });
  scope.delete('/Users/:id', async (request: IdRequest, reply) => {
    await users.delete(context(request), request.params.id);
    return reply.code(204).send();
  });
  refuseOtherMethods(scope, '/Users', ['GET', 'POST']);
  refuseOtherMethods(scope, '/Users/.search', ['POST']);
  refuseOtherMethods(scope, '/Users/:id', ['GET', 'PUT', 'PATCH', 'DELETE']);
}
