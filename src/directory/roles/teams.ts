import { DirectoryError } from '../errors.js';
import { BY_SYSTEM, type EventContext } from '../events/event-model.js';
import { recordEvents } from '../events/event-recording.js';
import { newId, nowIso } from '../ids.js';
import type { Team, Workspace } from '../model.js';
import { type DirectoryStore, StoreConflict } from '../ports.js';
import { requireWorkspace } from '../workspaces/workspaces.js';
import { roleRef } from './roles.js';

export async function listTeams(store: DirectoryStore, slug: string): Promise<Team[]> {
  const workspace = await requireWorkspace(store, slug);
  return store.read.teams.list(workspace.id);
}

/** Team names are matched exactly (case and spaces included) by the SCIM teams extension. */
export async function createTeam(store: DirectoryStore, slug: string, name: string, by: EventContext = BY_SYSTEM): Promise<Team> {
  const workspace = await requireWorkspace(store, slug);
  checkTeamName(name);
  const team: Team = { workspaceId: workspace.id, id: newId(), name, createdAt: nowIso() };
  try {
    await store.transaction(async (repos) => {
      await repos.teams.insert(team);
      await recordEvents(repos, workspace.id, by, [{ type: 'team.created', data: { team: roleRef(team) } }]);
    });
  } catch (error) {
    if (error instanceof StoreConflict) throw new DirectoryError('teamExists', `a team named '${name}' already exists`);
    throw error;
  }
  return team;
}

export interface TeamUsage {
  readonly team: Team;
  readonly members: number;
}

export async function teamOverview(store: DirectoryStore, workspace: Workspace): Promise<TeamUsage[]> {
  const [teams, counts] = await Promise.all([store.read.teams.list(workspace.id), store.read.teams.memberCounts(workspace.id)]);
  return teams.map((team) => ({ team, members: counts.get(team.id) ?? 0 }));
}

/** Renaming changes which name the SCIM teams extension must send; the IdP's values need to follow. */
export async function renameTeam(
  store: DirectoryStore,
  workspace: Workspace,
  teamId: string,
  name: string,
  by: EventContext = BY_SYSTEM,
): Promise<Team> {
  checkTeamName(name);
  try {
    return await store.transaction(async (repos) => {
      const [team] = await repos.teams.byIds(workspace.id, [teamId]);
      if (!team) throw new DirectoryError('teamNotFound', 'no such team');
      await repos.teams.rename(workspace.id, team.id, name);
      const renamed = { ...team, name };
      if (team.name !== name) {
        await recordEvents(repos, workspace.id, by, [{ type: 'team.renamed', data: { team: roleRef(renamed), previousName: team.name } }]);
      }
      return renamed;
    });
  } catch (error) {
    if (error instanceof StoreConflict) throw new DirectoryError('teamExists', `a team named '${name}' already exists`);
    throw error;
  }
}

/** Deleting is refused while the team has members. */
export async function deleteTeam(store: DirectoryStore, workspace: Workspace, teamId: string, by: EventContext = BY_SYSTEM): Promise<Team> {
  return store.transaction(async (repos) => {
    const [team] = await repos.teams.byIds(workspace.id, [teamId]);
    if (!team) throw new DirectoryError('teamNotFound', 'no such team');
    const members = (await repos.teams.memberCounts(workspace.id, team.id)).get(team.id) ?? 0;
    if (members > 0)
      throw new DirectoryError('teamInUse', `the team '${team.name}' has ${members} member${members === 1 ? '' : 's'}; remove them first`);
    await repos.teams.delete(workspace.id, team.id);
    await recordEvents(repos, workspace.id, by, [{ type: 'team.deleted', data: { team: roleRef(team) } }]);
    return team;
  });
}

function checkTeamName(name: string): void {
  if (name.length === 0 || name.length > 100) throw new DirectoryError('invalidArgument', 'a team name needs 1 to 100 characters');
}
