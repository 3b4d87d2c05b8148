import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../context.js';
import { registerDirectoryRoutes } from './directory-routes.js';
import { registerIntegrationRoutes } from './integration-routes.js';
import { registerRoleRoutes } from './role-routes.js';
import { registerSsoRoutes } from './sso-routes.js';

/** Every page under /w/:slug/admin; the caller's scope has already required an admin. */
export function registerAdminRoutes(scope: FastifyInstance, context: ConsoleContext): void {
  registerIntegrationRoutes(scope, context);
  registerDirectoryRoutes(scope, context);
  registerRoleRoutes(scope, context);
  registerSsoRoutes(scope, context);
}
