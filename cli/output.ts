/** Human output by default, `--json` for scripts. */
export interface OutputOptions {
  json?: boolean;
}

export function print(options: OutputOptions, data: unknown, human: () => string): void {
  console.log(options.json ? JSON.stringify(data, null, 2) : human());
}

/** Rows as aligned columns, two spaces apart, with no trailing spaces (the first row is the header). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
