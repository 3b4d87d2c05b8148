import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';
import * as logAndOutbox from './002-log-and-outbox.js';
import * as auditLog from './003-audit-log.js';
import * as consoleSignIn from './004-console.js';
import * as counters from './005-counters.js';
import * as profileUrl from './006-profile-url.js';
import * as logErrorCode from './007-log-error-code.js';
import * as events from './008-events.js';
import * as deliveryRetention from './009-delivery-retention.js';

/** Forward-only migrations, applied in key order; the applied set is recorded by Kysely's Migrator. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-log-and-outbox': logAndOutbox,
  '003-audit-log': auditLog,
  '004-console': consoleSignIn,
  '005-counters': counters,
  '006-profile-url': profileUrl,
  '007-log-error-code': logErrorCode,
  '008-events': events,
  '009-delivery-retention': deliveryRetention,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
