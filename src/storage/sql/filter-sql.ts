import { type RawBuilder, sql } from 'kysely';
import { ScimError } from '../../scim/errors.js';
import type { CompareOperator, FilterValue, ResolvedFilter } from '../../scim/filter/ast.js';
import type { ResolvedAttribute } from '../../scim/schema/resource-type.js';

/**
 * Compiles a resolved SCIM filter into a parameterised SQL condition (RFC 7644 §3.4.2.2).
 * What a resource's attributes are in SQL is data: a `FilterMapping` names the column of each
 * single-valued attribute and the correlated sub-query scope of each multi-valued one.
 * Case-insensitive attributes compare lower-cased values.
 */

export interface Column {
  readonly sql: string;
  /** A column already holding the lower-cased value, so equality can use its index. */
  readonly lower?: string;
  readonly type: 'string' | 'boolean' | 'dateTime';
}

/** A correlated sub-query for a multi-valued attribute, and how its sub-attributes map to columns. */
export interface Scope {
  /**
   * True when some element of the resource matches `condition` (any element when undefined).
   * `workspaceId`, when given, is the outer query's workspace: a scope can then select the
   * matching resource ids once (`u.id in (select …)`) instead of probing per resource.
   */
  exists(condition: RawBuilder<unknown> | undefined, workspaceId?: string): RawBuilder<unknown>;
  column(attribute: ResolvedAttribute): Column;
  /** The expression to sort by: the primary or first element's value; undefined when unsortable. */
  sortExpression?(attribute: ResolvedAttribute): RawBuilder<unknown>;
}

export interface FilterMapping {
  /** Columns of single-valued attributes, keyed by ResolvedAttribute.key. */
  readonly columns: Readonly<Record<string, Column>>;
  /** The scope of a multi-valued attribute, or undefined for single-valued ones. */
  scopeOf(attribute: ResolvedAttribute): Scope | undefined;
}

export function compileFilter(filter: ResolvedFilter, mapping: FilterMapping, workspaceId?: string): RawBuilder<unknown> {
  const single = singleScope(mapping);
  switch (filter.kind) {
    case 'and':
      return sql`(${compileFilter(filter.left, mapping, workspaceId)} and ${compileFilter(filter.right, mapping, workspaceId)})`;
    case 'or':
      return sql`(${compileFilter(filter.left, mapping, workspaceId)} or ${compileFilter(filter.right, mapping, workspaceId)})`;
    case 'not':
      return sql`(not ${compileFilter(filter.filter, mapping, workspaceId)})`;
    case 'valuePath': {
      const scope = mapping.scopeOf(filter.attribute);
      if (!scope) return compileScoped(filter.filter, single);
      return scope.exists(compileScoped(filter.filter, scope), workspaceId);
    }
    case 'present':
    case 'compare': {
      const scope = mapping.scopeOf(filter.attribute);
      if (!scope) return compileScoped(filter, single);
      if (filter.kind === 'present' && !filter.attribute.subAttribute) return scope.exists(undefined, workspaceId);
      // `ne` is true for a resource without any value, as for single-valued attributes.
      if (filter.kind === 'compare' && filter.op === 'ne') {
        return sql`(not ${scope.exists(undefined, workspaceId)} or ${scope.exists(compileScoped(filter, scope), workspaceId)})`;
      }
      return scope.exists(compileScoped(filter, scope), workspaceId);
    }
    default: {
      const impossible: never = filter;
      throw new TypeError(`unknown filter kind ${JSON.stringify(impossible)}`);
    }
  }
}

/** Compiles a filter whose attributes all live in one scope (the user row, or one sub-query). */
function compileScoped(filter: ResolvedFilter, scope: Scope): RawBuilder<unknown> {
  switch (filter.kind) {
    case 'and':
      return sql`(${compileScoped(filter.left, scope)} and ${compileScoped(filter.right, scope)})`;
    case 'or':
      return sql`(${compileScoped(filter.left, scope)} or ${compileScoped(filter.right, scope)})`;
    case 'not':
      return sql`(not ${compileScoped(filter.filter, scope)})`;
    case 'valuePath':
      throw ScimError.invalidFilter('value filters cannot be nested');
    case 'present': {
      const column = scope.column(filter.attribute);
      if (column.type === 'string') return sql`(${sql.raw(column.sql)} is not null and ${sql.raw(column.sql)} <> '')`;
      return sql`(${sql.raw(column.sql)} is not null)`;
    }
    case 'compare':
      return compare(scope.column(filter.attribute), filter.attribute, filter.op, filter.value);
    default: {
      const impossible: never = filter;
      throw new TypeError(`unknown filter kind ${JSON.stringify(impossible)}`);
    }
  }
}

function singleScope(mapping: FilterMapping): Scope {
  return {
    exists: () => {
      throw new TypeError('a single-valued scope has no sub-query');
    },
    column: (attribute) => {
      const column = mapping.columns[attribute.key];
      if (!column) throw ScimError.invalidFilter(`filtering on '${attribute.key}' is not supported`);
      return column;
    },
  };
}

function compare(column: Column, attribute: ResolvedAttribute, op: CompareOperator, value: FilterValue): RawBuilder<unknown> {
  const target = sql.raw(column.sql);
  if (value === null) {
    if (op === 'eq') return sql`(${target} is null)`;
    if (op === 'ne') return sql`(${target} is not null)`;
    throw ScimError.invalidFilter(`'${op}' cannot compare with null`);
  }
  if (column.type === 'boolean') {
    const bit = value === true ? 1 : 0;
    if (op === 'eq') return sql`(${target} is not null and ${target} = ${bit})`;
    if (op === 'ne') return sql`(${target} is null or ${target} <> ${bit})`;
    throw ScimError.invalidFilter(`'${op}' is not defined for the boolean attribute '${attribute.key}'`);
  }
  const comparison = compareValue(column, attribute, op, value);
  // A missing value compares false, never NULL, so `not (…)` includes resources without it.
  return op === 'ne' ? comparison : sql`(${target} is not null and ${comparison})`;
}

function compareValue(
  column: Column,
  attribute: ResolvedAttribute,
  op: CompareOperator,
  value: string | number | boolean,
): RawBuilder<unknown> {
  const target = sql.raw(column.sql);
  const caseExact = attribute.definition.caseExact || column.type === 'dateTime';
  const text = String(value);
  // A stored lower-cased column (lowered in JavaScript on write) is compared with a value lowered
  // the same way, so its index applies; other columns are lowered by the engine on both sides,
  // so PostgreSQL's and JavaScript's Unicode case rules are never mixed.
  const folded = (operand: string) =>
    caseExact ? sql`${operand}` : column.lower ? sql`${operand.toLowerCase()}` : sql`lower(cast(${operand} as text))`;
  const left = caseExact ? target : sql.raw(column.lower ?? `lower(${column.sql})`);
  switch (op) {
    case 'eq':
      return sql`(${left} = ${folded(text)})`;
    case 'ne':
      return sql`(${target} is null or ${left} <> ${folded(text)})`;
    case 'co':
      return sql`(${left} like ${folded(`%${escapeLike(text)}%`)} escape '\\')`;
    case 'sw':
      return sql`(${left} like ${folded(`${escapeLike(text)}%`)} escape '\\')`;
    case 'ew':
      return sql`(${left} like ${folded(`%${escapeLike(text)}`)} escape '\\')`;
    case 'gt':
      return sql`(${left} > ${folded(text)})`;
    case 'ge':
      return sql`(${left} >= ${folded(text)})`;
    case 'lt':
      return sql`(${left} < ${folded(text)})`;
    case 'le':
      return sql`(${left} <= ${folded(text)})`;
    default: {
      const impossible: never = op;
      throw new TypeError(`unknown operator ${String(impossible)}`);
    }
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The SQL expression to sort by (RFC 7644 §3.4.2.3); multi-valued attributes sort by their primary or first value. */
export function sortExpression(attribute: ResolvedAttribute, mapping: FilterMapping): RawBuilder<unknown> {
  const scope = mapping.scopeOf(attribute);
  if (!scope) {
    const column = mapping.columns[attribute.key];
    if (!column) throw ScimError.invalidParameter(`sorting by '${attribute.key}' is not supported`);
    return caseFolded(column, attribute);
  }
  const expression = scope.sortExpression?.(attribute);
  if (!expression) throw ScimError.invalidParameter(`sorting by '${attribute.key}' is not supported`);
  return expression;
}

/** The column as compared: lower-cased unless the attribute is caseExact or not a string. */
export function caseFolded(column: Column, attribute: ResolvedAttribute): RawBuilder<unknown> {
  if (column.type !== 'string' || attribute.definition.caseExact) return sql.raw(column.sql);
  return sql.raw(column.lower ?? `lower(${column.sql})`);
}
