import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import type { DirectoryStore } from '../../directory/ports.js';
import type { ScimUserService } from '../../directory/scim-users.js';
import { registerBearerAuth } from '../bearer-auth.js';
import { registerDiscoveryRoutes } from './discovery-routes.js';
import { registerUsersRoutes } from './users-routes.js';

export interface ScimRouteDependencies {
  readonly store: DirectoryStore;
  readonly config: Config;
  readonly users: ScimUserService;
}

/** Everything under /scim/v2: discovery is public, resources need the workspace's bearer token. */
export async function registerScimRoutes(scope: FastifyInstance, deps: ScimRouteDependencies): Promise<void> {
  await scope.register(async (publicScope) => registerDiscoveryRoutes(publicScope, deps.config));
  await scope.register(async (privateScope) => {
    registerBearerAuth(privateScope, deps.store);
    registerUsersRoutes(privateScope, deps);
  });
}
