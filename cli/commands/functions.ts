/**
 * functions, functions:deploy, functions:logs: the backend's Edge Functions (issue 17,
 * backend/functions/). A deploy sends the function's folder (node_modules included, .git and
 * dot-folders left out) as base64 files; DevFlow bundles it and makes a new version.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FunctionLogLine, FunctionView } from '../../backend/index.js';
import { CliError, createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { formatTable, print, type OutputOptions } from '../output.js';

const UPLOAD_TYPE = 'application/vnd.devflow.function+json';
const base = (app: string) => `/apps/${encodeURIComponent(app)}/functions`;

/** The folder's files with paths relative to it, `/`-separated; dot-files and dot-folders are left out. */
export async function readFunctionFolder(dir: string): Promise<{ path: string; content: string }[]> {
  const files: { path: string; content: string }[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) files.push({ path: child, content: (await fs.readFile(path.join(dir, child))).toString('base64') });
    }
  };
  try {
    await walk('');
  } catch (err) {
    throw new CliError(`cannot read the function folder ${dir}: ${(err as Error).message}`, 'usage');
  }
  return files;
}

/**
 * The upload of a function folder: its files, and when its parent holds `_`-prefixed folders
 * (Supabase's `_shared`), those too, so `../_shared/…` imports resolve; `root` names the folder.
 */
export async function functionUpload(dir: string): Promise<{ files: { path: string; content: string }[]; root?: string }> {
  const own = await readFunctionFolder(dir);
  const parent = path.dirname(path.resolve(dir));
  const shared = (await fs.readdir(parent, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() && e.name.startsWith('_'));
  if (shared.length === 0) return { files: own };
  const root = path.basename(path.resolve(dir));
  const files = own.map((f) => ({ path: `${root}/${f.path}`, content: f.content }));
  for (const folder of shared) {
    for (const f of await readFunctionFolder(path.join(parent, folder.name))) files.push({ path: `${folder.name}/${f.path}`, content: f.content });
  }
  return { files, root };
}

export function formatFunctions(list: FunctionView[]): string {
  if (list.length === 0) return 'No functions: deploy one with `devflow functions:deploy <app> <name> <dir>`';
  const rows = [['NAME', 'VERSION', 'VERIFY JWT', 'INVOCATIONS', 'ERRORS', 'DEPLOYED'],
    ...list.map((f) => [f.name, `v${f.version}`, f.verifyJwt ? 'yes' : 'no', String(f.invocations), String(f.errors), f.deployedAt])];
  return formatTable(rows);
}

export function formatLogLine(l: FunctionLogLine): string {
  return `${l.at} v${l.version} ${l.invocation ? l.invocation.slice(0, 8) : '--------'} ${l.stream}: ${l.line}`;
}

export async function listFunctions({ app, opts }: CommandInput<OutputOptions>): Promise<void> {
  const list = await createClient(process.env).request<FunctionView[]>('GET', base(app));
  print(opts, list, () => formatFunctions(list));
}

export async function deployFunction({ app, args, opts }: CommandInput<OutputOptions & { verifyJwt?: boolean }>): Promise<void> {
  const [name, dir] = args as [string, string];
  const { files, root } = await functionUpload(dir);
  const body = { files, root, verifyJwt: opts.verifyJwt !== false };
  const view = await createClient(process.env).request<FunctionView>('PUT', `${base(app)}/${encodeURIComponent(name)}`, body, { contentType: UPLOAD_TYPE });
  print(opts, view, () => `Deployed ${view.name} v${view.version} to ${app} (${files.length} files; JWT ${view.verifyJwt ? 'verified' : 'not verified'})`);
}

export async function functionLogs({ app, args, opts }: CommandInput<OutputOptions & { lines?: string }>): Promise<void> {
  const [name] = args as [string];
  const query = opts.lines ? `?lines=${encodeURIComponent(opts.lines)}` : '';
  const lines = await createClient(process.env).request<FunctionLogLine[]>('GET', `${base(app)}/${encodeURIComponent(name)}/logs${query}`);
  print(opts, lines, () => lines.map(formatLogLine).join('\n'));
}
