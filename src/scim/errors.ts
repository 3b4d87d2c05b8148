/**
 * SCIM protocol errors (RFC 7644 §3.12).
 *
 * Every failure that reaches a client is a `ScimError`: an HTTP status, an optional
 * `scimType` from the RFC's table, a stable Roster `code` (documented in docs/errors.md and
 * kept in sync by a test), and a human `detail`. Programmer misuse throws `TypeError` instead.
 */

/** `scimType` values defined by RFC 7644 §3.12, Table 9. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

interface CatalogueEntry {
  readonly status: number;
  readonly scimType?: ScimType;
  readonly summary: string;
}

/** The error catalogue: one entry per stable code. docs/errors.md lists exactly these. */
export const ERROR_CATALOGUE = {
  unauthorized: { status: 401, summary: 'The bearer token is missing, malformed, unknown or revoked.' },
  operationRefused: {
    status: 403,
    summary: 'The operation is not allowed over SCIM (creating or deleting roles); do it in Roster.',
  },
  notFound: { status: 404, summary: 'No resource with this id exists in the workspace (or it was deleted).' },
  routeNotFound: { status: 404, summary: 'No SCIM endpoint at this path.' },
  methodNotAllowed: { status: 405, summary: 'The endpoint does not support this HTTP method.' },
  unsupportedMediaType: { status: 415, summary: 'The request body is not application/scim+json or application/json.' },
  expectationFailed: { status: 417, summary: 'The Expect header asks for something other than 100-continue.' },
  headersTooLarge: { status: 431, summary: 'The request line and headers are too large (a long GET filter); use POST /.search.' },
  payloadTooLarge: { status: 413, summary: 'The request body exceeds the size limit.' },
  invalidSyntax: { status: 400, scimType: 'invalidSyntax', summary: 'The body is not valid JSON or not a valid SCIM message.' },
  invalidFilter: { status: 400, scimType: 'invalidFilter', summary: 'The filter could not be parsed or names an unknown attribute.' },
  invalidPath: { status: 400, scimType: 'invalidPath', summary: 'A PATCH path is malformed or names an unknown attribute.' },
  noTarget: { status: 400, scimType: 'noTarget', summary: 'A PATCH path with a value filter matched nothing that can be removed.' },
  invalidValue: { status: 400, scimType: 'invalidValue', summary: 'A value has the wrong type, is missing, or is not allowed.' },
  mutability: { status: 400, scimType: 'mutability', summary: 'The request tries to change a read-only or immutable attribute.' },
  tooMany: { status: 400, scimType: 'tooMany', summary: 'The request exceeds a limit (operations, results, nesting).' },
  invalidParameter: { status: 400, summary: 'A query parameter (startIndex, count, sortBy, attributes...) is invalid.' },
  uniqueness: { status: 409, scimType: 'uniqueness', summary: 'A unique attribute (userName) is already taken in the workspace.' },
  preconditionFailed: { status: 412, summary: 'The If-Match version does not match the current resource version.' },
  seatLimit: { status: 409, summary: 'No free user license (seat) is left in the workspace.' },
  rateLimited: { status: 429, summary: 'Too many requests for this token; retry after the Retry-After header’s seconds.' },
  internal: { status: 500, summary: 'An unexpected server error; the trace id identifies it in the logs.' },
} as const satisfies Record<string, CatalogueEntry>;

export type ScimErrorCode = keyof typeof ERROR_CATALOGUE;

export class ScimError extends Error {
  readonly code: ScimErrorCode;
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;

  constructor(code: ScimErrorCode, detail: string, options?: { readonly cause?: unknown }) {
    super(detail, options);
    const entry: CatalogueEntry = ERROR_CATALOGUE[code];
    this.name = 'ScimError';
    this.code = code;
    this.status = entry.status;
    this.scimType = entry.scimType;
    this.detail = detail;
  }

  static invalidSyntax(detail: string): ScimError {
    return new ScimError('invalidSyntax', detail);
  }
  static invalidFilter(detail: string): ScimError {
    return new ScimError('invalidFilter', detail);
  }
  static invalidPath(detail: string): ScimError {
    return new ScimError('invalidPath', detail);
  }
  static invalidValue(detail: string): ScimError {
    return new ScimError('invalidValue', detail);
  }
  static noTarget(detail: string): ScimError {
    return new ScimError('noTarget', detail);
  }
  static mutability(detail: string): ScimError {
    return new ScimError('mutability', detail);
  }
  static tooMany(detail: string): ScimError {
    return new ScimError('tooMany', detail);
  }
  static invalidParameter(detail: string): ScimError {
    return new ScimError('invalidParameter', detail);
  }
  static notFound(detail: string): ScimError {
    return new ScimError('notFound', detail);
  }
  static uniqueness(detail: string): ScimError {
    return new ScimError('uniqueness', detail);
  }
}

export const isScimError = (value: unknown): value is ScimError => value instanceof ScimError;

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The RFC 7644 §3.12 error body. `status` is a string, as the RFC's examples show. */
export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export function errorBody(error: ScimError, traceId?: string): ScimErrorBody {
  const detail = traceId ? `${error.detail} (trace id ${traceId})` : error.detail;
  const body: ScimErrorBody = { schemas: [SCIM_ERROR_SCHEMA], status: String(error.status), detail };
  if (error.scimType) body.scimType = error.scimType;
  return body;
}
