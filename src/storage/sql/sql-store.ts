import { Kysely, Migrator, sql } from 'kysely';
import type { DirectoryStore, Repositories } from '../../directory/ports.js';
import { migrationProvider } from '../migrations/index.js';
import type { SecretBox } from '../secret-box.js';
import { SqlApiKeyRepository } from './api-key-repository.js';
import { SqlAuditRepository } from './audit-repository.js';
import type { Database } from './database-types.js';
import type { SqlDialect } from './dialect.js';
import { SqlEventRepository } from './event-repository.js';
import { GroupCommit } from './group-commit.js';
import { SqlIntegrationRepository } from './integration-repository.js';
import { SqlOutboxRepository } from './outbox-repository.js';
import { SqlProvisioningLogRepository } from './provisioning-log-repository.js';
import { SqlRoleRepository } from './role-repository.js';
import { SqlSignInRepository } from './sign-in-repository.js';
import { SqlTeamRepository } from './team-repository.js';
import { SqlUserPageRepository } from './user-page-repository.js';
import { SqlUserRepository } from './user-repository.js';
import { SqlWebhookRepository } from './webhook-repository.js';
import { SqlWorkspaceRepository } from './workspace-repository.js';

/** The one SQL implementation of the directory's storage port, for both engines. */
export class SqlStore implements DirectoryStore {
  readonly read: Repositories;
  private readonly db: Kysely<Database>;
  private readonly groupCommit: GroupCommit | undefined;

  constructor(
    readonly dialect: SqlDialect,
    private readonly secrets: SecretBox,
  ) {
    this.db = new Kysely<Database>({ dialect: dialect.kysely });
    this.groupCommit = dialect.groupCommit
      ? new GroupCommit(this.db, dialect.beginSql, dialect.groupCommit.inTransaction, dialect.groupCommit.writer)
      : undefined;
    const reading = repositories(this.db, dialect, secrets);
    this.read = this.groupCommit ? this.groupCommit.readAfterCommit(reading) : reading;
  }

  /**
   * Applies pending migrations in a transaction under a lock (an advisory lock on PostgreSQL, the
   * write lock on SQLite). Setting up Kysely's bookkeeping tables can still race between two
   * processes on a new database; such a failure is retried, and the loser finds nothing to do.
   */
  async migrate(): Promise<string[]> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider });
    const migrate = async () => {
      for (let attempt = 1; ; attempt++) {
        const { error, results } = await migrator.migrateToLatest();
        if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    };
    // Migrations write outside group commit: take the file's in-process write lock as a batch does.
    const writer = this.dialect.groupCommit?.writer;
    return writer ? writer.runExclusive(migrate) : migrate();
  }

  /** Runs `work` in one transaction, running it again (up to three times) after a deadlock. */
  async transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(work);
      } catch (error) {
        if (attempt >= 3 || !this.dialect.isRetryable(error)) throw this.dialect.translateError(error);
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
      }
    }
  }

  private async once<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    if (this.groupCommit) {
      return this.groupCommit.run((connection) => work(repositories(connection, this.dialect, this.secrets)));
    }
    return this.db.connection().execute(async (connection) => {
      await sql.raw(this.dialect.beginSql).execute(connection);
      try {
        const result = await work(repositories(connection, this.dialect, this.secrets));
        await sql.raw('commit').execute(connection);
        return result;
      } catch (error) {
        await sql
          .raw('rollback')
          .execute(connection)
          .catch(() => undefined);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.groupCommit?.settle();
    await this.db.destroy();
  }
}

function repositories(db: Kysely<Database>, dialect: SqlDialect, secrets: SecretBox): Repositories {
  return {
    workspaces: new SqlWorkspaceRepository(db, dialect, secrets),
    integrations: new SqlIntegrationRepository(db, dialect),
    roles: new SqlRoleRepository(db, dialect),
    teams: new SqlTeamRepository(db, dialect),
    users: new SqlUserRepository(db, dialect),
    userPages: new SqlUserPageRepository(db, dialect),
    provisioningLog: new SqlProvisioningLogRepository(db),
    outbox: new SqlOutboxRepository(db),
    audit: new SqlAuditRepository(db),
    signIn: new SqlSignInRepository(db),
    events: new SqlEventRepository(db, dialect),
    apiKeys: new SqlApiKeyRepository(db),
    webhooks: new SqlWebhookRepository(db, secrets),
  };
}
