import { newId } from '../../src/directory/ids.js';
import type { LogInput } from '../../src/directory/log/provisioning-log.js';
import type { ProvisioningLogEntry } from '../../src/directory/model.js';

/** A provisioning-log entry as the log records it (no id yet), at `timeMs`. */
export function logInput(workspaceId: string, timeMs: number, overrides: Partial<LogInput> = {}): LogInput {
  return {
    workspaceId,
    time: new Date(timeMs).toISOString(),
    traceId: `trace-${timeMs}`,
    method: 'GET',
    path: '/scim/v2/Users',
    status: 200,
    resourceId: null,
    detail: null,
    errorCode: null,
    warnings: [],
    ...overrides,
  };
}

export function logEntry(workspaceId: string, timeMs: number, overrides: Partial<ProvisioningLogEntry> = {}): ProvisioningLogEntry {
  return { id: newId(timeMs), ...logInput(workspaceId, timeMs), ...overrides };
}
