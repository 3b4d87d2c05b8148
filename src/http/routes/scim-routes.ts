import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import type { Directory } from '../../directory/directory.js';
import type { ProvisioningLog } from '../../directory/log/provisioning-log.js';
import { registerBearerAuth } from '../bearer-auth.js';
import { registerProvisioningLog } from '../provisioning-log-hook.js';
import { registerRateLimit } from '../rate-limit.js';
import { registerDiscoveryRoutes } from './discovery-routes.js';
import { registerGroupsRoutes } from './groups-routes.js';
import { registerUsersRoutes } from './users-routes.js';

export interface ScimRouteDependencies {
  readonly directory: Directory;
  readonly config: Config;
  readonly log: ProvisioningLog;
}

/** Everything under /scim/v2: discovery is public, resources need the workspace's bearer token. */
export async function registerScimRoutes(scope: FastifyInstance, deps: ScimRouteDependencies): Promise<void> {
  await scope.register(async (publicScope) => registerDiscoveryRoutes(publicScope, deps.config));
  await scope.register(async (privateScope) => {
    registerProvisioningLog(privateScope, deps.log);
    registerBearerAuth(privateScope, deps.directory);
    await registerRateLimit(privateScope, deps.config);
    registerUsersRoutes(privateScope, deps);
    registerGroupsRoutes(privateScope, deps);
  });
}
