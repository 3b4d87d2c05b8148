import type { Kysely } from 'kysely';
import type { ConsoleSession, LoginFlow, LoginLink, SignInMethod } from '../../directory/model.js';
import type { SignInRepository } from '../../directory/ports.js';
import type { ConsoleSessionsTable, Database, LoginLinksTable } from './database-types.js';

export class SqlSignInRepository implements SignInRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertSession(session: ConsoleSession): Promise<void> {
    await this.db
      .insertInto('console_sessions')
      .values({
        id_hash: session.idHash,
        workspace_id: session.workspaceId,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        method: session.method,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  async session(idHash: string): Promise<ConsoleSession | undefined> {
    const row = await this.db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return row && toSession(row);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteExpired(now: string, flowsCreatedBefore: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('expires_at', '<', now).execute();
    await this.db.deleteFrom('login_links').where('expires_at', '<', now).execute();
    await this.db.deleteFrom('login_flows').where('created_at', '<', flowsCreatedBefore).execute();
  }

  async insertFlow(flow: LoginFlow): Promise<void> {
    await this.db
      .insertInto('login_flows')
      .values({
        state: flow.state,
        workspace_id: flow.workspaceId,
        code_verifier: flow.codeVerifier,
        nonce: flow.nonce,
        created_at: flow.createdAt,
      })
      .execute();
  }

  async takeFlow(state: string): Promise<LoginFlow | undefined> {
    const row = await this.db.deleteFrom('login_flows').where('state', '=', state).returningAll().executeTakeFirst();
    return (
      row && {
        state: row.state,
        workspaceId: row.workspace_id,
        codeVerifier: row.code_verifier,
        nonce: row.nonce,
        createdAt: row.created_at,
      }
    );
  }

  async insertLink(link: LoginLink): Promise<void> {
    await this.db
      .insertInto('login_links')
      .values({
        token_hash: link.tokenHash,
        workspace_id: link.workspaceId,
        user_id: link.userId,
        created_at: link.createdAt,
        expires_at: link.expiresAt,
        used_at: link.usedAt,
      })
      .execute();
  }

  async useLink(tokenHash: string, at: string): Promise<LoginLink | undefined> {
    // One conditional update: two browsers racing for the same link cannot both win.
    const row = await this.db
      .updateTable('login_links')
      .set({ used_at: at })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at)
      .returningAll()
      .executeTakeFirst();
    return row && toLink(row);
  }

  async setPassword(workspaceId: string, userId: string, hash: string, at: string): Promise<void> {
    await this.db
      .insertInto('user_passwords')
      .values({ workspace_id: workspaceId, user_id: userId, hash, updated_at: at })
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ hash, updated_at: at }))
      .execute();
  }

  async passwordHash(workspaceId: string, userId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('user_passwords')
      .select('hash')
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.hash;
  }
}

function toSession(row: ConsoleSessionsTable): ConsoleSession {
  return {
    idHash: row.id_hash,
    workspaceId: row.workspace_id,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    method: row.method as SignInMethod,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

function toLink(row: LoginLinksTable): LoginLink {
  return {
    tokenHash: row.token_hash,
    workspaceId: row.workspace_id,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}
