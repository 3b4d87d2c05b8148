import { DirectoryError } from '../errors.js';
import { actorLabel, BY_SYSTEM, type EventContext } from '../events/event-model.js';
import { recordEvents } from '../events/event-recording.js';
import { newId, nowIso } from '../ids.js';
import type { AuditAction, AuditEntry, Provider, ScimIntegration, Workspace } from '../model.js';
import { PROVIDERS } from '../model.js';
import type { DirectoryStore, Repositories } from '../ports.js';
import { requireWorkspace } from '../workspaces/workspaces.js';
import { generateToken, hashToken, sameHash, tokenWorkspaceId } from './tokens.js';

export const CLIENT_APPLICATION_NAME = 'API access';

export interface IssuedToken {
  readonly integration: ScimIntegration;
  /** The bearer token in clear text: shown once, never stored. */
  readonly token: string;
}

/**
 * Enables SCIM for a workspace (docs/console.md, docs/cli.md): only on the enterprise
 * plan with SSO configured. Creates the integration with its "API access" client application
 * and issues its first token. An existing integration is replaced (its tokens revoked) unless
 * `replace` is false, which refuses instead.
 */
export async function enableScim(
  store: DirectoryStore,
  slug: string,
  provider: Provider,
  by: EventContext = BY_SYSTEM,
  options: { readonly replace?: boolean } = {},
): Promise<IssuedToken> {
  if (!PROVIDERS.includes(provider)) {
    throw new DirectoryError('invalidArgument', `provider must be one of ${PROVIDERS.join(', ')}`);
  }
  const workspace = await requireWorkspace(store, slug);
  if (workspace.plan !== 'enterprise') {
    throw new DirectoryError('notEnterprise', `SCIM provisioning needs the enterprise plan; workspace '${slug}' is on '${workspace.plan}'`);
  }
  const actor = actorLabel(by.actor);
  return store.transaction(async (repos) => {
    if (!(await repos.workspaces.sso(workspace.id))) {
      throw new DirectoryError('ssoNotConfigured', `configure single sign-on first: roster sso configure ${slug} …`);
    }
    const existing = await repos.integrations.active(workspace.id);
    if (existing && options.replace === false) {
      throw new DirectoryError('scimAlreadyEnabled', `workspace '${slug}' already has a ${existing.provider} SCIM integration`);
    }
    const now = nowIso();
    if (existing) {
      const revoked = await repos.integrations.revokeTokens(workspace.id, existing.id, now);
      await repos.integrations.disable(workspace.id, existing.id, now);
      await audit(repos, workspace, actor, 'token.revoke', `${revoked} token(s) of the replaced ${existing.provider} integration`);
      await audit(repos, workspace, actor, 'scim.disable', `replaced the ${existing.provider} integration`);
      await recordEvents(repos, workspace.id, by, [{ type: 'integration.disabled', data: { provider: existing.provider } }]);
    }
    const integration: ScimIntegration = {
      workspaceId: workspace.id,
      id: newId(),
      provider,
      clientName: CLIENT_APPLICATION_NAME,
      createdAt: now,
      disabledAt: null,
    };
    await repos.integrations.insert(integration);
    await audit(repos, workspace, actor, 'scim.enable', `provider ${provider}`);
    const token = await issueToken(repos, workspace, integration, actor);
    await recordEvents(repos, workspace.id, by, [{ type: 'integration.enabled', data: { provider } }]);
    return { integration, token };
  });
}

/** Issues a new token and revokes the old ones in the same transaction. */
export async function rotateToken(store: DirectoryStore, slug: string, by: EventContext = BY_SYSTEM): Promise<IssuedToken> {
  const workspace = await requireWorkspace(store, slug);
  const actor = actorLabel(by.actor);
  return store.transaction(async (repos) => {
    const integration = await requireIntegration(repos, workspace);
    const revoked = await repos.integrations.revokeTokens(workspace.id, integration.id, nowIso());
    await audit(repos, workspace, actor, 'token.revoke', `${revoked} token(s), rotated`);
    const token = await issueToken(repos, workspace, integration, actor);
    await recordEvents(repos, workspace.id, by, [{ type: 'integration.token_regenerated', data: { provider: integration.provider } }]);
    return { integration, token };
  });
}

export async function disableScim(store: DirectoryStore, slug: string, by: EventContext = BY_SYSTEM): Promise<{ revoked: number }> {
  const workspace = await requireWorkspace(store, slug);
  const actor = actorLabel(by.actor);
  return store.transaction(async (repos) => {
    const integration = await requireIntegration(repos, workspace);
    const now = nowIso();
    const revoked = await repos.integrations.revokeTokens(workspace.id, undefined, now);
    await repos.integrations.disable(workspace.id, integration.id, now);
    await audit(repos, workspace, actor, 'token.revoke', `${revoked} token(s), SCIM disabled`);
    await audit(repos, workspace, actor, 'scim.disable', `provider ${integration.provider}`);
    await recordEvents(repos, workspace.id, by, [{ type: 'integration.disabled', data: { provider: integration.provider } }]);
    return { revoked };
  });
}

/** The workspace's SCIM integration, if one is enabled (the console's integration list). */
export async function activeIntegration(store: DirectoryStore, workspace: Workspace): Promise<ScimIntegration | undefined> {
  return store.read.integrations.active(workspace.id);
}

async function audit(repos: Repositories, workspace: Workspace, actor: string, action: AuditAction, detail: string): Promise<void> {
  await repos.audit.insert({ workspaceId: workspace.id, id: newId(), time: nowIso(), actor, action, detail });
}

export async function readAudit(store: DirectoryStore, slug: string, limit = 100): Promise<AuditEntry[]> {
  const workspace = await requireWorkspace(store, slug);
  return store.read.audit.list(workspace.id, limit);
}

/** A bearer token that authenticated: its workspace and the token's id (never the secret). */
export interface Authenticated {
  readonly workspace: Workspace;
  /** The stored token's id: what per-token limits are keyed on, whatever the header's spelling. */
  readonly tokenId: string;
  /** The identity provider of the token's integration: the actor of the events its requests record. */
  readonly provider: Provider;
}

/** Finds the workspace and token a bearer token is; undefined for unknown or revoked tokens. */
export async function authenticateToken(store: DirectoryStore, token: string): Promise<Authenticated | undefined> {
  const workspaceId = tokenWorkspaceId(token);
  if (!workspaceId) return undefined;
  const hash = hashToken(token);
  // One read, never cached: a token revoked through any instance or the CLI fails at once.
  const found = await store.read.integrations.authenticate(workspaceId, hash);
  if (!found || found.token.revokedAt !== null || !sameHash(found.token.tokenHash, hash)) return undefined;
  return { workspace: found.workspace, tokenId: found.token.id, provider: found.provider };
}

/** Finds the workspace a bearer token belongs to; undefined for unknown or revoked tokens. */
export async function authenticate(store: DirectoryStore, token: string): Promise<Workspace | undefined> {
  return (await authenticateToken(store, token))?.workspace;
}

async function requireIntegration(repos: Repositories, workspace: Workspace): Promise<ScimIntegration> {
  const integration = await repos.integrations.active(workspace.id);
  if (!integration) throw new DirectoryError('scimNotEnabled', `SCIM is not enabled for workspace '${workspace.slug}'`);
  return integration;
}

async function issueToken(repos: Repositories, workspace: Workspace, integration: ScimIntegration, actor: string): Promise<string> {
  const token = generateToken(integration.workspaceId);
  const id = newId();
  // The token's id, never the token itself, goes into the audit log.
  await audit(repos, workspace, actor, 'token.create', `token ${id} for the ${integration.provider} integration`);
  await repos.integrations.insertToken({
    workspaceId: integration.workspaceId,
    id,
    integrationId: integration.id,
    tokenHash: hashToken(token),
    createdAt: nowIso(),
    revokedAt: null,
  });
  return token;
}
