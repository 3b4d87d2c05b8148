import type { FastifyInstance, FastifyRequest } from 'fastify';
import { eventJson } from '../directory/events/event-model.js';
import type { EventQuery, EventsPage } from '../directory/events/event-reading.js';
import type { ApiContext } from './api-plugin.js';
import { ERROR_RESPONSES } from './schemas.js';

interface EventsQuerystring {
  after?: string;
  limit: number;
  workspace?: string;
  types?: string;
  wait: number;
}

const eventsSchema = {
  summary: 'Directory events after a cursor, oldest first (long-polls with wait)',
  tags: ['events'],
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      after: {
        type: 'string',
        maxLength: 200,
        description:
          'The `next` of an earlier page; `latest`: no events, only the cursor after the newest one (with `wait`, the next event); without it, from the oldest retained event.',
      },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      workspace: { type: 'string', maxLength: 63, description: "One workspace's events (instance keys); a workspace key reads its own." },
      types: { type: 'string', maxLength: 1000, description: 'Comma-separated types and globs, e.g. user.*,role.created' },
      wait: { type: 'integer', minimum: 0, maximum: 30, default: 0, description: 'Seconds to wait for an event when there is none.' },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['data', 'next', 'hasMore'],
      properties: { data: { type: 'array', items: { $ref: 'Event#' } }, next: { type: 'string' }, hasMore: { type: 'boolean' } },
    },
    410: { $ref: 'Error#' },
    ...ERROR_RESPONSES,
  },
} as const;

/**
 * GET /api/v1/events: pages of numbered events (docs/api.md). Events are sent as the text the
 * directory builds around their stored JSON (`eventJson`), not parsed and serialised again.
 * Long-polls end when the app closes, so a shutdown does not wait for them.
 */
export function registerEventRoutes(scope: FastifyInstance, { directory }: ApiContext): void {
  const waiting = new Set<() => void>();
  scope.addHook('preClose', async () => {
    for (const wake of waiting) wake();
  });
  scope.get('/events', { schema: eventsSchema }, async (request: FastifyRequest<{ Querystring: EventsQuerystring }>, reply) => {
    const { after, limit, types, wait } = request.query;
    const caller = request.apiCaller;
    const slug = request.query.workspace;
    const workspace = slug === undefined ? caller.workspace : await directory.app.workspace(caller, slug);
    const query: EventQuery = {
      ...(workspace ? { workspace } : {}),
      ...(after !== undefined ? { after } : {}),
      limit,
      ...(types !== undefined
        ? {
            types: types
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : {}),
    };
    // Long-poll: until an event passes the types filter, the time is up, or the server closes
    // (events of other types move the cursor, not the answer). The wait listens before each read,
    // so an event numbered between the read and the wait still ends it.
    const deadline = performance.now() + wait * 1000;
    let closing = false;
    let cursor = query.after;
    let listening: AbortController | undefined;
    const close = () => {
      closing = true;
      listening?.abort();
    };
    waiting.add(close);
    try {
      for (;;) {
        listening = new AbortController();
        const remaining = deadline - performance.now();
        const woken = remaining > 0 && !closing ? directory.events.numbered(query, remaining, listening.signal) : undefined;
        const page = await directory.events.read({ ...query, ...(cursor !== undefined ? { after: cursor } : {}) });
        if (page.data.length > 0 || !woken) return reply.type('application/json; charset=utf-8').send(pageJson(page));
        await woken;
        cursor = page.next;
      }
    } finally {
      listening?.abort();
      waiting.delete(close);
    }
  });
}

function pageJson(page: EventsPage): string {
  return `{"data":[${page.data.map(eventJson).join(',')}],"next":${JSON.stringify(page.next)},"hasMore":${page.hasMore}}`;
}
