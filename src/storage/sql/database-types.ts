import type { Generated } from 'kysely';

import type { UserAttributeColumns } from '../../directory/users/user-attributes.js';

/** Row types of the tables, as Kysely sees them (see migrations/). */

export interface WorkspacesTable {
  id: string;
  slug: string;
  name: string;
  plan: string;
  seats: number;
  default_language: string;
  login_policy: string;
  created_at: string;
}

export interface SsoConfigsTable {
  workspace_id: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  updated_at: string;
}

export interface ScimIntegrationsTable {
  workspace_id: string;
  id: string;
  provider: string;
  client_name: string;
  created_at: string;
  disabled_at: string | null;
}

export interface ScimTokensTable {
  workspace_id: string;
  id: string;
  integration_id: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface RolesTable {
  workspace_id: string;
  id: string;
  name: string;
  name_lower: string;
  level: number;
  is_guest: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface TeamsTable {
  workspace_id: string;
  id: string;
  name: string;
  created_at: string;
}

/** A user's row: the attribute columns of directory/user-attributes.ts and these. */
export interface UsersTable extends UserAttributeColumns {
  workspace_id: string;
  id: string;
  email_lower: string;
  active: number;
  scim_deleted: number;
  role_id: string;
  scim_managed: number;
  last_synced_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  /** JSON of the user's emails, phone numbers and addresses, in order. */
  contacts: string;
}

export interface UserContactsTable {
  workspace_id: string;
  user_id: string;
  kind: string;
  position: number;
  type: string | null;
  is_primary: number | null;
  value: string | null;
  value_lower: string | null;
  display: string | null;
  formatted: string | null;
  street_address: string | null;
  locality: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
}

export interface UserTeamsTable {
  workspace_id: string;
  user_id: string;
  team_id: string;
  position: number;
}

export interface ProvisioningLogTable {
  workspace_id: string;
  id: string;
  time: string;
  trace_id: string;
  method: string;
  path: string;
  status: number;
  resource_id: string | null;
  detail: string | null;
  error_code: string | null;
  warnings: string;
}

export interface OutboxTable {
  workspace_id: string;
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  created_at: string;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  sent_at: string | null;
  last_error: string | null;
}

export interface AuditLogTable {
  workspace_id: string;
  id: string;
  time: string;
  actor: string;
  action: string;
  detail: string;
}

export interface ConsoleSessionsTable {
  id_hash: string;
  workspace_id: string;
  user_id: string;
  csrf_token: string;
  method: string;
  created_at: string;
  expires_at: string;
}

export interface LoginFlowsTable {
  state: string;
  workspace_id: string;
  code_verifier: string;
  nonce: string;
  created_at: string;
}

export interface LoginLinksTable {
  token_hash: string;
  workspace_id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface UserPasswordsTable {
  workspace_id: string;
  user_id: string;
  hash: string;
  updated_at: string;
}

export interface Database {
  console_sessions: ConsoleSessionsTable;
  login_flows: LoginFlowsTable;
  login_links: LoginLinksTable;
  user_passwords: UserPasswordsTable;
  audit_log: AuditLogTable;
  provisioning_log: ProvisioningLogTable;
  outbox: OutboxTable;
  workspaces: WorkspacesTable;
  sso_configs: SsoConfigsTable;
  scim_integrations: ScimIntegrationsTable;
  scim_tokens: ScimTokensTable;
  roles: RolesTable;
  teams: TeamsTable;
  users: UsersTable;
  user_contacts: UserContactsTable;
  user_teams: UserTeamsTable;
  workspace_counters: WorkspaceCountersTable;
  events: EventsTable;
  event_watermarks: EventWatermarksTable;
  api_keys: ApiKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** bigint columns: strings from pg, numbers from SQLite. */
type BigInt = number | string;

/** Directory events (migration 008); `recorded` is generated. */
export interface EventsTable {
  recorded: Generated<BigInt>;
  id: string;
  workspace_id: string;
  sequence: BigInt | null;
  position: BigInt | null;
  type: string;
  occurred_at: string;
  actor: string;
  trace_id: string | null;
  data: string;
}

export interface EventWatermarksTable {
  scope: string;
  pruned_through: BigInt;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string | null;
  name: string;
  key_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface WebhookEndpointsTable {
  id: string;
  workspace_id: string | null;
  url: string;
  secret: string;
  event_types: string | null;
  created_at: string;
  fanned_through: BigInt;
  disabled_at: string | null;
  disabled_reason: string | null;
}

export interface WebhookDeliveriesTable {
  endpoint_id: string;
  event_id: string;
  workspace_id: string;
  sequence: BigInt;
  type: string;
  status: string;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  first_attempt_at: string | null;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  claimed_until: string | null;
}

/** Per-workspace counters kept by triggers (migration 005). */
export interface WorkspaceCountersTable {
  workspace_id: string;
  /** Active users holding a non-guest role. bigint: strings from pg, numbers from SQLite. */
  seats_used: number | string;
  /** Users visible over SCIM. */
  scim_users: number | string;
  /** Bumped whenever a user enters or leaves the SCIM view (keyset paging validity). */
  scim_changes: number | string;
}
