import { type AttributeDefinition, findAttribute, findSubAttribute, type SchemaDefinition } from './attribute.js';
import { COMMON_ATTRIBUTES } from './common-attributes.js';
import { GROUP_SCHEMA } from './group-schema.js';
import { URN, URN_ALIASES } from './urns.js';
import { ENTERPRISE_USER_SCHEMA, TEAMS_USER_SCHEMA, USER_SCHEMA } from './user-schema.js';

/** An attribute path resolved against a resource type's schemas. */
export interface ResolvedAttribute {
  /** URN of the schema the attribute belongs to (the core schema for common attributes). */
  readonly schemaId: string;
  /** True when the attribute lives in an extension (its JSON sits under the extension URN). */
  readonly inExtension: boolean;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
  /** The definition the path ends at: the sub-attribute if there is one. */
  readonly definition: AttributeDefinition;
  /**
   * Canonical spelling: `name.givenName`, `emails.value`, `meta.lastModified`, or for extension
   * attributes the full URN form `urn:…:enterprise:2.0:User:manager.value`.
   */
  readonly key: string;
}

export interface SchemaExtension {
  readonly schema: SchemaDefinition;
  readonly required: boolean;
}

/** A resource type (RFC 7643 §6) with its case-insensitive attribute resolver. */
export class ResourceType {
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: SchemaDefinition;
  readonly extensions: readonly SchemaExtension[];

  constructor(init: {
    name: string;
    endpoint: string;
    description: string;
    schema: SchemaDefinition;
    extensions?: SchemaExtension[];
  }) {
    this.name = init.name;
    this.endpoint = init.endpoint;
    this.description = init.description;
    this.schema = init.schema;
    this.extensions = Object.freeze([...(init.extensions ?? [])]);
  }

  /** Every schema URN of this resource type: the core schema first. */
  get schemaIds(): string[] {
    return [this.schema.id, ...this.extensions.map((e) => e.schema.id)];
  }

  /** Maps a schema URN (any case, or a known alias) to the schema it names. */
  schemaFor(urn: string): SchemaDefinition | undefined {
    const lower = urn.toLowerCase();
    const alias = Object.hasOwn(URN_ALIASES, lower) ? URN_ALIASES[lower] : undefined;
    const canonical = alias?.toLowerCase() ?? lower;
    if (canonical === this.schema.id.toLowerCase()) return this.schema;
    return this.extensions.find((e) => e.schema.id.toLowerCase() === canonical)?.schema;
  }

  /**
   * Resolves an attribute path as written in a filter, PATCH path, `attributes` parameter or
   * sortBy: `userName`, `name.givenName`, `urn:…:User:userName`, `urn:…:enterprise:2.0:User:manager.value`.
   * Names are matched case-insensitively (RFC 7643 §2.1). Returns undefined for unknown paths.
   */
  resolve(path: string): ResolvedAttribute | undefined {
    const split = this.splitUrn(path);
    if (!split) return undefined;
    const { schema, rest } = split;
    const dot = rest.indexOf('.');
    const name = dot === -1 ? rest : rest.slice(0, dot);
    const subName = dot === -1 ? undefined : rest.slice(dot + 1);
    const inExtension = schema !== undefined && schema.id !== this.schema.id;
    const pool = inExtension ? schema.attributes : [...COMMON_ATTRIBUTES, ...this.schema.attributes];
    const attribute = findAttribute(pool, name);
    if (attribute) return this.resolveSub(inExtension ? schema.id : this.schema.id, inExtension, attribute, subName);
    if (schema !== undefined) return undefined;
    // A bare name that only an extension defines (Entra's legacy `manager` path): resolve it when
    // exactly one extension has it, as RFC 7643 §3.3 reserves URN prefixes for disambiguation.
    const owners = this.extensions.filter((e) => findAttribute(e.schema.attributes, name));
    if (owners.length !== 1) return undefined;
    const owner = (owners[0] as SchemaExtension).schema;
    return this.resolveSub(owner.id, true, findAttribute(owner.attributes, name) as AttributeDefinition, subName);
  }

  /** Resolves a sub-attribute name relative to a complex attribute (inside `emails[...]`). */
  resolveRelative(parent: ResolvedAttribute, subName: string): ResolvedAttribute | undefined {
    if (parent.subAttribute) return undefined;
    return this.resolveSub(parent.schemaId, parent.inExtension, parent.attribute, subName);
  }

  private resolveSub(
    schemaId: string,
    inExtension: boolean,
    attribute: AttributeDefinition,
    subName: string | undefined,
  ): ResolvedAttribute | undefined {
    const prefix = inExtension ? `${schemaId}:` : '';
    if (subName === undefined) {
      return { schemaId, inExtension, attribute, definition: attribute, key: `${prefix}${attribute.name}` };
    }
    if (attribute.type !== 'complex') return undefined;
    const subAttribute = findSubAttribute(attribute, subName);
    if (!subAttribute) return undefined;
    return {
      schemaId,
      inExtension,
      attribute,
      subAttribute,
      definition: subAttribute,
      key: `${prefix}${attribute.name}.${subAttribute.name}`,
    };
  }

  /** Separates a leading schema URN; `schema` is undefined for a bare core path. */
  private splitUrn(path: string): { schema: SchemaDefinition | undefined; rest: string } | undefined {
    if (!/^urn:/i.test(path)) return path.length > 0 ? { schema: undefined, rest: path } : undefined;
    // The URN is everything before the last ':'; attribute names cannot contain ':'.
    const colon = path.lastIndexOf(':');
    const schema = this.schemaFor(path.slice(0, colon));
    const rest = path.slice(colon + 1);
    if (!schema || rest.length === 0) return undefined;
    return { schema, rest };
  }
}

export const USER_RESOURCE_TYPE = new ResourceType({
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA,
  extensions: [
    { schema: ENTERPRISE_USER_SCHEMA, required: false },
    { schema: TEAMS_USER_SCHEMA, required: false },
  ],
});

export const GROUP_RESOURCE_TYPE = new ResourceType({
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group (a Roster role)',
  schema: GROUP_SCHEMA,
});

export const RESOURCE_TYPES: readonly ResourceType[] = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE];

export const ALL_SCHEMAS: readonly SchemaDefinition[] = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA, TEAMS_USER_SCHEMA];

export { URN };
