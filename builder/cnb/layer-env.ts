/**
 * Environment contributed by layers (Buildpack API 0.10, "Environment" → "Layer Paths" and
 * "Provided by the Buildpacks"): a layer's `bin/` joins PATH, `lib/` LD_LIBRARY_PATH (and
 * LIBRARY_PATH at build), `include/` CPATH and `pkgconfig/` PKG_CONFIG_PATH at build; later
 * buildpacks' paths come first, one buildpack's layers alphabetically. Files in `env/`, then
 * `env.build/` or `env.launch/`, then `env.launch/<process>/` modify variables: the name is the
 * file name up to the first ".", the suffix (none = override, .override, .default, .append,
 * .prepend; .delim gives the delimiter) the operation. Reading is thin; applying is pure.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type EnvOp = 'override' | 'default' | 'append' | 'prepend';

export interface EnvModification {
  name: string;
  op: EnvOp;
  value: string;
  delim: string;
}

export type Phase = 'build' | 'launch';

/** Applies modifications in order to `base`, returning a new environment. */
export function applyEnvModifications(base: Record<string, string>, mods: EnvModification[]): Record<string, string> {
  const env = { ...base };
  for (const mod of mods) {
    const current = env[mod.name];
    switch (mod.op) {
      case 'override':
        env[mod.name] = mod.value;
        break;
      case 'default':
        if (!current) env[mod.name] = mod.value;
        break;
      case 'append':
        env[mod.name] = current ? `${current}${mod.delim}${mod.value}` : mod.value;
        break;
      case 'prepend':
        env[mod.name] = current ? `${mod.value}${mod.delim}${current}` : mod.value;
        break;
      default: {
        const never: never = mod.op;
        throw new Error(`unknown env op ${String(never)}`);
      }
    }
  }
  return env;
}

const OPS = new Set<string>(['override', 'default', 'append', 'prepend']);

/** Names a file in an env dir: `NAME`, `NAME.<op>`, or `NAME.delim`; null for anything else. */
export function parseEnvFileName(file: string): { name: string; op: EnvOp | 'delim' } | null {
  const dot = file.indexOf('.');
  const name = dot === -1 ? file : file.slice(0, dot);
  const suffix = dot === -1 ? '' : file.slice(dot + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return null;
  if (suffix === '') return { name, op: 'override' };
  if (suffix === 'delim') return { name, op: 'delim' };
  return OPS.has(suffix) ? { name, op: suffix as EnvOp } : null;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** Reads one env dir (files only: `env.launch/<process>/` subdirs are read separately). */
export async function readEnvDir(dir: string): Promise<EnvModification[]> {
  if (!existsSync(dir)) return [];
  const mods: EnvModification[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const parsed = parseEnvFileName(file);
    if (!parsed || parsed.op === 'delim' || !(await isFile(join(dir, file)))) continue;
    const delimFile = join(dir, `${parsed.name}.delim`);
    const delim = existsSync(delimFile) ? await readFile(delimFile, 'utf8') : '';
    mods.push({ name: parsed.name, op: parsed.op, value: await readFile(join(dir, file), 'utf8'), delim });
  }
  return mods;
}

/** A layer as the env needs it: where to read it, and how commands see it. */
export interface EnvLayer {
  bp: string;
  hostDir: string;
  viewDir: string;
}

const PATH_DIRS: { dir: string; name: string; phases: Phase[] }[] = [
  { dir: 'bin', name: 'PATH', phases: ['build', 'launch'] },
  { dir: 'lib', name: 'LD_LIBRARY_PATH', phases: ['build', 'launch'] },
  { dir: 'lib', name: 'LIBRARY_PATH', phases: ['build'] },
  { dir: 'include', name: 'CPATH', phases: ['build'] },
  { dir: 'pkgconfig', name: 'PKG_CONFIG_PATH', phases: ['build'] },
];

/** Layer path modifications of one buildpack's layers (already sorted by name). */
function layerPathModifications(layers: EnvLayer[], phase: Phase): EnvModification[] {
  const mods: EnvModification[] = [];
  for (const p of PATH_DIRS.filter((d) => d.phases.includes(phase))) {
    const dirs = layers.filter((l) => existsSync(join(l.hostDir, p.dir))).map((l) => `${l.viewDir}/${p.dir}`);
    if (dirs.length > 0) mods.push({ name: p.name, op: 'prepend', value: dirs.join(':'), delim: ':' });
  }
  return mods;
}

/**
 * Every modification, in the order to apply them, from `layers` (in group order, each
 * buildpack's layers by name) for a phase; `processType` adds `env.launch/<process>/`.
 */
export async function envModifications(layers: EnvLayer[], phase: Phase, processType?: string): Promise<EnvModification[]> {
  const mods: EnvModification[] = [];
  const bps = [...new Set(layers.map((l) => l.bp))];
  for (const bp of bps) {
    const own = layers.filter((l) => l.bp === bp);
    mods.push(...layerPathModifications(own, phase));
    for (const layer of own) {
      mods.push(...(await readEnvDir(join(layer.hostDir, 'env'))));
      mods.push(...(await readEnvDir(join(layer.hostDir, `env.${phase}`))));
      if (phase === 'launch' && processType) mods.push(...(await readEnvDir(join(layer.hostDir, 'env.launch', processType))));
    }
  }
  return mods;
}
