import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from './api-keys/api-keys.js';
import { type EventQuery, eventsNumbered, readEvents } from './events/event-reading.js';
import { type EventBus, numberEvents } from './events/event-sequencer.js';
import { activeIntegration, authenticateToken, disableScim, enableScim, readAudit, rotateToken } from './integrations/scim-integration.js';
import { readLog, searchLog } from './log/log-reading.js';
import type { Workspace } from './model.js';
import { listOutbox } from './outbox/outbox.js';
import type { DirectoryStore } from './ports.js';
import { createRole, deleteRole, listRoles, renameRole, renameRoleById, roleOverview, setRoleLevel } from './roles/roles.js';
import { createTeam, deleteTeam, listTeams, renameTeam, teamOverview } from './roles/teams.js';
import { ScimGroupService } from './scim/scim-groups.js';
import { type ScimLimits, ScimUserService } from './scim/scim-users.js';
import { endSession, issueLoginLink, passwordSignIn, pruneSignIns, redeemLoginLink, setUserPassword, viewerOf } from './sign-in/sign-in.js';
import {
  abandonSsoSignIn,
  finishSsoSignIn,
  type IdentityProviderClient,
  type SsoCallback,
  ssoSettings,
  startSsoSignIn,
  testSsoConnection,
} from './sign-in/sso-sign-in.js';
import { appRoles, appTeams, appUser, appUsersPage, appWorkspaces, callerWorkspace } from './users/app-api.js';
import { addAppUser, listAppUsers, setUserActive } from './users/app-users.js';
import { directoryEntry, existingUserIds, searchDirectory, seatSummary, teamsOf } from './users/user-directory.js';
import type { WebhookSender } from './webhooks/webhook-sender.js';
import { addWebhook, enableWebhook, listWebhooks, removeWebhook, testWebhook, webhookDeliveries } from './webhooks/webhooks.js';
import { bootstrapDemo } from './workspaces/demo.js';
import {
  configureSso,
  createWorkspace,
  findWorkspace,
  listWorkspaces,
  requireWorkspace,
  updateWorkspace,
} from './workspaces/workspaces.js';

/** A use case of the directory: a function over the store and its own arguments. */
type UseCase<Port> = (port: Port, ...args: never[]) => unknown;

/** Use cases with their first argument (the store, or the store and a port) already given. */
type Bound<Port, T extends Record<string, UseCase<Port>>> = {
  readonly [K in keyof T]: T[K] extends (port: Port, ...args: infer A) => infer R ? (...args: A) => R : never;
};

function bind<Port, T extends Record<string, UseCase<Port>>>(port: Port, useCases: T): Bound<Port, T> {
  const bound: Record<string, unknown> = {};
  for (const [name, useCase] of Object.entries(useCases)) bound[name] = (...args: never[]) => useCase(port, ...args);
  return Object.freeze(bound) as Bound<Port, T>;
}

export interface DirectoryOptions {
  readonly scim: ScimLimits;
  readonly identityProvider: IdentityProviderClient;
  /** Where numbered events are announced (long-polls wait on it). */
  readonly bus: EventBus;
  readonly webhookSender: WebhookSender;
}

/**
 * The directory's services: the only thing the adapters (HTTP, console, CLI) are given. Each
 * service is a set of use cases bound to the store; the adapters never see the store (the storage
 * port) itself. Built once by the composition root (`src/app/`).
 */
export function createDirectory(store: DirectoryStore, options: DirectoryOptions) {
  const { identityProvider, bus, webhookSender } = options;
  return Object.freeze({
    workspaces: bind(store, {
      create: createWorkspace,
      update: updateWorkspace,
      list: listWorkspaces,
      find: findWorkspace,
      require: requireWorkspace,
      configureSso,
      ssoSettings,
    }),
    roles: bind(store, {
      list: listRoles,
      create: createRole,
      rename: renameRole,
      renameById: renameRoleById,
      setLevel: setRoleLevel,
      delete: deleteRole,
      overview: roleOverview,
    }),
    teams: bind(store, { list: listTeams, create: createTeam, rename: renameTeam, delete: deleteTeam, overview: teamOverview }),
    users: bind(store, {
      add: addAppUser,
      list: listAppUsers,
      setActive: setUserActive,
      setPassword: setUserPassword,
      search: searchDirectory,
      entry: directoryEntry,
      existingIds: existingUserIds,
      teamsOf,
      seats: seatSummary,
    }),
    integrations: bind(store, {
      active: activeIntegration,
      enable: enableScim,
      rotateToken,
      disable: disableScim,
      authenticate: authenticateToken,
      audit: readAudit,
    }),
    signIn: {
      ...bind(store, {
        issueLink: issueLoginLink,
        redeemLink: redeemLoginLink,
        password: passwordSignIn,
        viewer: viewerOf,
        end: endSession,
        prune: pruneSignIns,
        abandonSso: abandonSsoSignIn,
      }),
      startSso: (workspace: Workspace, redirectUri: string) => startSsoSignIn(store, identityProvider, workspace, redirectUri),
      finishSso: (workspace: Workspace, callback: SsoCallback) => finishSsoSignIn(store, identityProvider, workspace, callback),
      testSso: (workspace: Workspace) => testSsoConnection(store, identityProvider, workspace),
    },
    log: bind(store, { read: readLog, search: searchLog }),
    events: {
      read: (query: EventQuery) => readEvents(store, query),
      /** Resolves when events of the query's stream are numbered, after `ms`, or when `signal` aborts: a long-poll's wait. */
      numbered: (query: Pick<EventQuery, 'workspace'>, ms: number, signal?: AbortSignal) => eventsNumbered(bus, query, ms, signal),
      /** Numbers the recorded events now (the CLI, which runs no sequencer of its own). */
      number: () => numberEvents(store, bus),
    },
    apiKeys: bind(store, { create: createApiKey, list: listApiKeys, revoke: revokeApiKey, authenticate: authenticateApiKey }),
    webhooks: {
      ...bind(store, { list: listWebhooks, remove: removeWebhook, enable: enableWebhook, deliveries: webhookDeliveries }),
      add: (url: string, where: Parameters<typeof addWebhook>[3]) => addWebhook(store, webhookSender, url, where),
      test: (id: string) => testWebhook(store, webhookSender, id),
    },
    app: bind(store, {
      workspace: callerWorkspace,
      workspaces: appWorkspaces,
      users: appUsersPage,
      user: appUser,
      roles: appRoles,
      teams: appTeams,
    }),
    outbox: bind(store, { list: listOutbox }),
    demo: bind(store, { bootstrap: bootstrapDemo }),
    scimUsers: new ScimUserService(store, options.scim),
    scimGroups: new ScimGroupService(store, options.scim),
  });
}

/** The directory's services, as the adapters see them. */
export type Directory = ReturnType<typeof createDirectory>;
