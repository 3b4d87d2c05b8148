import { type Kysely, sql } from 'kysely';
import type { Provider, ScimIntegration, ScimToken, Workspace } from '../../directory/model.js';
import type { IntegrationRepository } from '../../directory/ports.js';
import type { Database, WorkspacesTable } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { guarded } from './guard.js';
import { toWorkspace } from './workspace-repository.js';

export class SqlIntegrationRepository implements IntegrationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insert(i: ScimIntegration): Promise<void> {
    await guarded(
      this.dialect,
      this.db
        .insertInto('scim_integrations')
        .values({
          workspace_id: i.workspaceId,
          id: i.id,
          provider: i.provider,
          client_name: i.clientName,
          created_at: i.createdAt,
          disabled_at: i.disabledAt,
        })
        .execute(),
    );
  }

  async active(workspaceId: string): Promise<ScimIntegration | undefined> {
    const row = await this.db
      .selectFrom('scim_integrations')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return (
      row && {
        workspaceId: row.workspace_id,
        id: row.id,
        provider: row.provider as Provider,
        clientName: row.client_name,
        createdAt: row.created_at,
        disabledAt: row.disabled_at,
      }
    );
  }

  async disable(workspaceId: string, id: string, at: string): Promise<void> {
    await this.db
      .updateTable('scim_integrations')
      .set({ disabled_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async insertToken(t: ScimToken): Promise<void> {
    await guarded(
      this.dialect,
      this.db
        .insertInto('scim_tokens')
        .values({
          workspace_id: t.workspaceId,
          id: t.id,
          integration_id: t.integrationId,
          token_hash: t.tokenHash,
          created_at: t.createdAt,
          revoked_at: t.revokedAt,
        })
        .execute(),
    );
  }

  async authenticate(
    workspaceId: string,
    tokenHash: string,
  ): Promise<{ token: ScimToken; workspace: Workspace; provider: Provider } | undefined> {
    // The token by its unique (workspace_id, token_hash) index, its workspace by primary key:
    // one statement per SCIM request instead of two, written as SQL text (this runs on every
    // request; the query builder took ~30 µs to compile the join). Token columns are renamed:
    // both tables have id and created_at.
    const { rows } = await sql<TokenWithWorkspaceRow>`
      select w.*, t.id as token_id, t.integration_id as token_integration_id, t.token_hash as token_hash,
        t.created_at as token_created_at, t.revoked_at as token_revoked_at, i.provider as integration_provider
      from scim_tokens t join workspaces w on w.id = t.workspace_id
        join scim_integrations i on i.workspace_id = t.workspace_id and i.id = t.integration_id
      where t.workspace_id = ${workspaceId} and t.token_hash = ${tokenHash}`.execute(this.db);
    const row = rows[0];
    if (!row) return undefined;
    return {
      token: {
        workspaceId: row.id,
        id: row.token_id,
        integrationId: row.token_integration_id,
        tokenHash: row.token_hash,
        createdAt: row.token_created_at,
        revokedAt: row.token_revoked_at,
      },
      workspace: toWorkspace(row),
      provider: row.integration_provider as Provider,
    };
  }

  async revokeTokens(workspaceId: string, integrationId: string | undefined, at: string): Promise<number> {
    let query = this.db
      .updateTable('scim_tokens')
      .set({ revoked_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('revoked_at', 'is', null);
    if (integrationId) query = query.where('integration_id', '=', integrationId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

/** A workspaces row with the columns of one of its tokens (see authenticate). */
type TokenWithWorkspaceRow = WorkspacesTable & {
  token_id: string;
  token_integration_id: string;
  token_hash: string;
  token_created_at: string;
  token_revoked_at: string | null;
  integration_provider: string;
};
