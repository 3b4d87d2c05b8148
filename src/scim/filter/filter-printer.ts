/**
 * Prints a filter syntax tree back as RFC 7644 §3.4.2.2 filter text, for logs and tests.
 *
 * The output parses back to an equal tree (`parseFilter(printFilter(f))` deep-equals `f` for
 * any tree `parseFilter` can produce): strings are JSON-quoted, operators lower case, and
 * parentheses are added exactly where precedence (`not` > `and` > `or`) and the left-deep
 * reading of chains require them.
 */
import type { Filter, FilterValue } from './ast.js';
import { chainOperands } from './filter-chain.js';

/** A comparison value as filter text: JSON strings, `true`/`false`/`null`, JSON numbers. */
export function printFilterValue(value: FilterValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return String(value);
}

export function printFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'compare':
      return `${filter.path} ${filter.op} ${printFilterValue(filter.value)}`;
    case 'present':
      return `${filter.path} pr`;
    case 'not':
      return `not (${printFilter(filter.filter)})`;
    case 'valuePath':
      return `${filter.path}[${printFilter(filter.filter)}]`;
    case 'and':
    case 'or': {
      // Under `and`, an `or` operand needs parentheses; so does a right operand of the chain's
      // own kind (the parser reads chains left-deep). The leftmost operand is never of that kind.
      const parts = chainOperands<Filter>(filter).map((operand, index) => {
        const needsParentheses = operand.kind === 'or' || (index > 0 && filter.kind === 'and' && operand.kind === 'and');
        return needsParentheses ? `(${printFilter(operand)})` : printFilter(operand);
      });
      return parts.join(` ${filter.kind} `);
    }
    default: {
      const unreachable: never = filter;
      throw new TypeError(`unknown filter node ${JSON.stringify(unreachable)}`);
    }
  }
}
