import { ScimError } from '../errors.js';
import type { AttributeDefinition } from './attribute.js';
import type { ScimResource } from './resource-checker.js';
import type { ResolvedAttribute, ResourceType } from './resource-type.js';
import { isJsonObject, type JsonObject } from './value-normalizer.js';

/** The `attributes` / `excludedAttributes` request (RFC 7644 §3.4.2.5), resolved once per request. */
export interface Projection {
  readonly attributes: readonly ResolvedAttribute[];
  readonly excludedAttributes: readonly ResolvedAttribute[];
}

export const DEFAULT_PROJECTION: Projection = Object.freeze({ attributes: [], excludedAttributes: [] });

/** Parses comma-separated attribute lists; unknown names are a client error. */
export function parseProjection(
  type: ResourceType,
  attributes: string | readonly string[] | undefined,
  excludedAttributes: string | readonly string[] | undefined,
): Projection {
  return {
    attributes: resolveList(type, attributes, 'attributes'),
    excludedAttributes: resolveList(type, excludedAttributes, 'excludedAttributes'),
  };
}

function resolveList(type: ResourceType, input: string | readonly string[] | undefined, name: string): ResolvedAttribute[] {
  if (input === undefined) return [];
  const items = (typeof input === 'string' ? input.split(',') : input)
    .map((s) => s.trim())
    // `schemas` belongs to every resource and is always returned (RFC 7643 §3).
    .filter((s) => s !== '' && s.toLowerCase() !== 'schemas');
  return items.map((item) => {
    const resolved = type.resolve(item) ?? resolveWholeSchema(type, item);
    if (!resolved) throw ScimError.invalidParameter(`'${name}' names an unknown attribute '${item}'`);
    return resolved;
  });
}

/** `attributes=urn:…:enterprise:2.0:User` asks for the whole extension. */
function resolveWholeSchema(type: ResourceType, urn: string): ResolvedAttribute | undefined {
  const schema = type.schemaFor(urn);
  if (!schema || schema.id === type.schema.id) return undefined;
  const pseudo: AttributeDefinition = {
    name: schema.id,
    type: 'complex',
    multiValued: false,
    description: schema.description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    subAttributes: schema.attributes,
  };
  return { schemaId: schema.id, inExtension: false, attribute: pseudo, definition: pseudo, key: schema.id };
}

/**
 * Shapes a stored resource for a response: drops `returned: never` attributes, keeps `always`
 * ones, and applies the client's attribute selection. `schemas` lists only the extensions
 * present in the result.
 */
export function projectResource(type: ResourceType, resource: ScimResource, projection: Projection): ScimResource {
  const output: JsonObject = {};
  const include = projection.attributes;
  const exclude = projection.excludedAttributes;
  const plain = include.length === 0 && exclude.length === 0;
  const names = namesOf(type);
  for (const key in resource) {
    const value = resource[key];
    if (key === 'schemas' || value === undefined || value === null) continue;
    const name = names.top(key);
    if (name === undefined) continue;
    if (name.extension) {
      if (!isJsonObject(value)) continue;
      const projected = plain
        ? projectPlainObject(names, name.extension, value)
        : projectObject(type, `${name.extension}:`, value, include, exclude, key);
      if (Object.keys(projected).length > 0) output[name.extension] = projected;
      continue;
    }
    const resolved = name.resolved;
    // Without a selection only `returned` decides (projectAttribute's answer for empty lists).
    const kept = plain ? plainValue(resolved, value) : projectAttribute(resolved, value, include, exclude);
    if (kept !== undefined) output[resolved.attribute.name] = kept;
  }
  const schemas = [type.schema.id];
  for (const extension of type.extensions) if (extension.schema.id in output) schemas.push(extension.schema.id);
  return { schemas, ...output };
}

/** What projectAttribute returns for an empty selection. */
function plainValue(resolved: ResolvedAttribute, value: unknown): unknown {
  const returned = resolved.attribute.returned;
  return returned === 'never' || returned === 'request' ? undefined : value;
}

/** What projectObject returns for an empty selection. */
function projectPlainObject(names: ResolvedNames, extensionId: string, value: JsonObject): JsonObject {
  const output: JsonObject = {};
  for (const key in value) {
    const resolved = names.inner(extensionId, key);
    if (!resolved) continue;
    const kept = plainValue(resolved, value[key]);
    if (kept !== undefined) output[resolved.attribute.name] = kept;
  }
  return output;
}

/**
 * Attribute names resolved once per resource type and key, not once per resource: a page of
 * 100 users asks the same ~20 names 100 times. Keys are what resources hold (canonical names
 * and extension URNs), so the memo stays small; unknown keys are remembered as such.
 */
interface ResolvedNames {
  top(key: string): { readonly extension?: string; readonly resolved: ResolvedAttribute } | undefined;
  inner(extensionId: string, key: string): ResolvedAttribute | undefined;
}

const NAMES = new WeakMap<ResourceType, ResolvedNames>();
const NAME_MEMO_LIMIT = 1000;

function namesOf(type: ResourceType): ResolvedNames {
  let names = NAMES.get(type);
  if (names) return names;
  const tops = new Map<string, { readonly extension?: string; readonly resolved: ResolvedAttribute } | null>();
  const inners = new Map<string, ResolvedAttribute | null>();
  const remember = <V>(memo: Map<string, V>, key: string, value: V): V => {
    if (memo.size < NAME_MEMO_LIMIT) memo.set(key, value);
    return value;
  };
  names = {
    top(key) {
      const known = tops.get(key);
      if (known !== undefined) return known ?? undefined;
      const extension = type.schemaFor(key);
      if (extension && extension.id !== type.schema.id) {
        return remember(tops, key, { extension: extension.id, resolved: undefined as unknown as ResolvedAttribute }) ?? undefined;
      }
      const resolved = type.resolve(key);
      return remember(tops, key, resolved ? { resolved } : null) ?? undefined;
    },
    inner(extensionId, key) {
      const path = `${extensionId}:${key}`;
      const known = inners.get(path);
      if (known !== undefined) return known ?? undefined;
      return remember(inners, path, type.resolve(path) ?? null) ?? undefined;
    },
  };
  NAMES.set(type, names);
  return names;
}

function projectObject(
  type: ResourceType,
  prefix: string,
  value: JsonObject,
  include: readonly ResolvedAttribute[],
  exclude: readonly ResolvedAttribute[],
  schemaKey: string,
): JsonObject {
  const wholeIncluded = include.some((a) => a.key === schemaKey);
  const wholeExcluded = exclude.some((a) => a.key === schemaKey);
  if (wholeExcluded) return {};
  const output: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    const resolved = type.resolve(`${prefix}${key}`);
    if (!resolved) continue;
    const kept = projectAttribute(resolved, inner, wholeIncluded ? [] : include, exclude);
    if (kept !== undefined) output[resolved.attribute.name] = kept;
  }
  return output;
}

function projectAttribute(
  resolved: ResolvedAttribute,
  value: unknown,
  include: readonly ResolvedAttribute[],
  exclude: readonly ResolvedAttribute[],
): unknown {
  const definition = resolved.attribute;
  if (definition.returned === 'never') return undefined;
  if (definition.returned === 'always') return value;
  const sameAttribute = (a: ResolvedAttribute) => a.attribute === definition && a.schemaId === resolved.schemaId;
  if (include.length > 0) {
    const selections = include.filter(sameAttribute);
    if (selections.length === 0) return undefined;
    if (selections.some((s) => !s.subAttribute)) return stripSubAttributes(definition, value, [], exclude, sameAttribute);
    const wanted = selections.map((s) => s.subAttribute as AttributeDefinition);
    return stripSubAttributes(definition, value, wanted, exclude, sameAttribute);
  }
  if (definition.returned === 'request') return undefined;
  const exclusions = exclude.filter(sameAttribute);
  if (exclusions.some((e) => !e.subAttribute)) return undefined;
  return stripSubAttributes(definition, value, [], exclusions, sameAttribute);
}

/** Keeps only `wanted` sub-attributes (all when empty) minus excluded ones, in each element. */
function stripSubAttributes(
  definition: AttributeDefinition,
  value: unknown,
  wanted: readonly AttributeDefinition[],
  exclude: readonly ResolvedAttribute[],
  sameAttribute: (a: ResolvedAttribute) => boolean,
): unknown {
  if (definition.type !== 'complex') return value;
  const excluded = exclude.filter(sameAttribute).flatMap((e) => (e.subAttribute ? [e.subAttribute.name] : []));
  if (wanted.length === 0 && excluded.length === 0) return value;
  const keep = (sub: string) => {
    const subDefinition = definition.subAttributes?.find((s) => s.name === sub);
    if (subDefinition?.returned === 'always') return true;
    if (excluded.includes(sub)) return false;
    return wanted.length === 0 || wanted.some((w) => w.name === sub);
  };
  const strip = (element: unknown) =>
    isJsonObject(element) ? Object.fromEntries(Object.entries(element).filter(([k]) => keep(k))) : element;
  if (Array.isArray(value)) {
    const stripped = value.map(strip).filter((e) => !isJsonObject(e) || Object.keys(e).length > 0);
    return stripped.length > 0 ? stripped : undefined;
  }
  const stripped = strip(value);
  return isJsonObject(stripped) && Object.keys(stripped).length === 0 ? undefined : stripped;
}
