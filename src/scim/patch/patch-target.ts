import { ScimError } from '../errors.js';
import type { PatchPath, ResolvedFilter } from '../filter/ast.js';
import { resolvePatchPath } from '../filter/filter-resolver.js';
import { parsePatchPath } from '../filter/patch-path-parser.js';
import type { AttributeDefinition, SchemaDefinition } from '../schema/attribute.js';
import type { ResolvedAttribute, ResourceType } from '../schema/resource-type.js';

/**
 * What one PATCH path addresses (RFC 7644 §3.5.2 `attrPath` or `valuePath [ "." subAttr ]`),
 * flattened: the top-level attribute, an optional value filter, and an optional sub-attribute
 * (from `name.givenName` or from `emails[type eq "work"].value`).
 */
export interface PatchTarget {
  /** The path (or path-less key) as the client wrote it, for messages. */
  readonly text: string;
  /** The top-level attribute (never carries a sub-attribute). */
  readonly attribute: ResolvedAttribute;
  readonly filter?: ResolvedFilter;
  readonly sub?: AttributeDefinition;
}

/** Parses and resolves a PATCH path; unknown attributes are `invalidPath` (from the resolver). */
export function resolveTarget(type: ResourceType, text: string): PatchTarget {
  return targetFromParsed(type, text, parsePatchPath(text));
}

export function targetFromParsed(type: ResourceType, text: string, parsed: PatchPath): PatchTarget {
  const resolved = resolvePatchPath(parsed, type);
  const { attribute } = resolved;
  if (resolved.filter && attribute.subAttribute) {
    throw ScimError.invalidPath(`'${text}': a value filter must follow a top-level attribute`);
  }
  const sub = resolved.subAttribute?.subAttribute ?? resolved.subAttribute?.definition ?? attribute.subAttribute;
  if (resolved.filter && attribute.attribute.type !== 'complex') {
    throw ScimError.invalidPath(`'${text}': '${attribute.attribute.name}' is not complex, so it takes no value filter`);
  }
  return {
    text,
    attribute: topLevel(attribute),
    ...(resolved.filter ? { filter: resolved.filter } : {}),
    ...(sub ? { sub } : {}),
  };
}

/** True when the path ends at a read-only attribute or sub-attribute (`id`, `meta.created`, `groups`, `members.display`). */
export function isReadOnlyTarget(target: PatchTarget): boolean {
  return target.attribute.attribute.mutability === 'readOnly' || target.sub?.mutability === 'readOnly';
}

/**
 * The schema a path or key names, if it is a schema URN. Only URN-shaped text is looked up:
 * ResourceType.schemaFor reads an alias table that is a plain object, so "constructor" or
 * "__proto__" would reach Object.prototype there and throw a TypeError.
 */
export function schemaNamed(type: ResourceType, text: string): SchemaDefinition | undefined {
  return /^urn:/i.test(text) ? type.schemaFor(text) : undefined;
}

/**
 * `schemas` as a PATCH path. It is not an attribute of any schema, so the resolver would call it
 * unknown (invalidPath); but it is required (RFC 7643 §3) and derived from the attributes the
 * resource holds, so changing or removing it is refused as RFC 7644 §3.5.2.2 has for required
 * attributes: 400 mutability.
 */
export function refuseSchemasPath(text: string): void {
  if (text.trim().toLowerCase() === 'schemas') {
    throw ScimError.mutability(
      "'schemas' is required and set by the server from the attributes the resource holds; it cannot be changed or removed",
    );
  }
}

function topLevel(resolved: ResolvedAttribute): ResolvedAttribute {
  if (!resolved.subAttribute) return resolved;
  const prefix = resolved.inExtension ? `${resolved.schemaId}:` : '';
  return {
    schemaId: resolved.schemaId,
    inExtension: resolved.inExtension,
    attribute: resolved.attribute,
    definition: resolved.attribute,
    key: `${prefix}${resolved.attribute.name}`,
  };
}
