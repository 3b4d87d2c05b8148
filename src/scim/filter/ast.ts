import type { ResolvedAttribute } from '../schema/resource-type.js';

/** Comparison operators of RFC 7644 §3.4.2.2. */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

/**
 * A filter as parsed, before it is checked against a schema. Paths are the attribute paths as
 * written (`name.givenName`, `urn:…:User:manager.value`); inside a `valuePath` the inner
 * filter's paths are sub-attribute names relative to `path`.
 */
export type Filter =
  | { readonly kind: 'compare'; readonly path: string; readonly op: CompareOperator; readonly value: FilterValue }
  | { readonly kind: 'present'; readonly path: string }
  | { readonly kind: 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  | { readonly kind: 'valuePath'; readonly path: string; readonly filter: Filter };

/**
 * A filter checked against a resource type: every path resolved to its definition, every value
 * converted to the attribute's type (dateTime as a normalised ISO-8601 UTC string with
 * milliseconds, booleans as booleans, integers and decimals as numbers).
 * Inside a `valuePath`, inner attributes are resolved relative to the outer attribute, so their
 * `subAttribute` is set.
 */
export type ResolvedFilter =
  | {
      readonly kind: 'compare';
      readonly attribute: ResolvedAttribute;
      readonly op: CompareOperator;
      readonly value: FilterValue;
    }
  | { readonly kind: 'present'; readonly attribute: ResolvedAttribute }
  | { readonly kind: 'and'; readonly left: ResolvedFilter; readonly right: ResolvedFilter }
  | { readonly kind: 'or'; readonly left: ResolvedFilter; readonly right: ResolvedFilter }
  | { readonly kind: 'not'; readonly filter: ResolvedFilter }
  | { readonly kind: 'valuePath'; readonly attribute: ResolvedAttribute; readonly filter: ResolvedFilter };

/** A PATCH path (RFC 7644 §3.5.2): `attrPath`, or `valuePath [ "." subAttr ]`. */
export interface PatchPath {
  readonly attributePath: string;
  readonly filter?: Filter;
  readonly subAttribute?: string;
}

/** A PATCH path resolved against a resource type. */
export interface ResolvedPatchPath {
  /** The attribute addressed; with `subAttribute` set when the path was `name.givenName`-style. */
  readonly attribute: ResolvedAttribute;
  /** Value filter selecting elements of a multi-valued attribute (or the value of a single-valued complex one). */
  readonly filter?: ResolvedFilter;
  /** Sub-attribute after a value filter: `emails[type eq "work"].value`. */
  readonly subAttribute?: ResolvedAttribute;
}
