import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from './api-plugin.js';
import { ERROR_RESPONSES, slugParams } from './schemas.js';

type SlugRequest = FastifyRequest<{ Params: { slug: string } }>;

interface UsersQuerystring {
  limit: number;
  cursor?: string;
  active?: boolean;
  role?: string;
  team?: string;
  q?: string;
}

const list = (items: object, summary: string, extra: object = {}) => ({
  summary,
  tags: ['directory'],
  ...extra,
  response: {
    200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items } } },
    ...ERROR_RESPONSES,
  },
});

const usersSchema = {
  summary: "A page of a workspace's users, in a stable order",
  tags: ['directory'],
  params: slugParams,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      cursor: { type: 'string', maxLength: 200 },
      active: { type: 'boolean' },
      role: { type: 'string', maxLength: 100, description: 'A role id or name' },
      team: { type: 'string', maxLength: 100, description: 'A team id or exact name' },
      q: { type: 'string', maxLength: 100, description: 'A prefix of the user name or email, or of a given or family name' },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['data', 'next'],
      properties: { data: { type: 'array', items: { $ref: 'AppUser#' } }, next: { type: ['string', 'null'] } },
    },
    ...ERROR_RESPONSES,
  },
} as const;

/** GET /api/v1/workspaces and each workspace's users, roles and teams (docs/api.md). */
export function registerWorkspaceRoutes(scope: FastifyInstance, { directory }: ApiContext): void {
  scope.get('/workspaces', { schema: list({ $ref: 'Workspace#' }, 'The workspaces the key may read') }, async (request) => ({
    data: await directory.app.workspaces(request.apiCaller),
  }));

  scope.get(
    '/workspaces/:slug/users',
    { schema: usersSchema },
    async (request: FastifyRequest<{ Params: { slug: string }; Querystring: UsersQuerystring }>) => {
      const workspace = await directory.app.workspace(request.apiCaller, request.params.slug);
      return directory.app.users(workspace, request.query);
    },
  );

  scope.get(
    '/workspaces/:slug/users/:id',
    {
      schema: {
        summary: 'One user',
        tags: ['directory'],
        params: {
          type: 'object',
          required: ['slug', 'id'],
          properties: { slug: { type: 'string', maxLength: 63 }, id: { type: 'string', maxLength: 200 } },
        },
        response: { 200: { $ref: 'AppUser#' }, ...ERROR_RESPONSES },
      },
    },
    async (request: FastifyRequest<{ Params: { slug: string; id: string } }>) => {
      const workspace = await directory.app.workspace(request.apiCaller, request.params.slug);
      return directory.app.user(workspace, request.params.id);
    },
  );

  scope.get(
    '/workspaces/:slug/roles',
    { schema: list({ $ref: 'Role#' }, "The workspace's roles", { params: slugParams }) },
    async (request: SlugRequest) => ({
      data: await directory.app.roles(await directory.app.workspace(request.apiCaller, request.params.slug)),
    }),
  );

  scope.get(
    '/workspaces/:slug/teams',
    { schema: list({ $ref: 'NamedRef#' }, "The workspace's teams", { params: slugParams }) },
    async (request: SlugRequest) => ({
      data: await directory.app.teams(await directory.app.workspace(request.apiCaller, request.params.slug)),
    }),
  );
}
