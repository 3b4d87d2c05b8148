/**
 * fast-check generators of filters (RFC 7644 §3.4.2.2): syntax trees and texts for the property
 * tests of the filter parser, printer and PATCH path parser in src/scim/filter/, and filter texts
 * over a given vocabulary for the robustness properties over HTTP.
 */
import fc from 'fast-check';
import type { CompareOperator, Filter, FilterValue } from '../../src/scim/filter/ast.js';
import { printFilter } from '../../src/scim/filter/filter-printer.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NAME_CHARS = `${LETTERS}0123456789-_`;

/** ATTRNAME, biased towards names that collide with keywords of the grammar. */
export const attributeName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('userName', 'emails', 'value', '$ref', 'not', 'NOT', 'and', 'Or', 'pr', 'eq', 'true', 'null', 'urn', 'x'),
  fc
    .tuple(fc.constantFrom(...LETTERS), fc.string({ unit: fc.constantFrom(...NAME_CHARS), maxLength: 8 }))
    .map(([first, rest]) => first + rest),
);

const uriPrefix: fc.Arbitrary<string> = fc.constantFrom(
  'urn:ietf:params:scim:schemas:core:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  'URN:IETF:params:scim:schemas:extension:Teams:2.0:User',
  'urn:x',
  'https://example.com/schemas/v1.2',
);

/** attrPath = [URI ":"] ATTRNAME *1subAttr */
export const attributePath: fc.Arbitrary<string> = fc
  .tuple(fc.option(uriPrefix, { nil: undefined }), attributeName, fc.option(attributeName, { nil: undefined }))
  .map(([uri, name, sub]) => `${uri ? `${uri}:` : ''}${name}${sub ? `.${sub}` : ''}`);

export const compareOperator: fc.Arbitrary<CompareOperator> = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');

/** Any comparison value: strings with every kind of code unit, doubles including -0, literals. */
export const filterValue: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ maxLength: 6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

interface TreeShape {
  /** Paths of attribute expressions. */
  readonly path: fc.Arbitrary<string>;
  /** Paths in front of a value filter `[…]`, and the names used inside it; none: no value paths. */
  readonly valuePath?: { readonly outer: fc.Arbitrary<string>; readonly inner: fc.Arbitrary<string> };
  readonly maxDepth: number;
}

/** Random filter trees of bounded depth. */
function filterTree(shape: TreeShape): fc.Arbitrary<Filter> {
  const { filter } = fc.letrec<{ filter: Filter }>((tie) => {
    const leaf: fc.Arbitrary<Filter> = fc.oneof(
      fc.record({ kind: fc.constant('compare' as const), path: shape.path, op: compareOperator, value: filterValue }),
      fc.record({ kind: fc.constant('present' as const), path: shape.path }),
    );
    const branches: fc.Arbitrary<Filter>[] = [
      leaf,
      fc.record({ kind: fc.constant('and' as const), left: tie('filter'), right: tie('filter') }),
      fc.record({ kind: fc.constant('or' as const), left: tie('filter'), right: tie('filter') }),
      fc.record({ kind: fc.constant('not' as const), filter: tie('filter') }),
    ];
    if (shape.valuePath) {
      branches.push(
        fc.record({
          kind: fc.constant('valuePath' as const),
          path: shape.valuePath.outer,
          filter: filterTree({ path: shape.valuePath.inner, maxDepth: 3 }),
        }),
      );
    }
    return { filter: fc.oneof({ maxDepth: shape.maxDepth, depthSize: 'small' }, ...branches) };
  });
  return filter;
}

/** A random valid filter syntax tree (the shape `parseFilter` returns). */
export const filterAst: fc.Arbitrary<Filter> = filterTree({
  path: attributePath,
  valuePath: { outer: attributePath, inner: attributeName },
  maxDepth: 6,
});

/** Randomly re-cases a name (attribute names are case-insensitive). */
const recased = (names: readonly string[]) =>
  fc
    .tuple(fc.constantFrom(...names), fc.constantFrom('as is', 'upper', 'lower'))
    .map(([name, how]) => (how === 'upper' ? name.toUpperCase() : how === 'lower' ? name.toLowerCase() : name));

const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Filter trees over mostly real User attributes, so that many of them resolve. */
export const userFilterAst: fc.Arbitrary<Filter> = filterTree({
  path: recased([
    'userName',
    'displayName',
    'active',
    'title',
    'emails',
    'emails.value',
    'emails.primary',
    'name',
    'name.givenName',
    'meta.lastModified',
    'meta.created',
    'externalId',
    'groups.$ref',
    `${ENTERPRISE_URN}:manager.value`,
    `${ENTERPRISE_URN}:department`,
    'urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams',
    'unknownAttribute',
  ]),
  valuePath: {
    outer: recased(['emails', 'addresses', 'name', `${ENTERPRISE_URN}:manager`, 'userName']),
    inner: recased(['value', 'type', 'primary', 'givenName', 'locality', 'display', 'nope']),
  },
  maxDepth: 4,
});

/** PATCH paths over real User attributes: `attr`, `attr[filter]`, `attr[filter].sub`. */
export const userPatchPathText: fc.Arbitrary<string> = fc
  .tuple(
    recased(['emails', 'addresses', 'name', 'name.givenName', `${ENTERPRISE_URN}:manager`, 'userName', 'nope']),
    fc.option(filterTree({ path: recased(['value', 'type', 'primary', 'locality', 'display', 'nope']), maxDepth: 3 }), { nil: undefined }),
    fc.constantFrom('', '.value', '.TYPE', '.displayName', '.nope'),
  )
  .map(([path, filter, sub]) => (filter ? `${path}[${printFilter(filter)}]${sub}` : path));

/** Fragments that make random inputs look like filters often enough to reach deep parser states. */
export const filterFragment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '(',
    ')',
    '[',
    ']',
    ' ',
    '\t',
    '"',
    '\\',
    '\\u00',
    '.',
    ':',
    '+',
    'and',
    'OR',
    'not',
    'eq',
    'Co',
    'gt',
    'pr',
    'true',
    'Null',
    '12',
    '-1.5e3',
    '1e999',
    '"a\\"b"',
    '"2024-01-01T00:00:00Z"',
    'userName',
    'emails',
    'emails.value',
    'type',
    '.value',
    'active',
    'meta.lastModified',
    'name',
    'groups',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
    'urn:ietf:params:scim:schemas:extension:Teams:2.0:User:teams',
  ),
  fc.string({ unit: 'binary', maxLength: 3 }),
);

/** Token soup: mostly grammar fragments, joined without or with spaces. */
export const filterSoup: fc.Arbitrary<string> = fc
  .tuple(fc.array(filterFragment, { maxLength: 24 }), fc.boolean())
  .map(([parts, spaced]) => parts.join(spaced ? ' ' : ''));

/** One edit of a text: delete `remove` characters at `at` (modulo the length), insert `insert`. */
const edit = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 3 }),
  insert: fc.oneof(filterFragment, fc.constant('')),
});

/** Texts with a few random edits: near-valid input, often still valid. */
export function mutated(texts: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(texts, fc.array(edit, { maxLength: 3 })).map(([original, edits]) =>
    edits.reduce((text, { at, remove, insert }) => {
      const index = at % (text.length + 1);
      return text.slice(0, index) + insert + text.slice(index + remove);
    }, original),
  );
}

/** A printed random filter with a few random edits. */
export const mutatedFilterText: fc.Arbitrary<string> = mutated(fc.oneof(filterAst, userFilterAst).map(printFilter));

/** Inputs for robustness properties: pure noise, token soup and mutated filters. */
export const filterishText: fc.Arbitrary<string> = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), filterSoup, mutatedFilterText);

/**
 * The words filter texts are made of. They need not be valid: an HTTP robustness property sends
 * the text as it is, so unknown attributes, operators and unquoted values belong here too.
 */
export interface FilterWords {
  readonly attributes: readonly string[];
  readonly operators: readonly string[];
  /** Comparison values as written in a filter: `"x"`, `true`, `5`, or garbage. */
  readonly values: readonly string[];
  /** The logical operators between two expressions (`and`, `or` in any case, or garbage). */
  readonly connectives: readonly string[];
  /** The attributes in front of a value filter `attr[…]`. */
  readonly valuePathAttributes: readonly string[];
}

/** Filter texts of random shape over `words`: comparisons, `pr`, `and`/`or`, `not (…)`, `(…)` and `attr[…]`. */
export function filterText(words: FilterWords): fc.Arbitrary<string> {
  const attributeExpression = fc.oneof(
    fc
      .tuple(fc.constantFrom(...words.attributes), fc.constantFrom(...words.operators), fc.constantFrom(...words.values))
      .map((parts) => parts.join(' ')),
    fc.constantFrom(...words.attributes).map((a) => `${a} pr`),
  );
  return fc.letrec<{ filter: string }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      attributeExpression,
      fc.tuple(tie('filter'), fc.constantFrom(...words.connectives), tie('filter')).map(([l, op, r]) => `${l} ${op} ${r}`),
      tie('filter').map((f) => `not (${f})`),
      tie('filter').map((f) => `(${f})`),
      fc.tuple(fc.constantFrom(...words.valuePathAttributes), attributeExpression).map(([a, f]) => `${a}[${f}]`),
    ),
  })).filter;
}
