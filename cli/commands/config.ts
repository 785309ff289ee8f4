/** config, config:set, config:unset, rollback (issue 4); every check happens in the API. */
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface ConfigResult { release: number | null; vars: Record<string, string> }
interface RollbackResult { release: number; rolledBackTo: number }

const path = (app: string, rest: string) => `/apps/${encodeURIComponent(app)}${rest}`;

/** `KEY=value` arguments; the value may itself hold "=" and may be empty. */
export function parseAssignments(args: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new CliError(`"${arg}" is not KEY=value: e.g. devflow config:set my-app GREETING=hello`, 'usage');
    vars[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return vars;
}

function formatVars(app: string, vars: Record<string, string>): string {
  const keys = Object.keys(vars);
  if (keys.length === 0) return `${app} has no config vars`;
  const width = Math.max(...keys.map((k) => k.length)) + 1;
  return [`=== ${app} config vars`, ...keys.map((k) => `${`${k}:`.padEnd(width)} ${vars[k]}`)].join('\n');
}

function changed(what: string, result: ConfigResult): string {
  return result.release === null
    ? `${what}: stored; they take effect at the first deploy`
    : `${what} and restarting... done, v${result.release}`;
}

export async function showConfig({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const { vars } = await createClient(process.env).request<{ vars: Record<string, string> }>('GET', path(app, '/config'));
  print(opts, vars, () => formatVars(app, vars));
}

export async function setConfig({ app, args: assignments, opts }: CommandInput<OutputOptions>): Promise<void> {
  const body = parseAssignments(assignments);
  const result = await createClient(process.env).request<ConfigResult>('PATCH', path(app, '/config'), body);
  print(opts, result, () => changed(`Set ${Object.keys(body).join(', ')}`, result));
}

export async function unsetConfig({ app, args: keys, opts }: CommandInput<OutputOptions>): Promise<void> {
  const body = Object.fromEntries(keys.map((k) => [k, null]));
  const result = await createClient(process.env).request<ConfigResult>('PATCH', path(app, '/config'), body);
  print(opts, result, () => changed(`Unset ${keys.join(', ')}`, result));
}

export async function rollback({ app, args: [version], opts }: CommandInput<OutputOptions>): Promise<void> {
  const body = version === undefined ? {} : { version: version.replace(/^v/i, '') };
  const result = await createClient(process.env).request<RollbackResult>('POST', path(app, '/rollback'), body);
  print(opts, result, () => `Rolled back ${app} to v${result.rolledBackTo}: it runs as v${result.release}`);
}
