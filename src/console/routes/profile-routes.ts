import type { FastifyInstance } from 'fastify';
import { type ConsoleContext, type SlugRequest, sendPage, viewerOfRequest } from '../context.js';
import { takeFlash } from '../session.js';
import { page } from '../views/layout.js';
import { profileContent } from '../views/profile-views.js';

/** Pages every signed-in user sees. */
export function registerProfileRoutes(scope: FastifyInstance, { directory, config }: ConsoleContext): void {
  scope.get('/w/:slug/profile', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const teams = await directory.users.teamsOf(viewer.workspace, viewer.user);
    const flash = takeFlash(request, reply, config, viewer.workspace.slug);
    return sendPage(reply, page({ title: 'My profile', viewer, section: 'profile', flash }, profileContent(viewer, teams)));
  });
}
