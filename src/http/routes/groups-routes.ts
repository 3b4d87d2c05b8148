import type { FastifyInstance } from 'fastify';
import { ScimError } from '../../scim/errors.js';
import { GROUP_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { noteResult } from '../provisioning-log-hook.js';
import { type IdRequest, sendResource } from '../scim-reply.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { registerReadRoutes } from './read-routes.js';
import type { ScimRouteDependencies } from './scim-routes.js';

/** The /Groups endpoint: roles, readable and assignable, never created or deleted over SCIM. */
export function registerGroupsRoutes(scope: FastifyInstance, { config, directory }: ScimRouteDependencies): void {
  const groups = directory.scimGroups;
  const context = registerReadRoutes(scope, config, GROUP_RESOURCE_TYPE, groups);
  scope.patch('/Groups/:id', async (request: IdRequest, reply) => {
    noteResult(request, await groups.patch(context(request), request.params.id, request.body));
    return reply.code(204).send();
  });
  scope.put('/Groups/:id', async (request: IdRequest, reply) => {
    const result = await groups.replace(context(request), request.params.id, request.body);
    noteResult(request, result);
    return sendResource(reply, result.resource);
  });
  scope.post('/Groups', async () => {
    throw new ScimError(
      'operationRefused',
      'roles are created in Roster, not over SCIM: link your IdP group to an existing role with the same name',
    );
  });
  refuseOtherMethods(scope, '/Groups', ['GET', 'POST']);
  refuseOtherMethods(scope, '/Groups/.search', ['POST']);
  refuseOtherMethods(scope, '/Groups/:id', ['GET', 'PUT', 'PATCH', 'DELETE']);
  scope.delete('/Groups/:id', async () => {
    throw new ScimError('operationRefused', 'roles are deleted in Roster, not over SCIM: unlink the group in your IdP instead');
  });
}
