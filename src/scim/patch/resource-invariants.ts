import { ScimError } from '../errors.js';
import type { ScimResource } from '../schema/resource-checker.js';
import type { ResourceType } from '../schema/resource-type.js';
import { isJsonObject } from '../schema/value-normalizer.js';
import { settlePrimary } from './element-values.js';
import { pruneEmpty } from './json-values.js';

/**
 * Re-establishes what a stored resource must satisfy after a PATCH: no empty values (absent,
 * never `[]` or `{}`), at most one primary element per multi-valued attribute (RFC 7643 §2.4),
 * and the core schema's required attributes (userName, displayName) still present.
 */
export function settleResource(type: ResourceType, resource: ScimResource): void {
  pruneEmpty(resource);
  for (const schemaId of type.schemaIds) {
    const schema = type.schemaFor(schemaId);
    const container = schemaId === type.schema.id ? resource : resource[schemaId];
    if (!schema || !isJsonObject(container)) continue;
    for (const attribute of schema.attributes) {
      const list = container[attribute.name];
      if (attribute.multiValued && Array.isArray(list)) settlePrimary(attribute, list);
    }
  }
  for (const attribute of type.schema.attributes) {
    if (attribute.required && resource[attribute.name] === undefined) {
      throw ScimError.invalidValue(`'${attribute.name}' is required and cannot be removed`);
    }
  }
}
