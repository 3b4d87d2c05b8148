import { ScimError } from '../errors.js';
import type { PatchPath, ResolvedFilter } from '../filter/ast.js';
import { resolvePatchPath } from '../filter/filter-resolver.js';
import { parsePatchPath } from '../filter/patch-path-parser.js';
import type { AttributeDefinition } from '../schema/attribute.js';
import { containerFor, type ScimResource } from '../schema/resource-checker.js';
import type { ResolvedAttribute, ResourceType } from '../schema/resource-type.js';

/**
 * What one PATCH path addresses (RFC 7644 §3.5.2 `attrPath` or `valuePath [ "." subAttr ]`),
 * flattened for the engine: the top-level attribute, an optional value filter, and an optional
 * sub-attribute (from `name.givenName` or from `emails[type eq "work"].value`).
 */
export interface PatchTarget {
  /** The path as the client wrote it, for messages. */
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

/** The current value of a top-level attribute, or undefined. */
export function readAttribute(resource: ScimResource, attribute: ResolvedAttribute): unknown {
  return containerFor(resource, attribute, false)?.[attribute.attribute.name];
}

/** Sets a top-level attribute (creating the extension object when needed). */
export function writeAttribute(resource: ScimResource, attribute: ResolvedAttribute, value: unknown): void {
  const container = containerFor(resource, attribute, true);
  if (container) container[attribute.attribute.name] = value;
}

export function deleteAttribute(resource: ScimResource, attribute: ResolvedAttribute): void {
  const container = containerFor(resource, attribute, false);
  if (container) delete container[attribute.attribute.name];
}
