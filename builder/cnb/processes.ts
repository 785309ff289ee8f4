/**
 * Process types: from each buildpack's `launch.toml` (`[[processes]]`, Buildpack API 0.10:
 * `command` is an array, older APIs a string) and from the app's Procfile, which wins.
 * The table holds shell commands, as Procfile commands are by nature.
 */
import { parse } from 'smol-toml';
import type { ProcessTable } from '../../core/types.js';

const SAFE_WORD = /^[A-Za-z0-9_\/.:=@%+,-]+$/;

export function shellQuote(word: string): string {
  return SAFE_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function toStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

export function parseLaunchToml(text: string): ProcessTable {
  const doc = parse(text) as { processes?: Record<string, unknown>[] };
  const table: ProcessTable = {};
  for (const proc of doc.processes ?? []) {
    const type = proc.type;
    if (typeof type !== 'string') continue;
    const args = toStrings(proc.args);
    if (typeof proc.command === 'string') {
      // Pre-0.9 string commands are shell commands already; args are words after them.
      table[type] = [proc.command, ...args.map(shellQuote)].join(' ');
    } else {
      table[type] = [...toStrings(proc.command), ...args].map(shellQuote).join(' ');
    }
  }
  return table;
}

/** Procfile: one `type: command` a line; blank lines and `#` comments are skipped. */
export function parseProcfile(text: string): ProcessTable {
  const table: ProcessTable = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9_-]+)\s*:\s*(.+)$/.exec(raw.trim());
    if (m?.[1] && m[2] && !raw.trim().startsWith('#')) table[m[1]] = m[2].trim();
  }
  return table;
}

/** Later buildpacks override earlier ones for the same type; the Procfile overrides them all. */
export function mergeProcesses(fromBuildpacks: ProcessTable[], procfile: ProcessTable | null): ProcessTable {
  return Object.assign({}, ...fromBuildpacks, procfile ?? {}) as ProcessTable;
}
