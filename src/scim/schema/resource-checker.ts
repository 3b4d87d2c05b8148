import { ScimError } from '../errors.js';
import type { AttributeDefinition } from './attribute.js';
import type { ResolvedAttribute, ResourceType } from './resource-type.js';
import { CLEAR, describe, isEmpty, isJsonObject, type JsonObject, normalizeValue } from './value-normalizer.js';

/**
 * A resource in canonical form: attribute names spelled as in the schema, extension attributes
 * under their schema URN, values typed. `null` means "clear" in request bodies and never appears
 * in stored resources.
 */
export type ScimResource = JsonObject;

export interface CheckedResource {
  /** Only the attributes the client asserted; `null` values ask to clear. */
  readonly resource: ScimResource;
  /** Input that was ignored (unknown attributes, unknown schema URNs), for the provisioning log. */
  readonly warnings: string[];
}

/**
 * Checks and normalises a POST or PUT body against a resource type (RFC 7643 §2, RFC 7644 §3.3).
 * Read-only attributes (`id`, `meta`, `groups`) and unknown attributes are ignored rather than
 * rejected, because IdPs echo whole resources back (Okta's PUT) or send attributes Roster does
 * not store (`password`, `roles`). Type errors and a missing required attribute are rejected.
 */
export function checkResource(type: ResourceType, body: unknown): CheckedResource {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax(`the request body must be a JSON object, got ${describe(body)}`);
  const warnings: string[] = [];
  const resource: ScimResource = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') {
      checkSchemasList(value);
      continue;
    }
    const extension = type.schemaFor(key);
    if (extension && extension.id !== type.schema.id) {
      assignExtension(type, extension.id, value, resource, warnings);
      continue;
    }
    if (extension) {
      // The core schema URN used as a key ("urn:…:core:2.0:User": {…}): treat its members as top level.
      if (isJsonObject(value)) for (const [k, v] of Object.entries(value)) assignPath(type, k, v, resource, warnings);
      continue;
    }
    assignPath(type, key, value, resource, warnings);
  }
  for (const attribute of type.schema.attributes) {
    if (attribute.required && (resource[attribute.name] === undefined || resource[attribute.name] === CLEAR)) {
      throw ScimError.invalidValue(`'${attribute.name}' is required`);
    }
  }
  forEachAttribute(type, resource, (attribute, container, key) => {
    if (attribute.removable === false && container[attribute.name] === CLEAR) {
      throw ScimError.invalidValue(`'${key}' cannot be null or empty: it always has a value; send one or leave '${key}' out`);
    }
  });
  checkValueCounts(type, resource);
  return { resource, warnings };
}

/**
 * Refuses a multi-valued attribute with more values than its `maxItems` (attribute.ts), with
 * 400 invalidValue naming the attribute, the count and the limit. Runs on checked POST and PUT
 * bodies and after every PATCH operation, before any SQL. `baseline` is the stored resource a
 * PATCH started from: a list stored before the limit existed may stay as long as it was, or
 * shrink, but not grow.
 */
export function checkValueCounts(type: ResourceType, resource: ScimResource, baseline?: ScimResource): void {
  forEachAttribute(type, resource, (attribute, container, key) => {
    const list = container[attribute.name];
    if (attribute.maxItems === undefined || !Array.isArray(list) || list.length <= attribute.maxItems) return;
    if (baseline && list.length <= valueCount(type, baseline, key)) return;
    throw ScimError.invalidValue(`'${key}' has ${list.length} values; at most ${attribute.maxItems} are allowed`);
  });
}

/** How many values the multi-valued attribute `key` (canonical spelling) has in a resource. */
function valueCount(type: ResourceType, resource: ScimResource, key: string): number {
  let count = 0;
  forEachAttribute(type, resource, (attribute, container, name) => {
    const list = container[attribute.name];
    if (name === key && Array.isArray(list)) count = list.length;
  });
  return count;
}

/**
 * Calls `visit` for every top-level attribute of the resource type's schemas that the resource
 * holds (a value or a CLEAR marker), with the object holding it and its canonical key (`emails`,
 * `urn:…:Teams:2.0:User:teams`).
 */
function forEachAttribute(
  type: ResourceType,
  resource: ScimResource,
  visit: (attribute: AttributeDefinition, container: JsonObject, key: string) => void,
): void {
  for (const schemaId of type.schemaIds) {
    const core = schemaId === type.schema.id;
    const container = core ? resource : resource[schemaId];
    const schema = type.schemaFor(schemaId);
    if (!schema || !isJsonObject(container)) continue;
    for (const attribute of schema.attributes) {
      if (Object.hasOwn(container, attribute.name)) visit(attribute, container, core ? attribute.name : `${schemaId}:${attribute.name}`);
    }
  }
}

function checkSchemasList(value: unknown): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw ScimError.invalidSyntax("'schemas' must be an array of schema URNs");
  }
}

function assignExtension(type: ResourceType, schemaId: string, value: unknown, resource: ScimResource, warnings: string[]): void {
  if (value === null) {
    resource[schemaId] = CLEAR;
    return;
  }
  if (!isJsonObject(value)) throw ScimError.invalidValue(`'${schemaId}' must be an object, got ${describe(value)}`);
  for (const [key, inner] of Object.entries(value)) assignPath(type, `${schemaId}:${key}`, inner, resource, warnings);
}

/** Sets one attribute, given as a name, a dotted path or a URN path, into the canonical resource. */
function assignPath(type: ResourceType, path: string, value: unknown, resource: ScimResource, warnings: string[]): void {
  const resolved = type.resolve(path);
  if (!resolved) {
    if (value !== null && value !== undefined) warnings.push(`ignored unknown attribute '${path}'`);
    return;
  }
  if (resolved.definition.mutability === 'readOnly' || resolved.attribute.mutability === 'readOnly') return;
  if (resolved.subAttribute && resolved.attribute.multiValued) {
    warnings.push(`ignored '${path}': a sub-attribute of a multi-valued attribute needs a value filter`);
    return;
  }
  const normalized = normalizeValue(resolved.definition, value, { path: resolved.key, warnings });
  if (normalized === CLEAR && !isEmpty(value)) {
    // Only unknown parts (OneLogin's `manager: {managerId}`): nothing asserted, nothing cleared.
    warnings.push(`ignored '${path}': none of its parts is known`);
    return;
  }
  setResolved(resource, resolved, normalized);
}

/** Writes a value at a resolved path, creating the parent objects it needs. */
export function setResolved(resource: ScimResource, resolved: ResolvedAttribute, value: unknown): void {
  const container = containerFor(resource, resolved, true) as JsonObject;
  if (!resolved.subAttribute) {
    container[resolved.attribute.name] = value;
    return;
  }
  const current = container[resolved.attribute.name];
  const parent: JsonObject = isJsonObject(current) ? current : {};
  parent[resolved.subAttribute.name] = value;
  container[resolved.attribute.name] = parent;
}

/** The object holding a resolved attribute: the resource itself, or its extension object. */
export function containerFor(resource: ScimResource, resolved: ResolvedAttribute, create: boolean): JsonObject | undefined {
  if (!resolved.inExtension) return resource;
  const existing = resource[resolved.schemaId];
  if (isJsonObject(existing)) return existing;
  if (!create) return undefined;
  const created: JsonObject = {};
  resource[resolved.schemaId] = created;
  return created;
}
