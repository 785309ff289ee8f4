/**
 * Environment contributed by layers (Buildpack API 0.10, "Provided by the Buildpacks"):
 * a layer's `bin/` joins PATH, and files in `env/`, `env.build/` or `env.launch/` named
 * `NAME`, `NAME.override`, `NAME.default`, `NAME.append`, `NAME.prepend` (with `NAME.delim`)
 * modify the variable. The reading is thin; applying the modifications is pure.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export type EnvOp = 'override' | 'default' | 'append' | 'prepend';

export interface EnvModification {
  name: string;
  op: EnvOp;
  value: string;
  delim: string;
}

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
        if (current === undefined) env[mod.name] = mod.value;
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

async function readEnvDir(dir: string): Promise<EnvModification[]> {
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).sort();
  const mods: EnvModification[] = [];
  for (const file of files) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.(override|default|append|prepend))?$/.exec(file);
    if (!m?.[1]) continue;
    const delimFile = join(dir, `${m[1]}.delim`);
    const delim = existsSync(delimFile) ? await readFile(delimFile, 'utf8') : '';
    const value = await readFile(join(dir, file), 'utf8');
    mods.push({ name: m[1], op: (m[2] as EnvOp | undefined) ?? 'override', value, delim });
  }
  return mods;
}

/**
 * Modifications from one layer for a phase. `hostLayerDir` is read; `viewLayerDir` is how the
 * commands see the layer (the PATH entry must use it).
 */
export async function layerEnvModifications(
  hostLayerDir: string,
  viewLayerDir: string,
  phase: 'build' | 'launch',
): Promise<EnvModification[]> {
  const mods: EnvModification[] = [];
  if (existsSync(join(hostLayerDir, 'bin'))) {
    mods.push({ name: 'PATH', op: 'prepend', value: `${viewLayerDir}/bin`, delim: ':' });
  }
  mods.push(...(await readEnvDir(join(hostLayerDir, 'env'))));
  mods.push(...(await readEnvDir(join(hostLayerDir, `env.${phase}`))));
  return mods;
}
