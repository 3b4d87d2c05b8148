/**
 * The application API's contract as JSON Schema (docs/api.md): Fastify validates requests and
 * serialises responses with these, and /api/v1/openapi.json is generated from them, so the
 * document cannot drift from what the routes do.
 */

import type { AppUser } from '../directory/events/event-model.js';

const nullableString = { type: ['string', 'null'] } as const;

export const namedRef = {
  $id: 'NamedRef',
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string' } },
} as const;

/** The app user's fields: the compiler checks they are exactly those of the domain's AppUser (events/app-user.ts). */
const appUserProperties = {
  id: { type: 'string' },
  workspace: { type: 'string', description: 'The workspace slug.' },
  userName: { type: 'string' },
  email: { type: 'string' },
  givenName: nullableString,
  familyName: nullableString,
  displayName: { type: 'string' },
  active: { type: 'boolean' },
  role: { anyOf: [{ $ref: 'NamedRef#' }, { type: 'null' }] },
  teams: { type: 'array', items: { $ref: 'NamedRef#' } },
  language: nullableString,
  timezone: nullableString,
  title: nullableString,
  department: nullableString,
  externalId: nullableString,
  managedBy: { type: 'string', enum: ['scim', 'app'] },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
} as const satisfies Record<keyof AppUser, object>;

export const appUser = {
  $id: 'AppUser',
  type: 'object',
  description: 'A user as the app sees it: stable camelCase fields, not SCIM.',
  // Every field is always present (null when unset).
  required: Object.keys(appUserProperties) as (keyof AppUser)[],
  properties: appUserProperties,
} as const;

export const event = {
  $id: 'Event',
  type: 'object',
  description: 'A directory event (docs/events.md). `data` depends on `type`.',
  required: ['id', 'type', 'workspace', 'sequence', 'occurredAt', 'actor', 'traceId', 'data'],
  properties: {
    id: { type: 'string', description: 'evt_…; the webhook-id of its deliveries.' },
    type: { type: 'string' },
    workspace: { type: 'string' },
    sequence: { type: 'integer', description: 'Strictly increasing per workspace, in commit order.' },
    occurredAt: { type: 'string', format: 'date-time' },
    actor: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['scim', 'console', 'cli', 'system'] },
        provider: { type: 'string' },
        email: { type: 'string' },
        user: { type: 'string' },
      },
    },
    traceId: nullableString,
    data: { type: 'object', additionalProperties: true },
  },
} as const;

export const workspace = {
  $id: 'Workspace',
  type: 'object',
  required: ['slug', 'name', 'plan', 'seats', 'seatsUsed', 'scim'],
  properties: {
    slug: { type: 'string' },
    name: { type: 'string' },
    plan: { type: 'string', enum: ['standard', 'business', 'enterprise'] },
    seats: { type: 'integer' },
    seatsUsed: { type: 'integer' },
    scim: {
      type: 'object',
      required: ['provider', 'enabled'],
      properties: { provider: nullableString, enabled: { type: 'boolean' } },
    },
  },
} as const;

export const role = {
  $id: 'Role',
  type: 'object',
  required: ['id', 'name', 'level', 'guest'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, level: { type: 'integer' }, guest: { type: 'boolean' } },
} as const;

export const apiError = {
  $id: 'Error',
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: {
      type: 'string',
      enum: ['invalid_request', 'unauthorized', 'not_found', 'cursor_expired', 'rate_limited', 'internal'],
    },
    message: { type: 'string' },
  },
} as const;

/** Every shared schema, added to the API's Fastify scope (and so to the OpenAPI document's components). */
export const SHARED_SCHEMAS = [namedRef, appUser, event, workspace, role, apiError] as const;

/** The error answers every authenticated route can give. */
export const ERROR_RESPONSES = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
  429: { $ref: 'Error#' },
} as const;

export const slugParams = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', maxLength: 63 } },
} as const;
