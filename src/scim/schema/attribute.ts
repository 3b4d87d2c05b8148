/**
 * Attribute and schema definitions as data (RFC 7643 §7).
 *
 * The same definitions validate request bodies, resolve attribute names case-insensitively,
 * type filters and PATCH paths, shape responses (`returned`) and are served at /Schemas.
 */

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
  /**
   * Roster's limit on the number of values of a multi-valued attribute a client may set. Not an
   * RFC 7643 characteristic: /Schemas states it in the attribute's description instead (see
   * discovery.ts). Checked by checkResource (POST, PUT) and after every PATCH operation, before
   * any SQL, so no request can need more bound parameters than a database driver accepts.
   */
  readonly maxItems?: number;
  /**
   * Roster-specific, default true. False for an attribute Roster always holds a value for although
   * RFC 7643 does not mark it required (`active`: a user is active or not; there is no third
   * state). Clearing it (PATCH remove, a null or empty value) is refused instead of being
   * ignored: remove is 400 mutability, as RFC 7644 §3.5.2.2 has for required attributes, and an
   * empty value in a POST or PUT body is 400 invalidValue.
   */
  readonly removable?: boolean;
}

export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

type AttributeOptions = Partial<Omit<AttributeDefinition, 'name' | 'type'>>;

/** Builds a definition with the RFC 7643 §2.2 defaults filled in. */
export function attribute(name: string, type: AttributeType, options: AttributeOptions = {}): AttributeDefinition {
  return Object.freeze({
    name,
    type,
    multiValued: options.multiValued ?? false,
    description: options.description ?? '',
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(options.canonicalValues ? { canonicalValues: Object.freeze([...options.canonicalValues]) } : {}),
    ...(options.referenceTypes ? { referenceTypes: Object.freeze([...options.referenceTypes]) } : {}),
    ...(options.subAttributes ? { subAttributes: Object.freeze([...options.subAttributes]) } : {}),
    ...(options.maxItems !== undefined ? { maxItems: checkedMaxItems(name, options) } : {}),
    ...(options.removable === false ? { removable: false } : {}),
  });
}

function checkedMaxItems(name: string, options: AttributeOptions): number {
  const { maxItems, multiValued } = options;
  if (!multiValued || !Number.isSafeInteger(maxItems) || (maxItems as number) < 1) {
    throw new TypeError(`maxItems of '${name}' must be a positive integer on a multi-valued attribute`);
  }
  return maxItems as number;
}

export const complex = (name: string, subAttributes: AttributeDefinition[], options: AttributeOptions = {}) =>
  attribute(name, 'complex', { ...options, subAttributes });

/** Looks up a sub-attribute by name, ignoring case (RFC 7643 §2.1). */
export function findSubAttribute(parent: AttributeDefinition, name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return parent.subAttributes?.find((sub) => sub.name.toLowerCase() === lower);
}

export function findAttribute(attributes: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}
