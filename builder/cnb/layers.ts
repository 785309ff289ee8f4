/**
 * Layers, as Buildpack API 0.10 defines them ("Layer Types", "Reusing Layers"):
 * `<layers>/<bp>/<name>/` plus `<layers>/<bp>/<name>.toml` whose `[types]` say whether the layer
 * is in the launch image (launch), visible to later buildpacks (build) and kept for the next
 * build (cache), and whose `[metadata]` is the buildpack's own. The restore phase brings back
 * cache layers (directory and metadata) and, for launch-only layers, only the metadata, always
 * without `[types]`: a buildpack that wants a restored layer again must set its types, so it can
 * compare the metadata and reuse the layer untouched. DevFlow is its own image store, so the
 * content of launch-only layers is kept beside the cache, for a buildpack that sets
 * `launch = true` and leaves no directory (the spec's "reuse the layer from the previous image").
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { BuildError } from '../../core/errors.js';
import { runCommand } from '../run-command.js';

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
  /** False when only `<name>.toml` exists (a launch layer reused from the previous build). */
  hasDir: boolean;
}

// Files in a buildpack's layers dir that are not layer metadata.
const RESERVED_TOML = new Set(['launch.toml', 'build.toml', 'store.toml']);

function parseLayerToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new BuildError('build', `${file} is not valid TOML: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function parseLayerTypes(text: string, file = '<layer>.toml'): LayerTypes {
  const types = parseLayerToml(text, file).types;
  const t = types && typeof types === 'object' ? (types as Record<string, unknown>) : {};
  return { launch: t.launch === true, build: t.build === true, cache: t.cache === true };
}

/** The layer metadata without `[types]`, as the restore phase hands it back. */
export function stripTypes(text: string, file = '<layer>.toml'): string {
  const { types: _types, ...rest } = parseLayerToml(text, file);
  return stringify(rest);
}

/** Every layer with a `<name>.toml`, for each buildpack under `layersDir`, sorted by name. */
export async function listLayers(layersDir: string): Promise<Layer[]> {
  if (!existsSync(layersDir)) return [];
  const layers: Layer[] = [];
  for (const bp of (await readdir(layersDir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const bpDir = join(layersDir, bp.name);
    for (const file of (await readdir(bpDir)).sort()) {
      if (!file.endsWith('.toml') || RESERVED_TOML.has(file)) continue;
      const name = file.slice(0, -'.toml'.length);
      const types = parseLayerTypes(await readFile(join(bpDir, file), 'utf8'), join(bp.name, file));
      layers.push({ bp: bp.name, name, types, hasDir: existsSync(join(bpDir, name)) });
    }
  }
  return layers;
}

/** The layers of one buildpack (escaped id). */
export async function layersOf(layersDir: string, bp: string): Promise<Layer[]> {
  return (await listLayers(layersDir)).filter((l) => l.bp === bp);
}

const isIgnored = (t: LayerTypes): boolean => !t.launch && !t.build && !t.cache;

/**
 * "At the end of each individual buildpack's build phase" layers with no type are renamed to
 * `<layer>.ignore/` so later buildpacks cannot depend on them.
 */
export async function hideIgnoredLayers(layersDir: string, bp: string): Promise<void> {
  for (const layer of await layersOf(layersDir, bp)) {
    if (!isIgnored(layer.types) || !layer.hasDir) continue;
    const dir = join(layersDir, bp, layer.name);
    await rm(`${dir}.ignore`, { recursive: true, force: true });
    await rename(dir, `${dir}.ignore`);
  }
}

/**
 * Copies a layer directory with modes, timestamps and hard links kept (and shared blocks where the
 * file system can). GNU cp does it in a third of the time of Node's fs.cp on a node_modules tree.
 */
async function copyDir(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await mkdir(dirname(to), { recursive: true });
  const args = ['-R', '--no-dereference', '--preserve=mode,timestamps,links', '--reflink=auto', from, to];
  const outcome = await runCommand({ file: 'cp', args }, { line: () => undefined });
  if (outcome.exitCode !== 0) throw new BuildError('build', `could not copy layer ${from} (cp exited ${outcome.exitCode})`, outcome.tail);
}

/** Where the cache keeps what: cache layers, and launch-only layers ("the previous image"). */
export function cachePaths(cacheDir: string): { cached: string; launch: string } {
  return { cached: join(cacheDir, 'layers'), launch: join(cacheDir, 'launch-layers') };
}

async function restoreMetadata(fromDir: string, toDir: string, layer: Layer): Promise<void> {
  await mkdir(join(toDir, layer.bp), { recursive: true });
  const file = join(fromDir, layer.bp, `${layer.name}.toml`);
  await writeFile(join(toDir, layer.bp, `${layer.name}.toml`), stripTypes(await readFile(file, 'utf8'), file));
}

export interface RestoreReport {
  /** Cache layers restored with their contents. */
  cached: Layer[];
  /** Launch-only layers whose metadata was restored. */
  metadataOnly: Layer[];
}

/**
 * How layers go from a build into the cache: `move` renames them (an image build, whose workspace
 * is thrown away after export); `copy` keeps both, for slugs, whose launch layers must stay where
 * the running release reads them. Restoring always moves: the cache is consumed, and a failed
 * build leaves none, so the next build is a cold one.
 */
export type TransferMode = 'move' | 'copy';

/** Only launch layers must stay behind in a slug; the others may always move. */
function modeFor(layer: Layer, mode: TransferMode): TransferMode {
  return mode === 'copy' && layer.types.launch ? 'copy' : 'move';
}

async function transferDir(from: string, to: string, mode: TransferMode): Promise<void> {
  if (mode === 'copy') return copyDir(from, to);
  await rm(to, { recursive: true, force: true });
  await mkdir(join(to, '..'), { recursive: true });
  await rename(from, to);
}

/** Restore phase: brings back the previous build's layers as the spec's table says. */
export async function restoreLayers(cacheDir: string, layersDir: string): Promise<RestoreReport> {
  const paths = cachePaths(cacheDir);
  const cached = (await listLayers(paths.cached)).filter((l) => l.types.cache && l.hasDir);
  for (const layer of cached) {
    await restoreMetadata(paths.cached, layersDir, layer);
    await transferDir(join(paths.cached, layer.bp, layer.name), join(layersDir, layer.bp, layer.name), 'move');
  }
  await rm(paths.cached, { recursive: true, force: true });
  const metadataOnly = (await listLayers(paths.launch)).filter((l) => !cached.some((c) => c.bp === l.bp && c.name === l.name));
  for (const layer of metadataOnly) await restoreMetadata(paths.launch, layersDir, layer);
  return { cached, metadataOnly };
}

async function saveInto(layersDir: string, layers: Layer[], target: string, mode: TransferMode): Promise<void> {
  const staging = `${target}.new`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const layer of layers) {
    await mkdir(join(staging, layer.bp), { recursive: true });
    await cp(join(layersDir, layer.bp, `${layer.name}.toml`), join(staging, layer.bp, `${layer.name}.toml`));
    await transferDir(join(layersDir, layer.bp, layer.name), join(staging, layer.bp, layer.name), modeFor(layer, mode));
  }
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
}

/**
 * After a successful build: keeps cache layers and launch-only layers, replacing the old ones.
 * `move` empties the workspace's layers (call it after export).
 */
export async function saveLayers(layersDir: string, cacheDir: string, mode: TransferMode = 'copy'): Promise<Layer[]> {
  const paths = cachePaths(cacheDir);
  const all = (await listLayers(layersDir)).filter((l) => l.hasDir);
  await mkdir(cacheDir, { recursive: true });
  await saveInto(layersDir, all.filter((l) => l.types.cache), paths.cached, mode);
  await saveInto(layersDir, all.filter((l) => l.types.launch && !l.types.cache), paths.launch, mode);
  return all.filter((l) => l.types.cache);
}

/**
 * A launch layer the buildpack kept by metadata alone (`launch = true`, no directory) is taken
 * from the previous build; the spec says export fails when there is none.
 */
export async function reuseLaunchLayers(cacheDir: string, layersDir: string, layers: Layer[]): Promise<Layer[]> {
  const { launch } = cachePaths(cacheDir);
  const reused: Layer[] = [];
  for (const layer of layers.filter((l) => l.types.launch && !l.hasDir)) {
    const from = join(launch, layer.bp, layer.name);
    if (!existsSync(from)) {
      throw new BuildError('export', `layer ${layer.bp}/${layer.name} has launch = true but no directory, and no previous build has it`);
    }
    await copyDir(from, join(layersDir, layer.bp, layer.name));
    reused.push({ ...layer, hasDir: true });
  }
  return reused;
}

/** Removes everything that must not reach the slug: non-launch layers and stray files. */
export async function pruneToLaunchLayers(layersDir: string): Promise<Layer[]> {
  const all = await listLayers(layersDir);
  const launch = all.filter((l) => l.types.launch && l.hasDir);
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
