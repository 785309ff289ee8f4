/** Human output by default, `--json` for scripts. */
export interface OutputOptions {
  json?: boolean;
}

export function print(options: OutputOptions, data: unknown, human: () => string): void {
  console.log(options.json ? JSON.stringify(data, null, 2) : human());
}
