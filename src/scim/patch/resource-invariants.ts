import { ScimError } from '../errors.js';
import type { ScimResource } from '../schema/resource-checker.js';
import type { ResourceType } from '../schema/resource-type.js';
import { isEmpty, isJsonObject } from '../schema/value-normalizer.js';
import { settlePrimary } from './element-ops.js';

/**
 * Re-establishes what a stored resource must satisfy after a PATCH: no empty values (absent,
 * never `[]` or `{}`), at most one primary element per multi-valued attribute (RFC 7643 §2.4),
 * the core schema's required attributes (userName, displayName) still present, and every
 * attribute the PATCH started with that is not `removable` (active) still present.
 *
 * RFC 7644 §3.5.2.2: "If an attribute is removed or becomes unassigned and is defined as a
 * required attribute or a read-only attribute, the server SHALL return … a "scimType" error code
 * of "mutability"." Whether the PATCH used remove, a null or empty value, or a path-less
 * replace, such an attribute is refused, never silently kept or silently defaulted.
 */
export function settleResource(type: ResourceType, resource: ScimResource, before?: ScimResource): void {
  pruneEmpty(resource);
  for (const schemaId of type.schemaIds) {
    const schema = type.schemaFor(schemaId);
    const core = schemaId === type.schema.id;
    const container = core ? resource : resource[schemaId];
    const earlier = core ? before : before?.[schemaId];
    for (const attribute of schema?.attributes ?? []) {
      const value = isJsonObject(container) ? container[attribute.name] : undefined;
      if (attribute.multiValued && Array.isArray(value)) settlePrimary(attribute, value);
      if (value !== undefined) continue;
      const key = core ? attribute.name : `${schemaId}:${attribute.name}`;
      if (core && attribute.required) {
        throw ScimError.mutability(`'${key}' is required and cannot be removed (RFC 7644 §3.5.2.2); replace it with a new value instead`);
      }
      if (attribute.removable === false && isJsonObject(earlier) && earlier[attribute.name] !== undefined) {
        const hint = attribute.type === 'boolean' ? 'true or false' : 'a new value';
        throw ScimError.mutability(`'${key}' cannot be removed: it always has a value; replace it with ${hint} instead`);
      }
    }
  }
}

/**
 * Drops empty values (null, "", [], {}) from an object, recursively and in place, so an
 * attribute is either present with content or absent — never `[]` or `{}` (RFC 7643 §2.5).
 */
function pruneEmpty(object: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(object)) {
    const pruned = pruneValue(value);
    if (pruned === undefined) delete object[key];
    else object[key] = pruned;
  }
}

function pruneValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(pruneValue).filter((item) => item !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isJsonObject(value)) pruneEmpty(value);
  return isEmpty(value) ? undefined : value;
}
