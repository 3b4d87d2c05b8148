import { ScimError } from '../errors.js';
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
  return { resource, warnings };
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
