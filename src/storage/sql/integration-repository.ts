import type { Kysely } from 'kysely';
import type { Provider, ScimIntegration, ScimToken } from '../../directory/model.js';
import type { IntegrationRepository } from '../../directory/ports.js';
import type { Database } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { guarded } from './guard.js';

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

  async tokenByHash(workspaceId: string, tokenHash: string): Promise<ScimToken | undefined> {
    const row = await this.db
      .selectFrom('scim_tokens')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return (
      row && {
        workspaceId: row.workspace_id,
        id: row.id,
        integrationId: row.integration_id,
        tokenHash: row.token_hash,
        createdAt: row.created_at,
        revokedAt: row.revoked_at,
      }
    );
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
