import { addAppUser } from './app-users.js';
import type { Workspace } from './model.js';
import type { DirectoryStore } from './ports.js';
import { enableScim } from './scim-integration.js';
import { createTeam } from './teams.js';
import { configureSso, createWorkspace } from './workspaces.js';

export const DEMO_SLUG = 'demo';

/**
 * On an empty database, creates a demo workspace a newcomer can provision at once. Returns
 * undefined when any workspace exists already.
 */
export async function bootstrapDemo(store: DirectoryStore): Promise<{ workspace: Workspace; token: string } | undefined> {
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
  await addAppUser(store, DEMO_SLUG, { email: 'admin@demo.example', givenName: 'Ada', familyName: 'Admin', role: 'Admin' });
  const { token } = await enableScim(store, DEMO_SLUG, 'generic');
  return { workspace, token };
}
