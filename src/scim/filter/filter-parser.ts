/**
 * Recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2):
 *
 *     FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *     valuePath = attrPath "[" valFilter "]"
 *     attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *     logExp    = FILTER SP ("and" / "or") SP FILTER
 *
 * Precedence is `not` > `and` > `or`; `and`/`or` chains are read in a loop and built
 * left-deep, so only parentheses, `not (…)` and value filters recurse (bounded by maxDepth).
 * Keywords and operators are case-insensitive. Values are JSON strings, numbers, `true`,
 * `false` and `null` (any case); as legacy tolerance an unquoted word is read as a string.
 * Spaces and tabs may separate any two tokens (also `emails [type eq "work"]`); `+` is not a
 * separator. Error details name the position (a 0-based character offset) and what was expected.
 */
import { ScimError } from '../errors.js';
import { isWellFormed } from '../unicode.js';
import type { CompareOperator, Filter, FilterValue } from './ast.js';
import { attributePathProblem } from './attribute-path-syntax.js';
import { excerpt, FilterLexer, type SyntaxErrorFactory, type Token } from './filter-lexer.js';
import { type FilterLimits, resolveLimits } from './filter-limits.js';

const COMPARE_OPERATORS: ReadonlySet<string> = new Set<CompareOperator>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

const isOperatorWord = (token: Token) =>
  token.kind === 'word' && (token.text.toLowerCase() === 'pr' || COMPARE_OPERATORS.has(token.text.toLowerCase()));

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

/** True when `text` is a JSON number (RFC 8259 §6): `-? int frac? exp?`. */
export function isJsonNumber(text: string): boolean {
  let i = 0;
  const at = (k: number) => text.charCodeAt(k);
  if (at(i) === 0x2d) i++;
  if (at(i) === 0x30) i++;
  else if (isDigit(at(i))) while (isDigit(at(i))) i++;
  else return false;
  if (at(i) === 0x2e) {
    i++;
    if (!isDigit(at(i))) return false;
    while (isDigit(at(i))) i++;
  }
  if (at(i) === 0x65 || at(i) === 0x45) {
    i++;
    if (at(i) === 0x2b || at(i) === 0x2d) i++;
    if (!isDigit(at(i))) return false;
    while (isDigit(at(i))) i++;
  }
  return i === text.length;
}

export interface FilterParserOptions {
  readonly fail: SyntaxErrorFactory;
  readonly maxDepth: number;
  /** How error details call the whole input. */
  readonly noun: 'filter' | 'path';
}

/** The parser state over one input; also drives the PATCH path parser. */
export class FilterParser {
  readonly lexer: FilterLexer;
  private readonly options: FilterParserOptions;
  private depth = 0;

  constructor(text: string, options: FilterParserOptions) {
    this.lexer = new FilterLexer(text, options.fail);
    this.options = options;
  }

  /** Raises the protocol error for a malformed input. */
  fail(detail: string): ScimError {
    return this.options.fail(detail);
  }

  /** `or` chain of `and` chains; stops (without consuming) at anything else. */
  parseExpression(inValuePath: boolean): Filter {
    let left = this.parseAndChain(inValuePath);
    while (this.peekKeyword('or')) {
      this.lexer.next();
      const right = this.parseAndChain(inValuePath);
      left = { kind: 'or', left, right };
    }
    return left;
  }

  private parseAndChain(inValuePath: boolean): Filter {
    let left = this.parseTerm(inValuePath);
    while (this.peekKeyword('and')) {
      this.lexer.next();
      const right = this.parseTerm(inValuePath);
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private peekKeyword(keyword: 'and' | 'or'): boolean {
    const token = this.lexer.peek();
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  /** `( FILTER )`, `not ( FILTER )`, an attribute expression or a value path. */
  private parseTerm(inValuePath: boolean): Filter {
    const token = this.lexer.peek();
    if (token.kind === '(') {
      this.lexer.next();
      return this.parseGroup(token, inValuePath);
    }
    if (token.kind !== 'word') {
      throw this.fail(`expected an attribute path, '(' or 'not' at position ${token.start}, found ${this.describe(token)}`);
    }
    this.lexer.next();
    if (token.text.toLowerCase() === 'not') {
      const after = this.lexer.peek();
      if (after.kind === '(') {
        this.lexer.next();
        return { kind: 'not', filter: this.parseGroup(after, inValuePath) };
      }
      // Otherwise `not` can only be an attribute name, as in `not pr` or `not[…]`.
      if (after.kind !== '[' && !isOperatorWord(after)) {
        throw this.fail(`expected '(' after 'not' at position ${after.start}, found ${this.describe(after)}`);
      }
    }
    return this.parseAttributeExpression(token, inValuePath);
  }

  /** The rest of a parenthesised filter whose `(` has been consumed. */
  private parseGroup(open: Token, inValuePath: boolean): Filter {
    this.enter(open);
    const filter = this.parseExpression(inValuePath);
    const close = this.lexer.next();
    if (close.kind !== ')') {
      throw this.fail(
        `expected 'and', 'or' or ')' (closing the '(' at position ${open.start}) at position ${close.start}, found ${this.describe(close)}`,
      );
    }
    this.depth--;
    return filter;
  }

  /** `attrPath pr`, `attrPath op value` or `attrPath[valFilter]`; the path token is consumed. */
  private parseAttributeExpression(pathToken: Token, inValuePath: boolean): Filter {
    const path = this.checkPath(pathToken);
    const next = this.lexer.peek();
    if (next.kind === '[') {
      this.lexer.next();
      if (inValuePath) {
        throw this.fail(`value filters cannot be nested: '[' at position ${next.start} is inside another value filter`);
      }
      const { filter, close } = this.parseValueFilter(next);
      const after = this.lexer.peek();
      if (after.kind === 'word' && after.start === close.end && after.text.startsWith('.')) {
        // Not in the RFC 7644 ABNF, but Entra matches users with `emails[type eq "work"].value eq "…"`:
        // read it as `emails[type eq "work" and value eq "…"]`.
        this.lexer.next();
        const subPath = after.text.slice(1);
        const inner = this.parseAttributeExpression({ ...after, text: subPath, start: after.start + 1 }, true);
        if (inner.kind === 'valuePath') throw this.fail(`value filters cannot be nested at position ${after.start}`);
        return { kind: 'valuePath', path, filter: { kind: 'and', left: filter, right: inner } };
      }
      return { kind: 'valuePath', path, filter };
    }
    if (next.kind === 'word') {
      const op = next.text.toLowerCase();
      if (op === 'pr') {
        this.lexer.next();
        return { kind: 'present', path };
      }
      if (COMPARE_OPERATORS.has(op)) {
        this.lexer.next();
        return { kind: 'compare', path, op: op as CompareOperator, value: this.parseValue(next) };
      }
    }
    throw this.fail(`expected a comparison operator after '${excerpt(path)}' at position ${next.start}, found ${this.describe(next)}`);
  }

  /** The inner filter of a value path whose `[` has been consumed, and the closing `]`. */
  parseValueFilter(open: Token): { filter: Filter; close: Token } {
    this.enter(open);
    const filter = this.parseExpression(true);
    const close = this.lexer.next();
    if (close.kind !== ']') {
      throw this.fail(
        `expected 'and', 'or' or ']' (closing the '[' at position ${open.start}) at position ${close.start}, found ${this.describe(close)}`,
      );
    }
    this.depth--;
    return { filter, close };
  }

  /** compValue = false / null / true / number / string, plus legacy unquoted words. */
  private parseValue(operator: Token): FilterValue {
    const token = this.lexer.next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
      if (isJsonNumber(token.text)) {
        const number = Number(token.text);
        if (!Number.isFinite(number)) {
          throw this.fail(`the number '${excerpt(token.text)}' at position ${token.start} is out of range`);
        }
        return number;
      }
      if (lower !== 'and' && lower !== 'or') return token.text;
    }
    throw this.fail(`expected a value after '${operator.text}' at position ${token.start}, found ${this.describe(token)}`);
  }

  /** Fails unless the whole input has been read. */
  expectEnd(): void {
    const token = this.lexer.peek();
    if (token.kind !== 'end') {
      throw this.fail(
        `expected 'and', 'or' or the end of the ${this.options.noun} at position ${token.start}, found ${this.describe(token)}`,
      );
    }
  }

  /** The path text of a word token, once its syntax is checked. */
  checkPath(token: Token): string {
    const problem = attributePathProblem(token.text);
    if (problem) {
      throw this.fail(`'${excerpt(token.text)}' at position ${token.start} is not a valid attribute path: ${problem}`);
    }
    return token.text;
  }

  describe(token: Token): string {
    switch (token.kind) {
      case 'end':
        return `the end of the ${this.options.noun}`;
      case 'string':
        return `the string ${excerpt(token.text)}`;
      default:
        return `'${excerpt(token.text)}'`;
    }
  }

  private enter(open: Token): void {
    this.depth++;
    if (this.depth > this.options.maxDepth) {
      throw this.fail(
        `the ${this.options.noun} nests parentheses and value filters more than ${this.options.maxDepth} level${this.options.maxDepth === 1 ? '' : 's'} deep (at position ${open.start})`,
      );
    }
  }
}

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2) into its syntax tree, without checking attribute
 * names against a schema (see `resolveFilter`). Throws `ScimError` (invalidFilter) for any
 * malformed input or one over the limits (default 4096 characters, 32 nesting levels).
 */
export function parseFilter(text: string, limits?: FilterLimits): Filter {
  const { maxLength, maxDepth } = resolveLimits(limits);
  if (text.length > maxLength) {
    throw ScimError.invalidFilter(`the filter is ${text.length} characters long; at most ${maxLength} are allowed`);
  }
  if (!isWellFormed(text)) throw ScimError.invalidFilter('the filter is not well-formed Unicode: it contains a lone surrogate');
  const parser = new FilterParser(text, { fail: ScimError.invalidFilter, maxDepth, noun: 'filter' });
  if (parser.lexer.peek().kind === 'end') throw ScimError.invalidFilter('the filter is empty');
  const filter = parser.parseExpression(false);
  parser.expectEnd();
  return filter;
}
