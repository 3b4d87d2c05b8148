import { enableScim } from '../integrations/scim-integration.js';
import type { Workspace } from '../model.js';
import type { DirectoryStore } from '../ports.js';
import { createTeam } from '../roles/teams.js';
import { issueLoginLink } from '../sign-in/sign-in.js';
import { addAppUser } from '../users/app-users.js';
import { configureSso, createWorkspace } from './workspaces.js';

export const DEMO_SLUG = 'demo';

/**
 * On an empty database, creates a demo workspace a newcomer can provision at once. Returns
 * undefined when any workspace exists already.
 */
export const DEMO_ADMIN_EMAIL = 'admin@demo.example';

export interface Demo {
  readonly workspace: Workspace;
  readonly token: string;
  readonly adminEmail: string;
  /** A one-time console sign-in link secret for the admin, valid a day. */
  readonly loginToken: string;
}

export async function bootstrapDemo(store: DirectoryStore): Promise<Demo | undefined> {
  if ((await store.read.workspaces.list()).length > 0) return undefined;
  const workspace = await createWorkspace(store, { slug: DEMO_SLUG, name: 'Demo', plan: 'enterprise', seats: 50 });
  // A placeholder identity provider: SCIM requires SSO settings; replace them with `roster sso configure`.
  await configureSso(store, DEMO_SLUG, {
    issuer: 'https://idp.example.com',
    clientId: 'roster-demo',
    clientSecret: 'change-me',
  });
  await createTeam(store, DEMO_SLUG, 'Engineering');
  await createTeam(store, DEMO_SLUG, 'Sales');
  await addAppUser(store, DEMO_SLUG, { email: DEMO_ADMIN_EMAIL, givenName: 'Ada', familyName: 'Admin', role: 'Admin' });
  const { token } = await enableScim(store, DEMO_SLUG, 'generic');
  const link = await issueLoginLink(store, DEMO_SLUG, DEMO_ADMIN_EMAIL, 24 * 60 * 60 * 1000);
  return { workspace, token, adminEmail: DEMO_ADMIN_EMAIL, loginToken: link.token };
}
