/**
 * Checks a parsed filter or PATCH path against a resource type's schemas (RFC 7644 §3.4.2.2,
 * §3.5.2): every attribute path is resolved to its definition (case-insensitively, URN-prefixed
 * paths included) and every comparison value converted to the attribute's type.
 *
 * Rules beyond the ABNF:
 * - string/reference: numbers and booleans are compared as their string form; all operators.
 * - boolean: `true`/`false` or the strings "true"/"false" (any case); only eq, ne (and pr).
 * - dateTime: an ISO 8601 string, normalised to `toISOString()` form; no co/sw/ew.
 * - integer/decimal: numbers only; no co/sw/ew.
 * - `null`: only with eq and ne.
 * - a complex attribute cannot be compared, except that a multi-valued one with a `value`
 *   sub-attribute stands for it (`emails eq "x"` means `emails.value eq "x"`); `pr` applies to any.
 * - a value filter `attr[…]` needs a complex attribute (multi-valued, or single-valued like the
 *   enterprise `manager`); its inner paths are sub-attribute names of it; value filters don't nest.
 */
import { ScimError } from '../errors.js';
import type { ResolvedAttribute, ResourceType } from '../schema/resource-type.js';
import type { CompareOperator, Filter, FilterValue, PatchPath, ResolvedFilter, ResolvedPatchPath } from './ast.js';
import { normaliseDateTime } from './date-time.js';
import { buildChain, chainOperands } from './filter-chain.js';
import { excerpt, type SyntaxErrorFactory } from './filter-lexer.js';
import { printFilterValue } from './filter-printer.js';

const isSubstringOperator = (op: CompareOperator) => op === 'co' || op === 'sw' || op === 'ew';
const isEquality = (op: CompareOperator) => op === 'eq' || op === 'ne';

class FilterResolver {
  private readonly type: ResourceType;
  private readonly fail: SyntaxErrorFactory;

  constructor(type: ResourceType, fail: SyntaxErrorFactory) {
    this.type = type;
    this.fail = fail;
  }

  /** Resolves `filter`; inside a value filter, `parent` is the attribute in front of `[`. */
  resolve(filter: Filter, parent: ResolvedAttribute | undefined): ResolvedFilter {
    switch (filter.kind) {
      case 'compare': {
        const attribute = this.comparable(this.lookup(filter.path, parent));
        return { kind: 'compare', attribute, op: filter.op, value: this.coerce(attribute, filter.op, filter.value) };
      }
      case 'present':
        return { kind: 'present', attribute: this.lookup(filter.path, parent) };
      case 'not':
        return { kind: 'not', filter: this.resolve(filter.filter, parent) };
      case 'and':
      case 'or': {
        const kind = filter.kind;
        const operands = chainOperands<Filter>(filter).map((operand) => this.resolve(operand, parent));
        return buildChain<ResolvedFilter>(kind, operands, (left, right) => ({ kind, left, right }));
      }
      case 'valuePath': {
        if (parent) {
          throw this.fail(`value filters cannot be nested: '${excerpt(filter.path)}[…]' is inside '${parent.key}[…]'`);
        }
        const attribute = this.valueFilterTarget(filter.path);
        return { kind: 'valuePath', attribute, filter: this.resolve(filter.filter, attribute) };
      }
      default: {
        const unreachable: never = filter;
        throw new TypeError(`unknown filter node ${JSON.stringify(unreachable)}`);
      }
    }
  }

  lookup(path: string, parent: ResolvedAttribute | undefined): ResolvedAttribute {
    const resolved = parent ? this.type.resolveRelative(parent, path) : this.type.resolve(path);
    if (resolved) return resolved;
    if (parent) throw this.fail(`'${parent.key}' has no sub-attribute '${excerpt(path)}'`);
    throw this.fail(`unknown attribute '${excerpt(path)}' for resource type ${this.type.name}`);
  }

  /** The complex attribute a value filter `path[…]` applies to. */
  valueFilterTarget(path: string): ResolvedAttribute {
    const attribute = this.lookup(path, undefined);
    if (attribute.definition.type !== 'complex' || attribute.subAttribute) {
      throw this.fail(`'${attribute.key}' is not a complex attribute, so it cannot take a value filter '[…]'`);
    }
    return attribute;
  }

  /** The attribute a comparison applies to: a complex attribute stands for its `value`. */
  private comparable(attribute: ResolvedAttribute): ResolvedAttribute {
    if (attribute.definition.type !== 'complex') return attribute;
    if (attribute.attribute.multiValued && !attribute.subAttribute) {
      const value = this.type.resolveRelative(attribute, 'value');
      if (value) return value;
    }
    const example = attribute.definition.subAttributes?.[0]?.name;
    throw this.fail(
      `'${attribute.key}' is a complex attribute and cannot be compared; compare one of its sub-attributes${example ? ` such as '${attribute.key}.${example}'` : ''}`,
    );
  }

  /** Converts a comparison value to the attribute's type, or fails. */
  private coerce(attribute: ResolvedAttribute, op: CompareOperator, value: FilterValue): FilterValue {
    const { definition, key } = attribute;
    if (value === null) {
      if (!isEquality(op)) throw this.fail(`'${op}' cannot compare '${key}' with null; only eq and ne can`);
      return null;
    }
    switch (definition.type) {
      case 'string':
      case 'reference':
        // No stored value contains U+0000 (it is rejected on write), and PostgreSQL text cannot hold it.
        if (typeof value === 'string' && value.includes('\u0000')) throw this.fail(`the value for '${key}' contains a NUL character`);
        return typeof value === 'string' ? value : String(value);
      case 'boolean': {
        if (!isEquality(op)) {
          throw this.fail(`'${key}' is a boolean attribute; only eq, ne and pr apply to it, not '${op}'`);
        }
        if (typeof value === 'boolean') return value;
        const lower = typeof value === 'string' ? value.toLowerCase() : undefined;
        if (lower === 'true' || lower === 'false') return lower === 'true';
        throw this.fail(`'${key}' is a boolean attribute; ${excerpt(printFilterValue(value))} is not true or false`);
      }
      case 'dateTime': {
        if (isSubstringOperator(op)) {
          throw this.fail(`'${key}' is a dateTime attribute; '${op}' applies only to strings`);
        }
        const normalised = typeof value === 'string' ? normaliseDateTime(value) : undefined;
        if (normalised === undefined) {
          throw this.fail(
            `'${key}' is a dateTime attribute; ${excerpt(printFilterValue(value))} is not an ISO 8601 date-time such as "2024-05-01T12:00:00Z"`,
          );
        }
        return normalised;
      }
      case 'integer':
      case 'decimal':
        if (isSubstringOperator(op)) {
          throw this.fail(
            `'${key}' is ${definition.type === 'integer' ? 'an' : 'a'} ${definition.type} attribute; '${op}' applies only to strings`,
          );
        }
        if (typeof value !== 'number') {
          throw this.fail(
            `'${key}' is ${definition.type === 'integer' ? 'an' : 'a'} ${definition.type} attribute; ${excerpt(printFilterValue(value))} is not a number`,
          );
        }
        return value;
      case 'complex':
        throw this.fail(`'${key}' is a complex attribute and cannot be compared`);
      default: {
        const unreachable: never = definition.type;
        throw new TypeError(`unknown attribute type ${String(unreachable)}`);
      }
    }
  }
}

/**
 * Resolves a parsed filter against a resource type. Throws `ScimError` (invalidFilter) naming
 * an unknown attribute, a value of the wrong type or an operator the attribute's type forbids.
 */
export function resolveFilter(filter: Filter, type: ResourceType): ResolvedFilter {
  return new FilterResolver(type, ScimError.invalidFilter).resolve(filter, undefined);
}

/**
 * Resolves a parsed PATCH path against a resource type. Throws `ScimError` (invalidPath) for an
 * unknown attribute or sub-attribute and for any problem in its value filter.
 */
export function resolvePatchPath(path: PatchPath, type: ResourceType): ResolvedPatchPath {
  const resolver = new FilterResolver(type, ScimError.invalidPath);
  if (path.filter === undefined) {
    if (path.subAttribute !== undefined) {
      throw ScimError.invalidPath(
        `a sub-attribute after the path needs a value filter; write '${path.attributePath}.${path.subAttribute}'`,
      );
    }
    return { attribute: resolver.lookup(path.attributePath, undefined) };
  }
  const attribute = resolver.valueFilterTarget(path.attributePath);
  const filter = resolver.resolve(path.filter, attribute);
  if (path.subAttribute === undefined) return { attribute, filter };
  return { attribute, filter, subAttribute: resolver.lookup(path.subAttribute, attribute) };
}
