/**
 * Layers, as the CNB Buildpack API 0.10 defines them: `<layers>/<bp>/<name>/` plus
 * `<layers>/<bp>/<name>.toml` whose `[types]` say whether the layer is on the launch image
 * (launch), visible to later buildpacks (build) and kept for the next build (cache).
 * Restore and save move cache layers between a build's workspace and the app's cache dir.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'smol-toml';

export interface LayerTypes {
  launch: boolean;
  build: boolean;
  cache: boolean;
}

export interface Layer {
  /** Escaped buildpack id (the directory under the layers dir). */
  bp: string;
  name: string;
  types: LayerTypes;
}

// Files in a buildpack's layers dir that are not layer metadata.
const RESERVED_TOML = new Set(['launch.toml', 'build.toml', 'store.toml']);

export function parseLayerTypes(text: string): LayerTypes {
  const doc = parse(text) as { types?: Record<string, unknown> };
  const types = doc.types ?? {};
  return { launch: types.launch === true, build: types.build === true, cache: types.cache === true };
}

/** Every layer with both a directory and a `<name>.toml`, for each buildpack under `layersDir`. */
export async function listLayers(layersDir: string): Promise<Layer[]> {
  if (!existsSync(layersDir)) return [];
  const layers: Layer[] = [];
  for (const bp of (await readdir(layersDir, { withFileTypes: true })).filter((e) => e.isDirectory())) {
    const bpDir = join(layersDir, bp.name);
    for (const file of (await readdir(bpDir)).sort()) {
      if (!file.endsWith('.toml') || RESERVED_TOML.has(file)) continue;
      const name = file.slice(0, -'.toml'.length);
      if (!existsSync(join(bpDir, name))) continue;
      const types = parseLayerTypes(await readFile(join(bpDir, file), 'utf8'));
      layers.push({ bp: bp.name, name, types });
    }
  }
  return layers;
}

async function copyLayer(fromDir: string, toDir: string, layer: Layer): Promise<void> {
  const from = join(fromDir, layer.bp);
  const to = join(toDir, layer.bp);
  await mkdir(to, { recursive: true });
  await rm(join(to, layer.name), { recursive: true, force: true });
  await cp(join(from, layer.name), join(to, layer.name), { recursive: true, verbatimSymlinks: true });
  await cp(join(from, `${layer.name}.toml`), join(to, `${layer.name}.toml`));
}

/** Restore phase: brings the cache layers of the previous build back into the workspace. */
export async function restoreCache(cacheLayersDir: string, layersDir: string): Promise<Layer[]> {
  const cached = (await listLayers(cacheLayersDir)).filter((l) => l.types.cache);
  for (const layer of cached) await copyLayer(cacheLayersDir, layersDir, layer);
  return cached;
}

/** Saves this build's cache layers, replacing the previous cache entirely (stale layers go). */
export async function saveCache(layersDir: string, cacheLayersDir: string): Promise<Layer[]> {
  const toCache = (await listLayers(layersDir)).filter((l) => l.types.cache);
  const staging = `${cacheLayersDir}.new`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const layer of toCache) await copyLayer(layersDir, staging, layer);
  await rm(cacheLayersDir, { recursive: true, force: true });
  await cp(staging, cacheLayersDir, { recursive: true, verbatimSymlinks: true });
  await rm(staging, { recursive: true, force: true });
  return toCache;
}

/** Removes everything that must not reach the launch image or slug. */
export async function pruneToLaunchLayers(layersDir: string): Promise<Layer[]> {
  const all = await listLayers(layersDir);
  const launch = all.filter((l) => l.types.launch);
  for (const bp of existsSync(layersDir) ? await readdir(layersDir) : []) {
    for (const entry of await readdir(join(layersDir, bp))) {
      const name = entry.endsWith('.toml') ? entry.slice(0, -5) : entry;
      if (!launch.some((l) => l.bp === bp && l.name === name)) {
        await rm(join(layersDir, bp, entry), { recursive: true, force: true });
      }
    }
  }
  return launch;
}
