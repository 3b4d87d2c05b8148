/** How a command reports: one JSON document with --json, readable lines otherwise. */
export interface Output {
  readonly json: boolean;
  /** Prints the result: `data` as JSON with --json, else the text lines. */
  result(data: unknown, lines: () => string[]): void;
}

export function createOutput(json: boolean, write: (text: string) => void = (t) => process.stdout.write(t)): Output {
  return {
    json,
    result(data, lines) {
      write(json ? `${JSON.stringify(data, null, 2)}\n` : `${lines().join('\n')}\n`);
    },
  };
}

/** Left-aligned columns for human-readable tables. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
