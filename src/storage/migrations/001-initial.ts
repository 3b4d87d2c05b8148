import { type Kysely, sql } from 'kysely';

/**
 * The initial schema. Every table carries `workspace_id` and leads its primary key and indexes
 * with it, so a deployment can shard by workspace (docs/scaling.md). Booleans are 0/1 integers
 * because better-sqlite3 cannot bind booleans; times are ISO-8601 UTC strings, which sort and
 * compare correctly as text on both engines.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('seats', 'integer', (c) => c.notNull())
    .addColumn('default_language', 'text', (c) => c.notNull())
    .addColumn('login_policy', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sso_configs')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('scim_integrations')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('client_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .addPrimaryKeyConstraint('scim_integrations_pk', ['workspace_id', 'id'])
    .execute();

  await db.schema
    .createTable('scim_tokens')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addPrimaryKeyConstraint('scim_tokens_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('scim_tokens_hash').on('scim_tokens').columns(['workspace_id', 'token_hash']).unique().execute();

  await db.schema
    .createTable('roles')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_lower', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('is_guest', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('roles_pk', ['workspace_id', 'id'])
    .addUniqueConstraint('roles_name', ['workspace_id', 'name_lower'])
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('teams_pk', ['workspace_id', 'id'])
    .addUniqueConstraint('teams_name', ['workspace_id', 'name'])
    .execute();

  let users = db.schema
    .createTable('users')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_name_lower', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('scim_deleted', 'integer', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text');
  for (const column of USER_TEXT_COLUMNS) users = users.addColumn(column, 'text');
  await users
    .addColumn('scim_managed', 'integer', (c) => c.notNull())
    .addColumn('last_synced_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('contacts', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('users_pk', ['workspace_id', 'id'])
    .addUniqueConstraint('users_user_name', ['workspace_id', 'user_name_lower'])
    .execute();
  await db.schema.createIndex('users_email').on('users').columns(['workspace_id', 'email_lower']).execute();
  await db.schema.createIndex('users_external_id').on('users').columns(['workspace_id', 'external_id']).execute();
  await db.schema.createIndex('users_role').on('users').columns(['workspace_id', 'role_id', 'id']).execute();
  // The SCIM view's default order and paging walk this index only.
  await db.schema
    .createIndex('users_scim_order')
    .on('users')
    .columns(['workspace_id', 'id'])
    .where(sql.ref('scim_deleted'), '=', 0)
    .execute();
  await db.schema.createIndex('users_updated').on('users').columns(['workspace_id', 'updated_at']).execute();

  await db.schema
    .createTable('user_contacts')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('type', 'text')
    // NULL when the client sent no `primary`, so `emails.primary pr` means what it says.
    .addColumn('is_primary', 'integer')
    .addColumn('value', 'text')
    .addColumn('value_lower', 'text')
    .addColumn('display', 'text')
    .addColumn('formatted', 'text')
    .addColumn('street_address', 'text')
    .addColumn('locality', 'text')
    .addColumn('region', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('country', 'text')
    .addPrimaryKeyConstraint('user_contacts_pk', ['workspace_id', 'user_id', 'kind', 'position'])
    .execute();
  await db.schema.createIndex('user_contacts_value').on('user_contacts').columns(['workspace_id', 'kind', 'value_lower']).execute();

  await db.schema
    .createTable('user_teams')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_teams_pk', ['workspace_id', 'user_id', 'team_id'])
    .execute();
  await db.schema.createIndex('user_teams_team').on('user_teams').columns(['workspace_id', 'team_id']).execute();
}

/** Single-valued text attributes of a user, each in its own column so filters can use it. */
export const USER_TEXT_COLUMNS = [
  'formatted_name',
  'family_name',
  'given_name',
  'middle_name',
  'honorific_prefix',
  'honorific_suffix',
  'display_name',
  'nick_name',
  'title',
  'user_type',
  'preferred_language',
  'locale',
  'timezone',
  'employee_number',
  'cost_center',
  'organization',
  'division',
  'department',
  'manager_id',
] as const;
