import type { FastifyInstance } from 'fastify';
import { scimBaseUrl } from '../../config/config.js';
import type { DirectoryErrorCode } from '../../directory/errors.js';
import type { Provider, Workspace } from '../../directory/model.js';
import type { Viewer } from '../../directory/sign-in/sign-in.js';
import { actorOf, attempt, type ConsoleContext, field, type SlugRequest, sendPage, viewerOfRequest } from '../context.js';
import { adminPath } from '../links.js';
import { setFlash, takeFlash } from '../session.js';
import { confirmContent, type IntegrationsPage, integrationsContent } from '../views/integration-views.js';
import { page } from '../views/layout.js';

/** Renders the Integrations page for a request, with what an action adds to it. */
type Render = (
  request: SlugRequest,
  extra?: Partial<IntegrationsPage>,
  status?: number,
) => Promise<{ viewer: Viewer; status: number; body: ReturnType<typeof integrationsContent> }>;

/** Settings → Integrations: the library, the token popup, regeneration and removal. */
export function registerIntegrationRoutes(scope: FastifyInstance, context: ConsoleContext): void {
  const { directory, config } = context;
  const render: Render = async (request, extra = {}, status = 200) => {
    const viewer = viewerOfRequest(request);
    const [integration, sso] = await Promise.all([
      directory.integrations.active(viewer.workspace),
      directory.workspaces.ssoSettings(viewer.workspace),
    ]);
    return { viewer, status, body: integrationsContent({ viewer, integration, sso, ...extra }) };
  };

  scope.get('/w/:slug/admin/integrations', async (request: SlugRequest, reply) => {
    const { viewer, body } = await render(request);
    const flash = takeFlash(request, reply, config, viewer.workspace.slug);
    return sendPage(reply, page({ title: 'Integrations', viewer, section: 'integrations', flash }, body));
  });

  scope.post('/w/:slug/admin/integrations/enable', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const provider = field(request.body, 'provider') as Provider;
    // The domain checks provider, plan, SSO and an existing integration, in that order; the
    // console words its refusals for someone without the CLI.
    const outcome = await attempt(() =>
      directory.integrations.enable(viewer.workspace.slug, provider, actorOf(request), { replace: false }),
    );
    const { body, status } = outcome.ok
      ? await render(request, { issued: { baseUrl: scimBaseUrl(config), token: outcome.value.token, provider } })
      : await render(request, { refusal: ENABLE_REFUSALS[outcome.code]?.(viewer.workspace) ?? outcome.message }, 409);
    return sendPage(reply, page({ title: 'Integrations', viewer, section: 'integrations' }, body), status);
  });

  registerIntegrationChanges(scope, context, render);
}

/** Regenerating the token and removing the integration, each behind a confirmation page. */
function registerIntegrationChanges(scope: FastifyInstance, { directory, config }: ConsoleContext, render: Render): void {
  const path = (slug: string) => adminPath(slug, 'integrations');
  /** The confirmation page in front of a destructive action; its form posts to the same address. */
  const confirmation = (action: 'regenerate' | 'remove', text: { title: string; body: string; button: string }) =>
    scope.get(`/w/:slug/admin/integrations/${action}`, async (request: SlugRequest, reply) => {
      const viewer = viewerOfRequest(request);
      const content = confirmContent(viewer, {
        title: text.title,
        text: text.body,
        action: `${path(viewer.workspace.slug)}/${action}`,
        button: text.button,
      });
      return sendPage(reply, page({ title: text.button, viewer, section: 'integrations' }, content));
    });

  confirmation('regenerate', {
    title: 'Regenerate the bearer token?',
    body: 'A new token is issued and the current one stops working at once. Enter the new token in your identity provider right away, or provisioning stops.',
    button: 'Regenerate token',
  });
  confirmation('remove', {
    title: 'Remove the SCIM integration?',
    body: 'Its token is revoked at once and your identity provider can no longer provision users. Users already provisioned stay in Roster.',
    button: 'Remove integration',
  });

  scope.post('/w/:slug/admin/integrations/regenerate', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const outcome = await attempt(() => directory.integrations.rotateToken(viewer.workspace.slug, actorOf(request)));
    if (!outcome.ok) {
      setFlash(reply, config, viewer.workspace.slug, { kind: 'error', message: outcome.message });
      return reply.redirect(path(viewer.workspace.slug), 303);
    }
    const { body } = await render(request, {
      issued: { baseUrl: scimBaseUrl(config), token: outcome.value.token, provider: outcome.value.integration.provider },
    });
    return sendPage(
      reply,
      page(
        {
          title: 'Integrations',
          viewer,
          section: 'integrations',
          flash: { kind: 'ok', message: 'A new token was issued; the old one no longer works.' },
        },
        body,
      ),
    );
  });

  scope.post('/w/:slug/admin/integrations/remove', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const outcome = await attempt(() => directory.integrations.disable(viewer.workspace.slug, actorOf(request)));
    setFlash(
      reply,
      config,
      viewer.workspace.slug,
      outcome.ok
        ? { kind: 'ok', message: 'The SCIM integration was removed and its token revoked.' }
        : { kind: 'error', message: outcome.message },
    );
    return reply.redirect(path(viewer.workspace.slug), 303);
  });
}

const ENABLE_REFUSALS: Partial<Record<DirectoryErrorCode, (workspace: Workspace) => string>> = {
  invalidArgument: () => 'Choose a provider from the integration library.',
  notEnterprise: (workspace) =>
    `SCIM provisioning is an enterprise feature, and this workspace is on the ${workspace.plan} plan. Upgrade to enterprise to enable it.`,
  ssoNotConfigured: () =>
    'Set up single sign-on first (Single sign-on in the menu): users provisioned over SCIM receive no invitation and sign in through your identity provider.',
  scimAlreadyEnabled: () => 'This workspace already has a SCIM integration. Remove it first, or regenerate its token.',
};
