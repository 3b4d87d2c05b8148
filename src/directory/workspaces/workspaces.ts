import { DirectoryError } from '../errors.js';
import { newId, nowIso } from '../ids.js';
import { LOGIN_POLICIES, type LoginPolicy, PLANS, type Plan, type Role, type SsoConfig, type Workspace } from '../model.js';
import { type DirectoryStore, StoreConflict } from '../ports.js';
import { SUPPORTED_LANGUAGES } from '../users/user-rules.js';

export interface NewWorkspace {
  readonly slug: string;
  readonly name?: string;
  readonly plan?: Plan;
  readonly seats?: number;
}

/** The roles every workspace starts with: level orders permissions, highest first. */
const DEFAULT_ROLES = [
  { name: 'Admin', level: 100, isGuest: false },
  { name: 'Member', level: 10, isGuest: false },
  { name: 'Guest', level: 0, isGuest: true },
] as const;

export async function createWorkspace(store: DirectoryStore, input: NewWorkspace): Promise<Workspace> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.slug)) {
    throw new DirectoryError('invalidArgument', `slug '${input.slug}' must be lower-case letters, digits and dashes`);
  }
  const plan = input.plan ?? 'standard';
  if (!PLANS.includes(plan)) throw new DirectoryError('invalidArgument', `plan must be one of ${PLANS.join(', ')}`);
  const seats = input.seats ?? 10;
  if (!Number.isInteger(seats) || seats < 0) throw new DirectoryError('invalidArgument', 'seats must be a whole number ≥ 0');
  const now = nowIso();
  const workspace: Workspace = {
    id: newId(),
    slug: input.slug,
    name: input.name ?? input.slug,
    plan,
    seats,
    defaultLanguage: 'en-GB',
    loginPolicy: 'sso_and_password',
    createdAt: now,
  };
  try {
    await store.transaction(async (repos) => {
      await repos.workspaces.insert(workspace);
      for (const role of DEFAULT_ROLES) {
        const record: Role = { workspaceId: workspace.id, id: newId(), ...role, createdAt: now, updatedAt: now, version: 1 };
        await repos.roles.insert(record);
      }
    });
  } catch (error) {
    if (error instanceof StoreConflict) throw new DirectoryError('workspaceExists', `workspace '${input.slug}' already exists`);
    throw error;
  }
  return workspace;
}

/**
 * Changes a workspace's name, plan, seats or default language. Lowering seats below the seats in
 * use is allowed (a downgrade) but blocks activations until users are deactivated.
 */
export async function updateWorkspace(
  store: DirectoryStore,
  slug: string,
  changes: { name?: string; plan?: Plan; seats?: number; defaultLanguage?: string; loginPolicy?: LoginPolicy },
): Promise<Workspace> {
  if (changes.plan !== undefined && !PLANS.includes(changes.plan)) {
    throw new DirectoryError('invalidArgument', `plan must be one of ${PLANS.join(', ')}`);
  }
  if (changes.seats !== undefined && (!Number.isInteger(changes.seats) || changes.seats < 0)) {
    throw new DirectoryError('invalidArgument', 'seats must be a whole number ≥ 0');
  }
  if (changes.defaultLanguage !== undefined && !(SUPPORTED_LANGUAGES as readonly string[]).includes(changes.defaultLanguage)) {
    throw new DirectoryError('invalidArgument', `the default language must be one of ${SUPPORTED_LANGUAGES.join(', ')}`);
  }
  if (changes.loginPolicy !== undefined && !LOGIN_POLICIES.includes(changes.loginPolicy)) {
    throw new DirectoryError('invalidArgument', `the login policy must be one of ${LOGIN_POLICIES.join(', ')}`);
  }
  const workspace = await requireWorkspace(store, slug);
  return store.transaction(async (repos) => {
    await repos.workspaces.lock(workspace.id);
    const current = (await repos.workspaces.byId(workspace.id)) ?? workspace;
    const updated: Workspace = { ...current, ...changes };
    await repos.workspaces.update(updated);
    return updated;
  });
}

export async function listWorkspaces(store: DirectoryStore): Promise<Workspace[]> {
  return store.read.workspaces.list();
}

/** The workspace at a console address, if any (the console answers 404 otherwise). */
export async function findWorkspace(store: DirectoryStore, slug: string): Promise<Workspace | undefined> {
  return store.read.workspaces.bySlug(slug);
}

export async function requireWorkspace(store: DirectoryStore, slug: string): Promise<Workspace> {
  const workspace = await store.read.workspaces.bySlug(slug);
  if (!workspace) throw new DirectoryError('workspaceNotFound', `no workspace '${slug}'`);
  return workspace;
}

export async function configureSso(
  store: DirectoryStore,
  slug: string,
  settings: { issuer: string; clientId: string; clientSecret: string },
): Promise<SsoConfig> {
  const workspace = await requireWorkspace(store, slug);
  let issuer: URL;
  try {
    issuer = new URL(settings.issuer);
  } catch {
    throw new DirectoryError('invalidArgument', `issuer '${settings.issuer}' is not a URL`);
  }
  if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') {
    throw new DirectoryError('invalidArgument', 'issuer must be an http(s) URL');
  }
  if (!settings.clientId || !settings.clientSecret) {
    throw new DirectoryError('invalidArgument', 'client id and client secret are required');
  }
  const config: SsoConfig = { workspaceId: workspace.id, ...settings, updatedAt: nowIso() };
  await store.transaction((repos) => repos.workspaces.saveSso(config));
  return config;
}
