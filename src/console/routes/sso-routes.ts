import type { FastifyInstance } from 'fastify';
import type { LoginPolicy } from '../../directory/model.js';
import { configureSso, updateWorkspace } from '../../directory/workspaces.js';
import { SsoProviderError } from '../../sso/oidc-relying-party.js';
import { attempt, type ConsoleContext, field, type SlugRequest, sendPage, viewerOfRequest } from '../context.js';
import { adminPath } from '../links.js';
import { setFlash, takeFlash, workspacePath } from '../session.js';
import { type SsoPageState, ssoContent } from '../views/admin-views.js';
import { page } from '../views/layout.js';

/** SSO settings (issuer, client, login policy) and the "test connection" check. */
export function registerSsoRoutes(scope: FastifyInstance, { store, config, sso }: ConsoleContext): void {
  const render = async (request: SlugRequest, test?: SsoPageState['test']) => {
    const viewer = viewerOfRequest(request);
    const settings = await store.read.workspaces.sso(viewer.workspace.id);
    return ssoContent(viewer, {
      sso: settings,
      loginPolicy: viewer.workspace.loginPolicy,
      redirectUri: `${config.publicUrl}${workspacePath(viewer.workspace.slug)}/sso/callback`,
      test,
    });
  };

  scope.get('/w/:slug/admin/sso', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const flash = takeFlash(request, reply, config, viewer.workspace.slug);
    return sendPage(reply, page({ title: 'Single sign-on', viewer, section: 'sso', flash }, await render(request)));
  });

  scope.post('/w/:slug/admin/sso', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const slug = viewer.workspace.slug;
    const current = await store.read.workspaces.sso(viewer.workspace.id);
    const secret = field(request.body, 'clientSecret') || current?.clientSecret || '';
    const policy = field(request.body, 'loginPolicy') as LoginPolicy;
    const outcome = await attempt(async () => {
      await configureSso(store, slug, {
        issuer: field(request.body, 'issuer'),
        clientId: field(request.body, 'clientId'),
        clientSecret: secret,
      });
      if (policy && policy !== viewer.workspace.loginPolicy) await updateWorkspace(store, slug, { loginPolicy: policy });
    });
    setFlash(
      reply,
      config,
      slug,
      outcome.ok ? { kind: 'ok', message: 'Single sign-on settings saved.' } : { kind: 'error', message: outcome.message },
    );
    return reply.redirect(adminPath(slug, 'sso'), 303);
  });

  scope.post('/w/:slug/admin/sso/test', async (request: SlugRequest, reply) => {
    const viewer = viewerOfRequest(request);
    const settings = await store.read.workspaces.sso(viewer.workspace.id);
    let test: SsoPageState['test'];
    if (!settings) test = { ok: false, message: 'Save the settings first.' };
    else {
      try {
        const found = await sso.test(settings);
        test = {
          ok: true,
          message: `Connected: ${found.issuer} answers with a valid discovery document (authorization endpoint ${found.authorizationEndpoint}${found.pkce ? ', PKCE S256 supported' : ', but it does not announce PKCE S256'}).`,
        };
      } catch (error) {
        if (!(error instanceof SsoProviderError)) throw error;
        // The same words for every failure; what went wrong is for the service log only.
        request.log.warn({ workspace: viewer.workspace.slug, issuer: settings.issuer, reason: error.reason }, 'sso test connection failed');
        test = { ok: false, message: `The connection failed: ${error.message} (issuer ${settings.issuer}).` };
      }
    }
    return sendPage(reply, page({ title: 'Single sign-on', viewer, section: 'sso' }, await render(request, test)));
  });
}
