import type { ScimResource } from './resource-checker.js';
import type { ResourceType } from './resource-type.js';
import { isJsonObject, type JsonObject } from './value-normalizer.js';

/** A checked body without its "clear" markers (`null`): what a new resource holds. */
export function withoutNulls(resource: ScimResource): ScimResource {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (value === null) continue;
    result[key] = isJsonObject(value) ? withoutNulls(value) : value;
  }
  return result;
}

/**
 * Overlays asserted attributes on a stored resource, as a PUT that leaves unmentioned attributes
 * as they are (RFC 7644 §3.5.1 allows it): top-level attributes, and each extension's attributes,
 * are replaced wholesale; `null` clears; anything not asserted is kept.
 */
export function mergeAsserted(type: ResourceType, base: ScimResource, asserted: ScimResource): ScimResource {
  const extensions = new Set(type.extensions.map((e) => e.schema.id));
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(asserted)) {
    if (value === null) {
      delete merged[key];
    } else if (extensions.has(key) && isJsonObject(value)) {
      merged[key] = withoutNulls({ ...(isJsonObject(merged[key]) ? merged[key] : {}), ...value });
    } else {
      merged[key] = isJsonObject(value) ? withoutNulls(value) : value;
    }
  }
  return merged;
}
