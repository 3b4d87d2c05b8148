/**
 * Parser for PATCH operation paths (RFC 7644 §3.5.2):
 *
 *     PATH = attrPath / valuePath [subAttr]
 *
 * i.e. `name.givenName`, `emails[type eq "work"]` or `emails[type eq "work"].value`. The value
 * filter is parsed like a filter (RFC 7644 §3.4.2.2) but every error is invalidPath.
 */
import { ScimError } from '../errors.js';
import { isWellFormed } from '../unicode.js';
import type { PatchPath } from './ast.js';
import { isAttributeName } from './attribute-path-syntax.js';
import { excerpt } from './filter-lexer.js';
import { type FilterLimits, resolveLimits } from './filter-limits.js';
import { FilterParser } from './filter-parser.js';

/** Parses a PATCH path; throws `ScimError` (invalidPath) when it is malformed or too long. */
export function parsePatchPath(text: string, limits?: FilterLimits): PatchPath {
  const { maxLength, maxDepth } = resolveLimits(limits);
  if (text.length > maxLength) {
    throw ScimError.invalidPath(`the path is ${text.length} characters long; at most ${maxLength} are allowed`);
  }
  if (!isWellFormed(text)) throw ScimError.invalidPath('the path is not well-formed Unicode: it contains a lone surrogate');
  const parser = new FilterParser(text, { fail: ScimError.invalidPath, maxDepth, noun: 'path' });
  const { lexer } = parser;
  const first = lexer.next();
  if (first.kind === 'end') throw ScimError.invalidPath('the path is empty');
  if (first.kind !== 'word') {
    throw ScimError.invalidPath(`expected an attribute path at position ${first.start}, found ${parser.describe(first)}`);
  }
  const attributePath = parser.checkPath(first);
  const open = lexer.peek();
  if (open.kind !== '[') {
    if (open.kind !== 'end') {
      throw ScimError.invalidPath(`expected '[' or the end of the path at position ${open.start}, found ${parser.describe(open)}`);
    }
    return { attributePath };
  }
  lexer.next();
  const { filter, close } = parser.parseValueFilter(open);
  const after = lexer.next();
  if (after.kind === 'end') return { attributePath, filter };
  if (after.kind === 'word' && after.start === close.end && after.text.startsWith('.')) {
    const subAttribute = after.text.slice(1);
    if (!isAttributeName(subAttribute)) {
      throw ScimError.invalidPath(
        `'${excerpt(after.text)}' at position ${after.start} is not a valid sub-attribute: expected '.' and one attribute name`,
      );
    }
    const end = lexer.peek();
    if (end.kind !== 'end') {
      throw ScimError.invalidPath(`expected the end of the path at position ${end.start}, found ${parser.describe(end)}`);
    }
    return { attributePath, filter, subAttribute };
  }
  throw ScimError.invalidPath(
    `expected '.subAttribute' directly after ']' or the end of the path at position ${after.start}, found ${parser.describe(after)}`,
  );
}
