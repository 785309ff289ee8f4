/**
 * Functions in a pushed repository, deployed with each release of an app whose backend is
 * enabled: every folder `supabase/functions/<name>/` (the Supabase CLI's layout) or
 * `functions/<name>/` with an entry file (index.ts, …). Folders whose name starts with `_`
 * (Supabase's `_shared`) are not functions; they are uploaded beside each function, so its
 * `../_shared/…` imports resolve. `verify_jwt = false` under `[functions.<name>]` in
 * `supabase/config.toml` opts a function out of JWT checks, as with the Supabase CLI.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ENTRY_FILES } from './bundle.js';
import type { FunctionUpload, UploadedFile } from './deploy.js';
import { isFunctionName } from './names.js';

export const FUNCTION_FOLDERS = ['supabase/functions', 'functions'];

export interface RepoFunction {
  name: string;
  upload: FunctionUpload;
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(() => true, () => false);
}

async function readTree(root: string, rel: string, out: UploadedFile[]): Promise<void> {
  for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) await readTree(root, child, out);
    else if (entry.isFile()) out.push({ path: child, content: await fs.readFile(path.join(root, child)) });
  }
}

/** `[functions.<name>] verify_jwt` from supabase/config.toml; true when unset or unreadable. */
export async function verifyJwtSettings(sourceDir: string): Promise<(name: string) => boolean> {
  const text = await fs.readFile(path.join(sourceDir, 'supabase', 'config.toml'), 'utf8').catch(() => undefined);
  if (text === undefined) return () => true;
  const { parse } = await import('smol-toml');
  let functions: Record<string, { verify_jwt?: unknown }> = {};
  try {
    functions = ((parse(text) as { functions?: typeof functions }).functions) ?? {};
  } catch {
    return () => true;
  }
  return (name) => functions[name]?.verify_jwt !== false;
}

/** The functions of a source tree, from the first of FUNCTION_FOLDERS that exists. */
export async function findRepoFunctions(sourceDir: string): Promise<{ folder: string; functions: RepoFunction[] } | undefined> {
  for (const folder of FUNCTION_FOLDERS) {
    const root = path.join(sourceDir, folder);
    const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => undefined);
    if (!entries) continue;
    const dirs = entries.filter((e) => e.isDirectory());
    const shared: UploadedFile[] = [];
    for (const dir of dirs.filter((d) => d.name.startsWith('_'))) await readTree(root, dir.name, shared);
    const verifyJwt = await verifyJwtSettings(sourceDir);
    const functions: RepoFunction[] = [];
    for (const dir of dirs.filter((d) => isFunctionName(d.name))) {
      const hasEntry = (await Promise.all(ENTRY_FILES.map((f) => exists(path.join(root, dir.name, f))))).some(Boolean);
      if (!hasEntry) continue;
      const files: UploadedFile[] = [...shared];
      await readTree(root, dir.name, files);
      functions.push({ name: dir.name, upload: { files, verifyJwt: verifyJwt(dir.name), root: dir.name } });
    }
    return { folder, functions };
  }
  return undefined;
}
