import type { Kysely } from 'kysely';
import type { Team } from '../../directory/model.js';
import type { TeamRepository } from '../../directory/ports.js';
import { chunks } from './chunks.js';
import type { Database, TeamsTable } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { guarded } from './guard.js';

export class SqlTeamRepository implements TeamRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insert(team: Team): Promise<void> {
    await guarded(
      this.dialect,
      this.db
        .insertInto('teams')
        .values({ workspace_id: team.workspaceId, id: team.id, name: team.name, created_at: team.createdAt })
        .execute(),
    );
  }

  async list(workspaceId: string): Promise<Team[]> {
    const rows = await this.db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();
    return rows.map(toTeam);
  }

  async byNames(workspaceId: string, names: readonly string[]): Promise<Team[]> {
    return this.byColumn(workspaceId, 'name', names);
  }

  async byIds(workspaceId: string, ids: readonly string[]): Promise<Team[]> {
    return this.byColumn(workspaceId, 'id', ids);
  }

  /** Teams whose `column` is one of `values`, read in chunks so no `in (…)` list reaches a driver limit. */
  private async byColumn(workspaceId: string, column: 'name' | 'id', values: readonly string[]): Promise<Team[]> {
    const teams: Team[] = [];
    for (const chunk of chunks(values)) {
      const rows = await this.db
        .selectFrom('teams')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where(column, 'in', chunk)
        .execute();
      teams.push(...rows.map(toTeam));
    }
    return teams;
  }

  async rename(workspaceId: string, id: string, name: string): Promise<void> {
    await guarded(
      this.dialect,
      this.db.updateTable('teams').set({ name }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute(),
    );
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    await this.db.deleteFrom('teams').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  async memberCounts(workspaceId: string, teamId?: string): Promise<Map<string, number>> {
    let select = this.db
      .selectFrom('user_teams')
      .select(['team_id', (eb) => eb.fn.countAll<number | string>().as('members')])
      .where('workspace_id', '=', workspaceId);
    // One team's members are an index range (user_teams_team), not a pass over the workspace.
    if (teamId !== undefined) select = select.where('team_id', '=', teamId);
    const rows = await select.groupBy('team_id').execute();
    return new Map(rows.map((row) => [row.team_id, Number(row.members)]));
  }
}

function toTeam(row: TeamsTable): Team {
  return { workspaceId: row.workspace_id, id: row.id, name: row.name, createdAt: row.created_at };
}
