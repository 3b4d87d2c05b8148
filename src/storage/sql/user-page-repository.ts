import { type Kysely, sql } from 'kysely';
import type { User } from '../../directory/model.js';
import type { UserPageQuery, UserPageRepository } from '../../directory/ports.js';
import type { Database, UsersTable } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { compileFilter } from './filter-sql.js';
import { USER_FILTER_MAPPING } from './user-filter-mapping.js';
import { fromUserRow } from './user-rows.js';

/**
 * The application API's user lists: keyset pages in id order (ids are time-ordered UUIDv7s), so
 * a page never repeats or skips a user because others were added or removed meanwhile.
 */
export class SqlUserPageRepository implements UserPageRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async page(workspaceId: string, query: UserPageQuery): Promise<User[]> {
    const conditions = [sql`u.workspace_id = ${workspaceId}`];
    if (query.afterId !== undefined) conditions.push(sql`u.id > ${query.afterId}`);
    if (query.roleId !== undefined) conditions.push(sql`u.role_id = ${query.roleId}`);
    if (query.teamId !== undefined) {
      conditions.push(
        sql`u.id in (select ut.user_id from user_teams ut where ut.workspace_id = ${workspaceId} and ut.team_id = ${query.teamId})`,
      );
    }
    if (query.filter) conditions.push(compileFilter(query.filter, USER_FILTER_MAPPING, workspaceId));
    const teamIds = sql.raw(
      this.dialect.orderedListSql(
        'ut.team_id',
        'ut.position',
        'user_teams ut where ut.workspace_id = u.workspace_id and ut.user_id = u.id',
      ),
    );
    const { rows } = await sql<UsersTable & { roster_team_ids: string | null }>`
      select u.*, ${teamIds} as roster_team_ids from users u
      where ${sql.join(conditions, sql` and `)} order by u.id limit ${query.limit}`.execute(this.db);
    return rows.map((row) => fromUserRow(row, row.roster_team_ids?.split(',') ?? []));
  }
}
