import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/scim/errors.js';

/**
 * docs/errors.md documents every error code of ERROR_CATALOGUE in one table (header row starting
 * with "Code"). This test keeps the two in sync: a code added, removed or changed in the
 * catalogue fails here until the table says the same.
 */

const DOC_PATH = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));

interface DocRow {
  readonly code: string;
  readonly status: string;
  readonly scimType: string | undefined;
  readonly line: number;
}

/** The cells of a markdown table row, without the outer pipes; `\|` stays inside a cell. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

const isTableLine = (line: string) => line.trim().startsWith('|');
const isSeparator = (row: string[]) => row.every((cell) => /^:?-{3,}:?$/.test(cell));
const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1').trim();
const NONE = new Set(['', '—', '-', '–', 'none', 'n/a']);

/** Every markdown table of the document, as its header and body rows. */
function tables(markdown: string): Array<{ header: string[]; rows: Array<{ cells: string[]; line: number }> }> {
  const result: Array<{ header: string[]; rows: Array<{ cells: string[]; line: number }> }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const next = lines[i + 1];
    if (!isTableLine(line) || next === undefined || !isTableLine(next) || !isSeparator(cells(next))) continue;
    const table = { header: cells(line), rows: [] as Array<{ cells: string[]; line: number }> };
    let j = i + 2;
    for (; j < lines.length && isTableLine(lines[j] as string); j++) table.rows.push({ cells: cells(lines[j] as string), line: j + 1 });
    result.push(table);
    i = j - 1;
  }
  return result;
}

function catalogueTable(markdown: string): DocRow[] {
  const found = tables(markdown).filter((t) => t.header[0]?.toLowerCase() === 'code');
  expect(found, 'docs/errors.md must have exactly one table whose first column is "Code"').toHaveLength(1);
  const [table] = found;
  const header = (table?.header ?? []).map((h) => h.toLowerCase());
  const statusColumn = header.findIndex((h) => h.includes('status'));
  const scimTypeColumn = header.findIndex((h) => h.toLowerCase() === 'scimtype');
  expect(statusColumn, 'the table needs an HTTP status column').toBeGreaterThan(0);
  expect(scimTypeColumn, 'the table needs a scimType column').toBeGreaterThan(0);
  return (table?.rows ?? []).map(({ cells: row, line }) => {
    const scimType = unquote(row[scimTypeColumn] ?? '');
    return {
      code: unquote(row[0] ?? ''),
      status: unquote(row[statusColumn] ?? ''),
      scimType: NONE.has(scimType.toLowerCase()) ? undefined : scimType,
      line,
    };
  });
}

describe('docs/errors.md', () => {
  const rows = catalogueTable(readFileSync(DOC_PATH, 'utf8'));
  const codes = Object.keys(ERROR_CATALOGUE);

  it('has one row per ERROR_CATALOGUE code, and no other rows', () => {
    const documented = rows.map((r) => r.code);
    const duplicates = documented.filter((code, i) => documented.indexOf(code) !== i);
    expect(duplicates, 'codes documented more than once').toEqual([]);
    expect(
      codes.filter((code) => !documented.includes(code)),
      'codes in ERROR_CATALOGUE missing from docs/errors.md',
    ).toEqual([]);
    expect(
      documented.filter((code) => !codes.includes(code)),
      'rows in docs/errors.md for codes not in ERROR_CATALOGUE',
    ).toEqual([]);
    expect(rows).toHaveLength(codes.length);
  });

  it.each(codes)('documents %s with its HTTP status and scimType', (code) => {
    const entry: { status: number; scimType?: string } = ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE];
    const row = rows.find((r) => r.code === code);
    expect(row, `no row for '${code}'`).toBeDefined();
    expect(row?.status, `HTTP status of '${code}' (docs/errors.md line ${row?.line})`).toBe(String(entry.status));
    expect(row?.scimType, `scimType of '${code}' (docs/errors.md line ${row?.line})`).toBe(entry.scimType);
  });

  it('fills in "when it happens" and "what to do" for every row', () => {
    const markdown = readFileSync(DOC_PATH, 'utf8');
    const table = tables(markdown).find((t) => t.header[0]?.toLowerCase() === 'code');
    for (const row of table?.rows ?? []) {
      expect(row.cells, `docs/errors.md line ${row.line} needs ${table?.header.length} cells`).toHaveLength(table?.header.length ?? 0);
      expect(row.cells[3]?.length ?? 0, `docs/errors.md line ${row.line}: "when it happens" is empty`).toBeGreaterThan(0);
    }
  });
});
