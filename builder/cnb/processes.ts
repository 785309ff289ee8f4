/**
 * Processes and labels from each buildpack's `launch.toml` (Buildpack API 0.10, "launch.toml
 * (TOML)": `[[processes]]` type, command (an array; a string in APIs before 0.9, run by a
 * shell), args, default, working-dir; `[[labels]]` key/value) and from the app's Procfile, which
 * wins. Later buildpacks override earlier ones type by type; the default process is the last
 * one marked `default = true` that survives. `ProcessTable` is the one-line view (shell syntax).
 */
import { parse } from 'smol-toml';
import { BuildError } from '../../core/errors.js';
import type { ProcessTable } from '../../core/types.js';

export interface ProcessDef {
  type: string;
  /** Executable and fixed arguments; for a shell process (`direct` false) one shell command. */
  command: string[];
  args: string[];
  direct: boolean;
  default: boolean;
  /** Relative to the app dir, or absolute; null = the app dir. */
  workingDir: string | null;
  buildpackId: string;
}

export interface LaunchToml {
  processes: ProcessDef[];
  labels: Record<string, string>;
}

const PROCESS_TYPE = /^[A-Za-z0-9._-]+$/;
const SAFE_WORD = /^[A-Za-z0-9_\/.:=@%+,-]+$/;

export function shellQuote(word: string): string {
  return SAFE_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function strings(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error(`${what} must be an array of strings`);
  return value as string[];
}

function readProcess(raw: Record<string, unknown>, buildpackId: string): ProcessDef {
  const type = raw.type;
  if (typeof type !== 'string' || !PROCESS_TYPE.test(type)) {
    throw new Error(`process type ${JSON.stringify(type)} must be letters, digits, ".", "_" or "-"`);
  }
  const args = strings(raw.args, `process ${type}: args`);
  const workingDir = raw['working-dir'];
  if (workingDir !== undefined && typeof workingDir !== 'string') throw new Error(`process ${type}: working-dir must be a string`);
  const common = { type, args, default: raw.default === true, workingDir: workingDir ?? null, buildpackId };
  // Buildpack API < 0.9 wrote command as a string, run through a shell.
  if (typeof raw.command === 'string') return { ...common, command: [raw.command], direct: raw.direct === true };
  const command = strings(raw.command, `process ${type}: command`);
  if (command.length === 0) throw new Error(`process ${type}: command is missing or empty`);
  return { ...common, command, direct: true };
}

/** Parses one buildpack's launch.toml; errors name the buildpack and the file. */
export function parseLaunchToml(text: string, buildpackId = 'buildpack'): LaunchToml {
  try {
    const doc = parse(text) as { processes?: unknown; labels?: unknown };
    const rawProcesses = doc.processes ?? [];
    if (!Array.isArray(rawProcesses)) throw new Error('processes must be an array of tables ([[processes]])');
    const processes = rawProcesses.map((p) => readProcess(p as Record<string, unknown>, buildpackId));
    const types = processes.map((p) => p.type);
    const duplicate = types.find((t, i) => types.indexOf(t) !== i);
    if (duplicate) throw new Error(`process type ${duplicate} is declared twice`);
    if (processes.filter((p) => p.default).length > 1) throw new Error('only one process may have default = true');
    const labels: Record<string, string> = {};
    for (const label of Array.isArray(doc.labels) ? (doc.labels as Record<string, unknown>[]) : []) {
      if (typeof label.key !== 'string' || typeof label.value !== 'string') throw new Error('every [[labels]] entry needs a key and a value');
      labels[label.key] = label.value;
    }
    return { processes, labels };
  } catch (err) {
    throw new BuildError('build', `buildpack ${buildpackId} wrote an invalid launch.toml: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The command as one shell line: what a user reads, and what `sh -c` would run. */
export function processLine(p: ProcessDef): string {
  if (!p.direct) return [p.command[0] ?? '', ...p.args.map(shellQuote)].join(' ');
  return [...p.command, ...p.args].map(shellQuote).join(' ');
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

export interface MergedProcesses {
  processes: ProcessDef[];
  defaultType: string | null;
}

/** Later buildpacks override earlier ones for the same type; the Procfile overrides them all. */
export function mergeProcessDefs(fromBuildpacks: ProcessDef[][], procfile: ProcessTable | null): MergedProcesses {
  const byType = new Map<string, ProcessDef>();
  let defaultType: string | null = null;
  for (const defs of fromBuildpacks) {
    for (const def of defs) {
      byType.set(def.type, def);
      if (def.default) defaultType = def.type;
      else if (defaultType === def.type) defaultType = null;
    }
  }
  for (const [type, line] of Object.entries(procfile ?? {})) {
    const previous = byType.get(type);
    byType.set(type, { type, command: [line], args: [], direct: false, default: previous?.default ?? false, workingDir: null, buildpackId: 'Procfile' });
  }
  return { processes: [...byType.values()], defaultType };
}

export function processTable(processes: ProcessDef[]): ProcessTable {
  return Object.fromEntries(processes.map((p) => [p.type, processLine(p)]));
}
