/**
 * Tokenizer for SCIM filters and PATCH paths (RFC 7644 §3.4.2.2, §3.5.2).
 *
 * One left-to-right pass, one token of lookahead, no regular expressions: every character is
 * looked at a constant number of times, so tokenizing is linear in the input length whatever
 * its shape. Whitespace is spaces and tabs only; `+` is an ordinary character here (the query
 * parser has already turned URL `+` into a space).
 */
import type { ScimError } from '../errors.js';
import { isWellFormed } from '../unicode.js';

/** Makes the protocol error for a malformed input (invalidFilter or invalidPath). */
export type SyntaxErrorFactory = (detail: string) => ScimError;

export type TokenKind = 'word' | 'string' | '(' | ')' | '[' | ']' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The token as written (for a string: with its quotes and escapes). */
  readonly text: string;
  /** For a string: the decoded JSON string; otherwise the same as `text`. */
  readonly value: string;
  /** Offset of the first character, counted from 0. */
  readonly start: number;
  /** Offset just after the last character. */
  readonly end: number;
}

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const isControl = (code: number) => (code < 0x20 && code !== TAB) || code === 0x7f;

/**
 * A word runs until whitespace, a bracket, a parenthesis, a quote or a control character:
 * attribute paths (`urn:…:User:manager.value`, `$ref`), operators, `and`/`or`/`not`,
 * `true`/`false`/`null`, numbers and legacy unquoted values.
 */
const endsWord = (code: number) =>
  code === SPACE ||
  code === TAB ||
  code === QUOTE ||
  code === 0x28 || // (
  code === 0x29 || // )
  code === 0x5b || // [
  code === 0x5d || // ]
  isControl(code);

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const isHexDigit = (code: number) => (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);

/** Shortens long input excerpts quoted in error details. */
export function excerpt(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export class FilterLexer {
  readonly input: string;
  private readonly fail: SyntaxErrorFactory;
  private pos = 0;
  private peeked: Token | undefined;

  constructor(input: string, fail: SyntaxErrorFactory) {
    this.input = input;
    this.fail = fail;
  }

  /** The next token, without consuming it. */
  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  /** Consumes and returns the next token. */
  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  private scan(): Token {
    const input = this.input;
    let pos = this.pos;
    while (pos < input.length) {
      const code = input.charCodeAt(pos);
      if (code !== SPACE && code !== TAB) break;
      pos++;
    }
    if (pos >= input.length) {
      this.pos = pos;
      return { kind: 'end', text: '', value: '', start: pos, end: pos };
    }
    const code = input.charCodeAt(pos);
    switch (code) {
      case 0x28:
      case 0x29:
      case 0x5b:
      case 0x5d: {
        const text = input[pos] as '(' | ')' | '[' | ']';
        this.pos = pos + 1;
        return { kind: text, text, value: text, start: pos, end: pos + 1 };
      }
      case QUOTE:
        return this.scanString(pos);
      default:
        if (isControl(code)) {
          throw this.fail(`unexpected control character U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${pos}`);
        }
        return this.scanWord(pos);
    }
  }

  private scanWord(start: number): Token {
    const input = this.input;
    let end = start;
    while (end < input.length && !endsWord(input.charCodeAt(end))) end++;
    this.pos = end;
    const text = input.slice(start, end);
    return { kind: 'word', text, value: text, start, end };
  }

  /** A JSON string (RFC 8259 §7): `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX`. */
  private scanString(start: number): Token {
    const input = this.input;
    let value = '';
    let chunk = start + 1;
    let i = chunk;
    for (;;) {
      if (i >= input.length) throw this.fail(`unterminated string starting at position ${start}`);
      const code = input.charCodeAt(i);
      if (code === QUOTE) {
        value += input.slice(chunk, i);
        // `\uD800` escapes can spell a lone surrogate, which no database can store or compare.
        if (!isWellFormed(value)) {
          throw this.fail(`the string starting at position ${start} is not well-formed Unicode: it contains a lone surrogate`);
        }
        this.pos = i + 1;
        return { kind: 'string', text: input.slice(start, i + 1), value, start, end: i + 1 };
      }
      if (code === BACKSLASH) {
        value += input.slice(chunk, i);
        const escaped = input[i + 1];
        if (escaped === undefined) throw this.fail(`unterminated string starting at position ${start}`);
        const simple = SIMPLE_ESCAPES[escaped];
        if (simple !== undefined) {
          value += simple;
          i += 2;
        } else if (escaped === 'u') {
          for (let k = i + 2; k < i + 6; k++) {
            if (k >= input.length || !isHexDigit(input.charCodeAt(k))) {
              throw this.fail(`invalid \\u escape at position ${i}: expected four hexadecimal digits`);
            }
          }
          value += String.fromCharCode(Number.parseInt(input.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          throw this.fail(`invalid escape '\\${excerpt(escaped, 2)}' in a string at position ${i}`);
        }
        chunk = i;
        continue;
      }
      if (code < 0x20) {
        throw this.fail(`unescaped control character in a string at position ${i}; use a \\u escape`);
      }
      i++;
    }
  }
}
