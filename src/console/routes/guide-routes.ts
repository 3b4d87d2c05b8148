import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendPage } from '../context.js';
import { html } from '../html.js';
import { page } from '../views/layout.js';
import { messagePage } from '../views/login-views.js';

const GUIDES = ['entra-id', 'okta', 'onelogin', 'generic'] as const;

/** The provider setup guides (docs/providers/*.md), served as text so they work offline. */
export function registerGuideRoutes(scope: FastifyInstance): void {
  const texts = new Map(GUIDES.map((name) => [name, readFileSync(new URL(`../../../docs/providers/${name}.md`, import.meta.url), 'utf8')]));
  scope.get('/guides/:name', async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
    const text = texts.get(request.params.name as (typeof GUIDES)[number]);
    if (!text) return sendPage(reply, messagePage('Not found', 'There is no such guide.'), 404);
    const title = /^#\s+(.+)$/m.exec(text)?.[1] ?? 'Setup guide';
    return sendPage(
      reply,
      page({ title }, html`<article class="card"><pre style="white-space:pre-wrap;font:inherit">${text}</pre></article>`),
    );
  });
}
