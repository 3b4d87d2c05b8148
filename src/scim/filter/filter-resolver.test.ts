import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { attribute, complex } from '../schema/attribute.js';
import { GROUP_RESOURCE_TYPE, ResourceType, USER_RESOURCE_TYPE } from '../schema/resource-type.js';
import type { ResolvedFilter } from './ast.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter, resolvePatchPath } from './filter-resolver.js';
import { parsePatchPath } from './patch-path-parser.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A resource type with the attribute types the real schemas lack. */
const GADGET_TYPE = new ResourceType({
  name: 'Gadget',
  endpoint: '/Gadgets',
  description: 'Test resource',
  schema: {
    id: 'urn:example:schemas:Gadget',
    name: 'Gadget',
    description: '',
    attributes: [
      attribute('count', 'integer'),
      attribute('weight', 'decimal'),
      complex('size', [attribute('width', 'integer'), attribute('label', 'string')]),
      complex('parts', [attribute('label', 'string')], { multiValued: true }),
    ],
  },
});

const resolve = (text: string, type: ResourceType = USER_RESOURCE_TYPE) => resolveFilter(parseFilter(text), type);

/** Key, operator and value of a resolved comparison. */
function comparison(text: string, type?: ResourceType) {
  const filter = resolve(text, type);
  if (filter.kind !== 'compare') throw new Error(`expected a comparison, got ${filter.kind}`);
  return { key: filter.attribute.key, op: filter.op, value: filter.value };
}

function filterError(text: string, type: ResourceType = USER_RESOURCE_TYPE): ScimError {
  try {
    resolve(text, type);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).scimType).toBe('invalidFilter');
    return error as ScimError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

function pathError(text: string): ScimError {
  try {
    resolvePatchPath(parsePatchPath(text), USER_RESOURCE_TYPE);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).scimType).toBe('invalidPath');
    return error as ScimError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('resolveFilter: attributes', () => {
  it('resolves names case-insensitively to their canonical key', () => {
    expect(comparison('USERNAME eq "a"').key).toBe('userName');
    expect(comparison('name.GIVENNAME eq "a"').key).toBe('name.givenName');
    expect(comparison('Meta.LastModified gt "2020-01-01T00:00:00Z"').key).toBe('meta.lastModified');
    expect(comparison('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"').key).toBe('userName');
    expect(comparison(`${ENTERPRISE.toUpperCase()}:MANAGER.value eq "a"`).key).toBe(`${ENTERPRISE}:manager.value`);
    expect(comparison('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "a"').key).toBe(`${ENTERPRISE}:department`);
  });

  it('resolves every path in logical expressions', () => {
    const filter = resolve('userName eq "a" and (title pr or not (active eq true))');
    expect(filter).toMatchObject({
      kind: 'and',
      left: { kind: 'compare', attribute: { key: 'userName' } },
      right: {
        kind: 'or',
        left: { kind: 'present', attribute: { key: 'title' } },
        right: { kind: 'not', filter: { kind: 'compare', attribute: { key: 'active' }, value: true } },
      },
    });
  });

  it('keeps the shape of long chains', () => {
    const text = Array.from({ length: 300 }, (_, i) => (i % 2 ? `title eq "${i}"` : 'userName pr')).join(' and ');
    let filter: ResolvedFilter = resolveFilter(parseFilter(text, { maxLength: 100_000 }), USER_RESOURCE_TYPE);
    let length = 1;
    while (filter.kind === 'and') {
      length++;
      filter = filter.left;
    }
    expect(length).toBe(300);
    expect(filter).toMatchObject({ kind: 'present', attribute: { key: 'userName' } });
  });

  it('names an unknown attribute', () => {
    expect(filterError('nickname2 eq "a"').detail).toBe("unknown attribute 'nickname2' for resource type User");
    expect(filterError('name.nope eq "a"').detail).toMatch(/unknown attribute 'name.nope'/);
    expect(filterError('userName.x eq "a"').detail).toMatch(/unknown attribute 'userName.x'/);
    expect(filterError('urn:example:Nope:userName eq "a"').detail).toMatch(/unknown attribute/);
    expect(filterError('members pr').detail).toMatch(/unknown attribute 'members'/);
    expect(filterError('userName pr', GROUP_RESOURCE_TYPE).detail).toMatch(/for resource type Group/);
  });
});

describe('resolveFilter: value paths', () => {
  it('resolves inner paths relative to the outer attribute', () => {
    const filter = resolve('EMAILS[TYPE eq "work" and value co "@x"]');
    expect(filter).toMatchObject({
      kind: 'valuePath',
      attribute: { key: 'emails' },
      filter: {
        kind: 'and',
        left: { kind: 'compare', attribute: { key: 'emails.type', subAttribute: { name: 'type' } } },
        right: { kind: 'compare', attribute: { key: 'emails.value' } },
      },
    });
  });

  it('allows a value filter on a single-valued complex attribute', () => {
    expect(resolve(`${ENTERPRISE}:manager[value eq "x"]`)).toMatchObject({
      kind: 'valuePath',
      attribute: { key: `${ENTERPRISE}:manager`, inExtension: true },
      filter: { kind: 'compare', attribute: { key: `${ENTERPRISE}:manager.value` }, value: 'x' },
    });
    expect(resolve('name[givenName sw "B"]')).toMatchObject({ kind: 'valuePath', attribute: { key: 'name' } });
  });

  it('rejects unknown sub-attributes and non-complex targets', () => {
    expect(filterError('emails[nope eq "a"]').detail).toBe("'emails' has no sub-attribute 'nope'");
    expect(filterError('emails[emails.type eq "a"]').detail).toMatch(/no sub-attribute 'emails.type'/);
    expect(filterError('userName[value eq "a"]').detail).toBe(
      "'userName' is not a complex attribute, so it cannot take a value filter '[…]'",
    );
    expect(filterError('emails.value[value eq "a"]').detail).toMatch(/'emails.value' is not a complex attribute/);
    expect(filterError('nope[value eq "a"]').detail).toMatch(/unknown attribute 'nope'/);
  });

  it('rejects nested value paths built by hand', () => {
    const nested = {
      kind: 'valuePath',
      path: 'emails',
      filter: { kind: 'valuePath', path: 'name', filter: { kind: 'present', path: 'givenName' } },
    } as const;
    expect(() => resolveFilter(nested, USER_RESOURCE_TYPE)).toThrow(/value filters cannot be nested/);
  });
});

describe('resolveFilter: value types', () => {
  it('converts numbers and booleans compared with strings to their string form', () => {
    expect(comparison('externalId eq 123').value).toBe('123');
    expect(comparison('title eq true').value).toBe('true');
    expect(comparison('title eq -1.5').value).toBe('-1.5');
    expect(comparison('userName eq "123"').value).toBe('123');
  });

  it('accepts true/false and the strings "true"/"false" for booleans', () => {
    expect(comparison('active eq true').value).toBe(true);
    expect(comparison('active ne FALSE').value).toBe(false);
    expect(comparison('active eq "TRUE"').value).toBe(true);
    expect(comparison('active eq "False"').value).toBe(false);
    expect(comparison('emails.primary eq true').value).toBe(true);
  });

  it.each(['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew'])('rejects %s on a boolean', (op) => {
    expect(filterError(`active ${op} true`).detail).toBe(`'active' is a boolean attribute; only eq, ne and pr apply to it, not '${op}'`);
  });

  it('rejects non-boolean values for booleans', () => {
    expect(filterError('active eq "yes"').detail).toBe('\'active\' is a boolean attribute; "yes" is not true or false');
    expect(filterError('active eq 1').detail).toMatch(/1 is not true or false/);
  });

  it('normalises dateTime values and rejects invalid ones', () => {
    expect(comparison('meta.lastModified gt "2011-05-13T04:42:34Z"').value).toBe('2011-05-13T04:42:34.000Z');
    expect(comparison('meta.created le "2011-05-13T06:42:34.5+02:00"').value).toBe('2011-05-13T04:42:34.500Z');
    expect(filterError('meta.created gt "yesterday"').detail).toMatch(
      /'meta.created' is a dateTime attribute; "yesterday" is not an ISO 8601 date-time/,
    );
    expect(filterError('meta.created gt 1305261754').detail).toMatch(/is not an ISO 8601 date-time/);
    expect(filterError('meta.created eq true').detail).toMatch(/is not an ISO 8601 date-time/);
    expect(filterError('meta.created co "2011"').detail).toBe("'meta.created' is a dateTime attribute; 'co' applies only to strings");
  });

  it('requires numbers for integer and decimal attributes', () => {
    expect(comparison('count gt 3', GADGET_TYPE)).toEqual({ key: 'count', op: 'gt', value: 3 });
    expect(comparison('weight le 2.5', GADGET_TYPE).value).toBe(2.5);
    expect(filterError('count eq "3"', GADGET_TYPE).detail).toBe('\'count\' is an integer attribute; "3" is not a number');
    expect(filterError('weight eq true', GADGET_TYPE).detail).toMatch(/is not a number/);
    expect(filterError('count sw 3', GADGET_TYPE).detail).toMatch(/'sw' applies only to strings/);
    expect(comparison('size.width ge 10', GADGET_TYPE).key).toBe('size.width');
  });

  it('allows null only with eq and ne', () => {
    expect(comparison('title eq null').value).toBeNull();
    expect(comparison('active ne null').value).toBeNull();
    expect(comparison('meta.created eq null').value).toBeNull();
    for (const op of ['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew']) {
      expect(filterError(`title ${op} null`).detail).toBe(`'${op}' cannot compare 'title' with null; only eq and ne can`);
    }
  });

  it('allows co, sw, ew and ordering on strings and references', () => {
    expect(comparison('userName co "x"').op).toBe('co');
    expect(comparison('userName gt "m"').op).toBe('gt');
    expect(comparison('meta.location sw "https://"').key).toBe('meta.location');
    expect(comparison('groups.$ref ew "/1"').key).toBe('groups.$ref');
  });
});

describe('resolveFilter: complex attributes', () => {
  it('compares a multi-valued complex attribute through its value sub-attribute', () => {
    expect(comparison('emails eq "a@x"')).toEqual({ key: 'emails.value', op: 'eq', value: 'a@x' });
    expect(comparison('emails co "example.com"').key).toBe('emails.value');
    expect(comparison('members eq "1"', GROUP_RESOURCE_TYPE).key).toBe('members.value');
  });

  it('rejects comparing other complex attributes', () => {
    expect(filterError('name eq "x"').detail).toBe(
      "'name' is a complex attribute and cannot be compared; compare one of its sub-attributes such as 'name.formatted'",
    );
    expect(filterError(`${ENTERPRISE}:manager eq "x"`).detail).toMatch(/complex attribute and cannot be compared/);
    expect(filterError('parts eq "x"', GADGET_TYPE).detail).toMatch(/'parts' is a complex attribute/);
    expect(filterError('size eq 1', GADGET_TYPE).detail).toMatch(/'size' is a complex attribute/);
  });

  it('allows pr on complex attributes', () => {
    expect(resolve('name pr')).toMatchObject({ kind: 'present', attribute: { key: 'name' } });
    expect(resolve('emails pr')).toMatchObject({ kind: 'present', attribute: { key: 'emails' } });
  });
});

describe('resolvePatchPath', () => {
  it('resolves a plain path', () => {
    const resolved = resolvePatchPath(parsePatchPath('NAME.givenname'), USER_RESOURCE_TYPE);
    expect(resolved.attribute.key).toBe('name.givenName');
    expect(resolved.filter).toBeUndefined();
    expect(resolved.subAttribute).toBeUndefined();
    expect(resolvePatchPath(parsePatchPath('emails'), USER_RESOURCE_TYPE).attribute.key).toBe('emails');
  });

  it('resolves a value filter and a following sub-attribute', () => {
    const resolved = resolvePatchPath(parsePatchPath('emails[type eq "work"].VALUE'), USER_RESOURCE_TYPE);
    expect(resolved.attribute.key).toBe('emails');
    expect(resolved.filter).toMatchObject({ kind: 'compare', attribute: { key: 'emails.type' }, value: 'work' });
    expect(resolved.subAttribute?.key).toBe('emails.value');
    const manager = resolvePatchPath(parsePatchPath(`${ENTERPRISE}:manager[value eq "1"].displayName`), USER_RESOURCE_TYPE);
    expect(manager.subAttribute?.key).toBe(`${ENTERPRISE}:manager.displayName`);
  });

  it('reports every problem as invalidPath', () => {
    expect(pathError('nope').detail).toMatch(/unknown attribute 'nope'/);
    expect(pathError('emails[nope eq "a"]').detail).toMatch(/'emails' has no sub-attribute 'nope'/);
    expect(pathError('emails[type eq "work"].nope').detail).toMatch(/'emails' has no sub-attribute 'nope'/);
    expect(pathError('userName[value eq "a"]').detail).toMatch(/not a complex attribute/);
    expect(pathError('emails[primary gt true]').detail).toMatch(/boolean attribute/);
    expect(pathError('meta[created gt "soon"]').detail).toMatch(/not an ISO 8601 date-time/);
  });

  it('rejects a sub-attribute without a value filter built by hand', () => {
    expect(() => resolvePatchPath({ attributePath: 'emails', subAttribute: 'value' }, USER_RESOURCE_TYPE)).toThrow(
      /needs a value filter; write 'emails.value'/,
    );
  });
});
