import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProvisioningLog } from '../directory/log/provisioning-log.js';

export interface RequestAudit {
  resourceId?: string;
  detail?: string;
  /** The error catalogue code the request failed with (docs/errors.md). */
  errorCode?: string;
  warnings: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** What the provisioning log records about this request besides method, path and status. */
    audit: RequestAudit;
  }
}

/** Records every authenticated SCIM request in its workspace's provisioning log. */
export function registerProvisioningLog(scope: FastifyInstance, log: ProvisioningLog): void {
  scope.decorateRequest('audit', null as unknown as RequestAudit);
  scope.addHook('onRequest', async (request) => {
    request.audit = { warnings: [] };
  });
  scope.addHook('onResponse', async (request, reply) => {
    if (!request.workspace) return;
    const params = request.params as { id?: unknown } | undefined;
    const resourceId = request.audit.resourceId ?? (typeof params?.id === 'string' ? params.id : undefined);
    log.record({
      workspaceId: request.workspace.id,
      time: new Date().toISOString(),
      traceId: request.id,
      method: request.method,
      // Raw as received: the log cleans, redacts (`?access_token=…`, Roster tokens) and bounds it.
      path: request.url,
      status: reply.statusCode,
      resourceId: resourceId ?? null,
      detail: request.audit.detail ?? null,
      errorCode: request.audit.errorCode ?? null,
      warnings: request.audit.warnings,
    });
  });
}

/** Notes a write's outcome on the request for the log. */
export function noteResult(request: FastifyRequest, result: { resource: { id?: unknown }; warnings: readonly string[] }): void {
  if (!request.audit) return;
  if (typeof result.resource.id === 'string') request.audit.resourceId = result.resource.id;
  request.audit.warnings.push(...result.warnings);
}
