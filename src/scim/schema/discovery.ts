import type { AttributeDefinition, SchemaDefinition } from './attribute.js';
import type { ResourceType } from './resource-type.js';
import { URN } from './urns.js';

/** Service-provider limits advertised in /ServiceProviderConfig and enforced by the engine. */
export interface ServiceLimits {
  readonly maxOperations: number;
  readonly maxPayloadSize: number;
  readonly maxResults: number;
}

/** RFC 7643 §7 representation of an attribute definition. */
function describeAttribute(attribute: AttributeDefinition): Record<string, unknown> {
  return {
    name: attribute.name,
    type: attribute.type,
    multiValued: attribute.multiValued,
    description: describeLimits(attribute),
    required: attribute.required,
    caseExact: attribute.caseExact,
    mutability: attribute.mutability,
    returned: attribute.returned,
    uniqueness: attribute.uniqueness,
    ...(attribute.canonicalValues ? { canonicalValues: attribute.canonicalValues } : {}),
    ...(attribute.referenceTypes ? { referenceTypes: attribute.referenceTypes } : {}),
    ...(attribute.subAttributes ? { subAttributes: attribute.subAttributes.map(describeAttribute) } : {}),
  };
}

/**
 * The attribute's description, with Roster's value limit when it has one. `maxItems` is not an
 * RFC 7643 §7 characteristic, and clients that validate /Schemas strictly may reject unknown
 * ones, so the limit is stated in words where every client shows it.
 */
function describeLimits(attribute: AttributeDefinition): string {
  if (attribute.maxItems === undefined) return attribute.description;
  const limit = `At most ${attribute.maxItems} values.`;
  return attribute.description === '' ? limit : `${attribute.description} ${limit}`;
}

/** A Schema resource (RFC 7643 §7), as served at /Schemas/{id}. */
export function describeSchema(schema: SchemaDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [URN.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(describeAttribute),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

/** A ResourceType resource (RFC 7643 §6). */
export function describeResourceType(type: ResourceType, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [URN.resourceType],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    ...(type.extensions.length > 0
      ? { schemaExtensions: type.extensions.map((e) => ({ schema: e.schema.id, required: e.required })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.name}` },
  };
}

/** The ServiceProviderConfig resource (RFC 7643 §5). */
export function describeServiceProvider(baseUrl: string, limits: ServiceLimits, documentationUri?: string) {
  return {
    schemas: [URN.serviceProviderConfig],
    ...(documentationUri ? { documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with the workspace SCIM token, sent as "Authorization: Bearer <token>".',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}
