/**
 * The image export without `docker build`: each image layer is a tar written by GNU tar, with
 * names sorted, owners fixed and every mtime set to 1980-01-01 (as the CNB lifecycle's exporter
 * does for reproducible layers), so an unchanged launch layer gives the same tar, the same diff
 * id and the same image layer as the previous build. The image (config + layers) is handed to
 * the engine as a `docker load` archive (Docker's "image tarball": manifest.json, the config,
 * one tar per layer). The run image's own layers are named in the manifest but not sent: the
 * engine keeps a layer it already has (same chain) without reading its file. The same holds for
 * the bottom layers this image shares with the app's previous image while the engine still has
 * that image (a dependency layer of tens of MB is then neither sent nor written again by the
 * engine); should the engine miss one after all, the load is made again with every layer.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BuildError } from '../../core/errors.js';
import { tarDirectory } from '../docker-images.js';
import { runCommand } from '../run-command.js';

/** 1980-01-01T00:00:01Z, the CNB lifecycle's normalised layer time. */
export const NORMALIZED_MTIME = 315532801;

/** One directory that becomes one image layer at `imagePath`. */
export interface LayerSource {
  /** Shown in logs and in the layer's file name. */
  name: string;
  hostDir: string;
  /** Absolute path in the image, e.g. /layers/devflow_nodejs/node_modules. */
  imagePath: string;
  /** Owner (uid = gid) of every file in the layer. */
  owner: number;
}

export interface BuiltLayer {
  name: string;
  file: string;
  diffId: string;
}

/** Escapes a path for the replacement half of tar's `s,regex,replacement,` expression. */
function transformReplacement(path: string): string {
  return path.replace(/[\\&,]/g, '\\$&');
}

/** The `tar` arguments for one layer (pure, so tests can read them). */
export function layerTarArgs(layer: LayerSource, file: string): string[] {
  const inImage = transformReplacement(layer.imagePath.replace(/^\/+/, ''));
  return [
    '--create',
    '--file', file,
    '--format=gnu',
    '--sort=name',
    `--mtime=@${NORMALIZED_MTIME}`,
    `--owner=${layer.owner}`,
    `--group=${layer.owner}`,
    '--numeric-owner',
    // Member names move from "." to the image path; symlink targets stay as the buildpack wrote them.
    `--transform=s,^\\.,${inImage},S`,
    '--directory', layer.hostDir,
    '.',
  ];
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

export async function writeLayerTar(layer: LayerSource, file: string): Promise<BuiltLayer> {
  const outcome = await runCommand({ file: 'tar', args: layerTarArgs(layer, file) }, { line: () => undefined });
  if (outcome.exitCode !== 0) {
    throw new BuildError('export', `could not archive layer ${layer.name} (tar exited ${outcome.exitCode})`, outcome.tail);
  }
  return { name: layer.name, file, diffId: await sha256File(file) };
}

/** What the image keeps from the run image's inspect output. */
export interface BaseImage {
  architecture: string;
  os: string;
  diffIds: string[];
  config: { Env?: string[]; Labels?: Record<string, string> | null; ExposedPorts?: object | null; StopSignal?: string };
}

export interface ImageSettings {
  user: string;
  workingDir: string;
  entrypoint: string[];
  cmd: string[];
  labels: Record<string, string>;
  created: string;
}

/** The image config (OCI/Docker image JSON) on top of the run image (pure). */
export function imageConfig(base: BaseImage, layers: BuiltLayer[], settings: ImageSettings): Record<string, unknown> {
  const { Env, ExposedPorts, StopSignal } = base.config;
  return {
    architecture: base.architecture,
    os: base.os,
    created: settings.created,
    config: {
      ...(Env ? { Env } : {}),
      ...(ExposedPorts ? { ExposedPorts } : {}),
      ...(StopSignal ? { StopSignal } : {}),
      User: settings.user,
      WorkingDir: settings.workingDir,
      Entrypoint: settings.entrypoint,
      Cmd: settings.cmd,
      Labels: { ...(base.config.Labels ?? {}), ...settings.labels },
    },
    rootfs: { type: 'layers', diff_ids: [...base.diffIds, ...layers.map((l) => l.diffId)] },
  };
}

/** manifest.json of the load archive; base layers get names that are never read (pure). */
export function loadManifest(tag: string, baseLayers: number, layerFiles: string[]): unknown[] {
  const base = Array.from({ length: baseLayers }, (_, i) => `base/${i}/layer.tar`);
  return [{ Config: 'config.json', RepoTags: [tag], Layers: [...base, ...layerFiles] }];
}

export async function inspectBaseImage(docker: Docker, image: string): Promise<BaseImage> {
  const info = await docker.getImage(image).inspect();
  return {
    architecture: info.Architecture,
    os: info.Os,
    diffIds: info.RootFS.Layers ?? [],
    config: info.Config as BaseImage['config'],
  };
}

interface LoadEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Streams the archive directory to `docker load`; fails with the engine's message. */
export async function loadArchive(docker: Docker, archiveDir: string, tag: string): Promise<void> {
  let failure: string | undefined;
  const stream = await docker.loadImage(tarDirectory(archiveDir) as unknown as NodeJS.ReadableStream, { quiet: true });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (event: LoadEvent) => {
        if (event.error) failure = event.errorDetail?.message ?? event.error;
      },
    );
  }).catch((err: unknown) => {
    failure ??= err instanceof Error ? err.message : String(err);
  });
  if (failure) throw new BuildError('export', `docker load of ${tag} failed: ${failure}`);
}

/**
 * How many of the image's own layers, from the bottom, the engine holds already (pure): those
 * whose whole chain (run image + our layers up to it) is the bottom of an image it has.
 */
export function layersHeld(baseDiffIds: readonly string[], ours: readonly string[], held: readonly string[]): number {
  const chain = [...baseDiffIds, ...ours];
  let same = 0;
  while (same < chain.length && same < held.length && chain[same] === held[same]) same++;
  return Math.max(0, same - baseDiffIds.length);
}

/** The layers of an image the engine has (empty when it is gone). */
async function imageLayers(docker: Docker, image: string | undefined): Promise<string[]> {
  if (image === undefined) return [];
  const info = await docker.getImage(image).inspect().catch(() => null);
  return info?.RootFS.Layers ?? [];
}

/** Links the layer tars from index `from` on into the archive, the rest being held by the engine. */
async function linkLayers(tarsDir: string, archiveDir: string, count: number, from: number): Promise<void> {
  await rm(join(archiveDir, 'layers'), { recursive: true, force: true });
  await mkdir(join(archiveDir, 'layers'), { recursive: true });
  for (let i = from; i < count; i++) await link(join(tarsDir, `${i}.tar`), join(archiveDir, 'layers', `${i}.tar`));
}

/**
 * Writes every layer tar, the config and the manifest into `archiveDir`, then loads the image
 * (sending only the layers the engine lacks, judged against `previous`, an image id). Returns
 * the layers and the new image's id (the digest of its config, as the engine names it).
 */
export async function exportArchive(opts: {
  docker: Docker;
  archiveDir: string;
  base: BaseImage;
  layers: LayerSource[];
  settings: ImageSettings;
  tag: string;
  previous?: string;
}): Promise<{ built: BuiltLayer[]; imageId: string }> {
  const tarsDir = join(opts.archiveDir, '..', 'layer-tars');
  await mkdir(tarsDir, { recursive: true });
  await mkdir(opts.archiveDir, { recursive: true });
  const [built, previousLayers] = await Promise.all([
    Promise.all(opts.layers.map((l, i) => writeLayerTar(l, join(tarsDir, `${i}.tar`)))),
    imageLayers(opts.docker, opts.previous),
  ]);
  const configJson = JSON.stringify(imageConfig(opts.base, built, opts.settings));
  await writeFile(join(opts.archiveDir, 'config.json'), configJson);
  const files = built.map((_, i) => `layers/${i}.tar`);
  await writeFile(join(opts.archiveDir, 'manifest.json'), JSON.stringify(loadManifest(opts.tag, opts.base.diffIds.length, files)));
  const held = layersHeld(opts.base.diffIds, built.map((l) => l.diffId), previousLayers);
  await linkLayers(tarsDir, opts.archiveDir, built.length, held);
  try {
    await loadArchive(opts.docker, opts.archiveDir, opts.tag);
  } catch (err) {
    if (held === 0) throw err;
    // The previous image went away between the inspect and the load: send everything.
    await linkLayers(tarsDir, opts.archiveDir, built.length, 0);
    await loadArchive(opts.docker, opts.archiveDir, opts.tag);
  }
  return { built, imageId: `sha256:${createHash('sha256').update(configJson).digest('hex')}` };
}
