import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StatusFilter } from '../../directory/users/user-directory.js';
import { type ConsoleContext, queryText, type SlugRequest, sendPage, viewerOfRequest } from '../context.js';
import { html } from '../html.js';
import { adminPath } from '../links.js';
import { takeFlash } from '../session.js';
import { logContent, seatsContent } from '../views/admin-views.js';
import { page } from '../views/layout.js';
import { userDetailContent, usersContent } from '../views/user-views.js';

const PAGE_SIZE = 50;
/** Far past any workspace's last page; keeps the offset a small integer on both engines. */
const MAX_PAGE = 100_000;
const LOG_LIMIT = 200;

/** Read-only admin pages: users, a user, seats and the provisioning log. */
export function registerDirectoryRoutes(scope: FastifyInstance, { directory, config }: ConsoleContext): void {
  scope.get('/w/:slug/admin', async (request: SlugRequest, reply) => reply.redirect(adminPath(request.params.slug, 'integrations'), 303));

  scope.get('/w/:slug/admin/users', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const requestedStatus = queryText(request.query, 'status');
    const status: StatusFilter = requestedStatus === 'active' || requestedStatus === 'inactive' ? requestedStatus : 'all';
    const requested = Number.parseInt(queryText(request.query, 'page') || '1', 10);
    const query = {
      text: queryText(request.query, 'q'),
      status,
      page: Number.isFinite(requested) && requested > 0 ? Math.min(requested, MAX_PAGE) : 1,
      pageSize: PAGE_SIZE,
    };
    const result = await directory.users.search(viewer.workspace, query);
    const flash = takeFlash(request, reply, config, viewer.workspace.slug);
    return sendPage(reply, page({ title: 'Users', viewer, section: 'users', flash }, usersContent(viewer, result, query)));
  });

  scope.get('/w/:slug/admin/users/:id', async (request: FastifyRequest<{ Params: { slug: string; id: string } }>, reply) => {
    const viewer = viewerOfRequest(request);
    const entry = await directory.users.entry(viewer.workspace, request.params.id);
    if (!entry)
      return sendPage(
        reply,
        page(
          { title: 'Not found', viewer, section: 'users' },
          html`<h1>Not found</h1><p class="refusal">There is no such user in this workspace.</p>`,
        ),
        404,
      );
    return sendPage(reply, page({ title: entry.user.userName, viewer, section: 'users' }, userDetailContent(viewer, entry)));
  });

  scope.get('/w/:slug/admin/seats', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    return sendPage(reply, page({ title: 'Seats', viewer, section: 'seats' }, seatsContent(await directory.users.seats(viewer.workspace))));
  });

  scope.get('/w/:slug/admin/log', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const form = {
      status: queryText(request.query, 'status'),
      user: queryText(request.query, 'user'),
      trace: queryText(request.query, 'trace'),
    };
    const { entries, userIds, unknownUser } = await directory.log.search(viewer.workspace, { ...form, limit: LOG_LIMIT });
    const note = unknownUser ? `No user '${form.user}' in this workspace; showing entries whose resource id is exactly that.` : undefined;
    return sendPage(reply, page({ title: 'Provisioning log', viewer, section: 'log' }, logContent(viewer, entries, form, userIds, note)));
  });
}
