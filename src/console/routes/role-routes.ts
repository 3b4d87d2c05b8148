import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf, attempt, type ConsoleContext, field, type SlugRequest, sendPage, viewerOfRequest } from '../context.js';
import { adminPath } from '../links.js';
import { setFlash, takeFlash } from '../session.js';
import { page } from '../views/layout.js';
import { rolesContent } from '../views/role-views.js';

type ItemRequest = FastifyRequest<{ Params: { slug: string; id: string } }>;

/** Roles (create, rename, permission level, delete) and teams (create, rename, delete). */
export function registerRoleRoutes(scope: FastifyInstance, { directory, config }: ConsoleContext): void {
  const back = (slug: string) => adminPath(slug, 'roles');

  scope.get('/w/:slug/admin/roles', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const [roles, teams] = await Promise.all([directory.roles.overview(viewer.workspace), directory.teams.overview(viewer.workspace)]);
    const flash = takeFlash(request, reply, config, viewer.workspace.slug);
    return sendPage(reply, page({ title: 'Roles and teams', viewer, section: 'roles', flash }, rolesContent(viewer, roles, teams)));
  });

  /** Runs a change and redirects back to the list with its outcome as a flash message. */
  const action = (path: string, work: (request: ItemRequest) => Promise<string>) =>
    scope.post(path, async (request: ItemRequest, reply) => {
      const viewer = viewerOfRequest(request);
      const outcome = await attempt(() => work(request));
      setFlash(
        reply,
        config,
        viewer.workspace.slug,
        outcome.ok ? { kind: 'ok', message: outcome.value } : { kind: 'error', message: outcome.message },
      );
      return reply.redirect(back(viewer.workspace.slug), 303);
    });

  action('/w/:slug/admin/roles', async (request) => {
    const viewer = viewerOfRequest(request);
    const role = await directory.roles.create(
      viewer.workspace.slug,
      field(request.body, 'name'),
      Number(field(request.body, 'level') || '10'),
    );
    return `Created the role '${role.name}'.`;
  });
  action('/w/:slug/admin/roles/:id/rename', async (request) => {
    const role = await directory.roles.renameById(
      viewerOfRequest(request).workspace,
      request.params.id,
      field(request.body, 'name'),
      actorOf(request),
    );
    return `Renamed the role to '${role.name}'. Refresh the groups in your identity provider to see the new name.`;
  });
  action('/w/:slug/admin/roles/:id/level', async (request) => {
    const role = await directory.roles.setLevel(
      viewerOfRequest(request).workspace,
      request.params.id,
      Number(field(request.body, 'level')),
    );
    return `The role '${role.name}' now has permission level ${role.level}.`;
  });
  action('/w/:slug/admin/roles/:id/delete', async (request) => {
    const role = await directory.roles.delete(viewerOfRequest(request).workspace, request.params.id, actorOf(request));
    return `Deleted the role '${role.name}'.`;
  });
  action('/w/:slug/admin/teams', async (request) => {
    const team = await directory.teams.create(viewerOfRequest(request).workspace.slug, field(request.body, 'name'), actorOf(request));
    return `Created the team '${team.name}'.`;
  });
  action('/w/:slug/admin/teams/:id/rename', async (request) => {
    const team = await directory.teams.rename(
      viewerOfRequest(request).workspace,
      request.params.id,
      field(request.body, 'name'),
      actorOf(request),
    );
    return `Renamed the team to '${team.name}'. Identity providers must now send this exact name.`;
  });
  action('/w/:slug/admin/teams/:id/delete', async (request) => {
    const team = await directory.teams.delete(viewerOfRequest(request).workspace, request.params.id, actorOf(request));
    return `Deleted the team '${team.name}'.`;
  });
}
