import { DirectoryError } from './directory-error.js';
import { newId, nowIso } from './ids.js';
import type { Team } from './model.js';
import { type DirectoryStore, StoreConflict } from './ports.js';
import { requireWorkspace } from './workspaces.js';

export async function listTeams(store: DirectoryStore, slug: string): Promise<Team[]> {
  const workspace = await requireWorkspace(store, slug);
  return store.read.teams.list(workspace.id);
}

/** Team names are matched exactly (case and spaces included) by the SCIM teams extension. */
export async function createTeam(store: DirectoryStore, slug: string, name: string): Promise<Team> {
  const workspace = await requireWorkspace(store, slug);
  if (name.length === 0 || name.length > 100) throw new DirectoryError('invalidArgument', 'a team name needs 1 to 100 characters');
  const team: Team = { workspaceId: workspace.id, id: newId(), name, createdAt: nowIso() };
  try {
    await store.transaction((repos) => repos.teams.insert(team));
  } catch (error) {
    if (error instanceof StoreConflict) throw new DirectoryError('teamExists', `a team named '${name}' already exists`);
    throw error;
  }
  return team;
}
