import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from '../../scim/schema/attribute.js';
import { COMMON_ATTRIBUTES } from '../../scim/schema/common-attributes.js';
import { USER_RESOURCE_TYPE } from '../../scim/schema/resource-type.js';
import { URN } from '../../scim/schema/urns.js';
import { USER_ATTRIBUTES, withAttributeValues } from './user-attributes.js';

/**
 * Single-valued simple attributes of the User schemas that are not rows of USER_ATTRIBUTES,
 * and where each is handled instead. A schema attribute on neither list would be accepted,
 * checked and then silently not stored.
 */
const HANDLED_ELSEWHERE: Readonly<Record<string, string>> = {
  id: 'issued by Roster: the users.id key',
  active: 'its own 0/1 column and rules: seats, reactivation notices, never cleared',
  'meta.resourceType': 'constant in responses',
  'meta.created': 'the record timestamp created_at',
  'meta.lastModified': 'the record timestamp updated_at',
  'meta.location': 'derived from the base URL and id',
  'meta.version': 'derived from the version column (the ETag)',
  [`${URN.enterpriseUser}:manager.$ref`]: 'derived from manager.value in responses',
  [`${URN.enterpriseUser}:manager.displayName`]: "the manager's name, read when responses are assembled",
};

/** Paths (ResolvedAttribute.key spelling) of every single-valued non-complex attribute of the User schemas. */
function singleValuedSimplePaths(): string[] {
  const paths: string[] = [];
  const visit = (prefix: string, attributes: readonly AttributeDefinition[]) => {
    for (const attribute of attributes) {
      if (attribute.multiValued) continue;
      if (attribute.type !== 'complex') {
        paths.push(`${prefix}${attribute.name}`);
        continue;
      }
      for (const sub of attribute.subAttributes ?? []) {
        if (!sub.multiValued && sub.type !== 'complex') paths.push(`${prefix}${attribute.name}.${sub.name}`);
      }
    }
  };
  visit('', [...COMMON_ATTRIBUTES, ...USER_RESOURCE_TYPE.schema.attributes]);
  for (const { schema } of USER_RESOURCE_TYPE.extensions) visit(`${schema.id}:`, schema.attributes);
  return paths;
}

describe('the User attribute table', () => {
  it('names each attribute by the path the schema resolves it to, with its type and requiredness', () => {
    for (const attribute of USER_ATTRIBUTES) {
      const resolved = USER_RESOURCE_TYPE.resolve(attribute.path);
      expect(resolved?.key, attribute.path).toBe(attribute.path);
      expect(resolved?.definition.multiValued, attribute.path).toBe(false);
      expect(resolved?.definition.type, attribute.path).toBe(attribute.type);
      expect(resolved?.definition.required ?? false, attribute.path).toBe('required' in attribute);
    }
  });

  it('gives every attribute its own field and columns', () => {
    const fields = USER_ATTRIBUTES.map((a) => a.field);
    const columns = USER_ATTRIBUTES.flatMap((a) => ('lower' in a ? [a.column, a.lower] : [a.column]));
    expect(new Set(fields).size).toBe(fields.length);
    expect(new Set(columns).size).toBe(columns.length);
    for (const column of columns) expect(column).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('stores every single-valued simple schema attribute, or names where it is handled instead', () => {
    const inTable = new Set<string>(USER_ATTRIBUTES.map((a) => a.path));
    const paths = singleValuedSimplePaths();
    const unstored = paths.filter((path) => !inTable.has(path) && !Object.hasOwn(HANDLED_ELSEWHERE, path));
    expect(unstored).toEqual([]);
    // No stale or doubled entries: each exception is a schema attribute that is not in the table.
    for (const path of Object.keys(HANDLED_ELSEWHERE)) {
      expect(paths, path).toContain(path);
      expect(inTable.has(path), path).toBe(false);
    }
  });

  it('adds the values read to the target, leaving absent ones out and a required one empty', () => {
    const target = { kept: 1 };
    const values = withAttributeValues(target, (attribute) =>
      attribute.field === 'givenName' ? 'Ada' : attribute.field === 'title' ? null : undefined,
    );
    expect(values).toBe(target);
    expect(values).toStrictEqual({ kept: 1, userName: '', givenName: 'Ada' });
  });
});
