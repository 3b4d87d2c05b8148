import type { FastifyInstance } from 'fastify';
import { isDirectoryError } from '../../directory/errors.js';
import type { LoginPolicy } from '../../directory/model.js';
import { reasonOf } from '../console-errors.js';
import { attempt, type ConsoleContext, field, type SlugRequest, sendPage, viewerOfRequest } from '../context.js';
import { adminPath } from '../links.js';
import { setFlash, takeFlash, workspacePath } from '../session.js';
import { type SsoPageState, ssoContent } from '../views/admin-views.js';
import { page } from '../views/layout.js';

/** SSO settings (issuer, client, login policy) and the "test connection" check. */
export function registerSsoRoutes(scope: FastifyInstance, { directory, config }: ConsoleContext): void {
  const render = async (request: SlugRequest, test?: SsoPageState['test']) => {
    const viewer = viewerOfRequest(request);
    const settings = await directory.workspaces.ssoSettings(viewer.workspace);
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
    const current = await directory.workspaces.ssoSettings(viewer.workspace);
    const secret = field(request.body, 'clientSecret') || current?.clientSecret || '';
    const policy = field(request.body, 'loginPolicy') as LoginPolicy;
    const outcome = await attempt(async () => {
      await directory.workspaces.configureSso(slug, {
        issuer: field(request.body, 'issuer'),
        clientId: field(request.body, 'clientId'),
        clientSecret: secret,
      });
      if (policy && policy !== viewer.workspace.loginPolicy) await directory.workspaces.update(slug, { loginPolicy: policy });
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
    let test: SsoPageState['test'];
    try {
      const found = await directory.signIn.testSso(viewer.workspace);
      test = {
        ok: true,
        message: `Connected: ${found.issuer} answers with a valid discovery document (authorization endpoint ${found.authorizationEndpoint}${found.pkce ? ', PKCE S256 supported' : ', but it does not announce PKCE S256'}).`,
      };
    } catch (error) {
      if (!isDirectoryError(error)) throw error;
      if (error.code === 'ssoNotConfigured') test = { ok: false, message: 'Save the settings first.' };
      else {
        // The same words for every failure; what went wrong is for the service log only.
        const issuer = (await directory.workspaces.ssoSettings(viewer.workspace))?.issuer;
        request.log.warn({ workspace: viewer.workspace.slug, issuer, err: error, reason: reasonOf(error) }, 'sso test connection failed');
        test = { ok: false, message: `The connection failed: ${error.message} (issuer ${issuer}).` };
      }
    }
    return sendPage(reply, page({ title: 'Single sign-on', viewer, section: 'sso' }, await render(request, test)));
  });
}
