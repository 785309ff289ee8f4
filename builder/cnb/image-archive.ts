/**
 * The image export without `docker build`: each image layer is a tar (layer-tar.ts: reproducible,
 * so an unchanged launch layer gives the same diff id and image layer as the previous build, and
 * reused while its tree is unchanged). The image (config + layers) is handed to
 * the engine as a `docker load` archive (Docker's "image tarball": manifest.json, the config,
 * one tar per layer). The run image's own layers are named in the manifest but not sent: the
 * engine keeps a layer it already has (same chain) without reading its file. The same holds for
 * the bottom layers this image shares with the app's previous image while the engine still has
 * that image (a dependency layer of tens of MB is then neither sent nor written again by the
 * engine); should the engine miss one after all, the load is made again with every layer.
 */
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BuildError } from '../../core/errors.js';
import { tarDirectory } from '../docker-images.js';
import { layerTarFile, removeStaleTars, reuseOrWriteLayerTar, type BuiltLayer, type LayerSource } from './layer-tar.js';

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

/** Links (or, across file systems, copies) a kept tar into the archive. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await link(from, to).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EXDEV') throw err;
    return copyFile(from, to);
  });
}

/** Links the layer tars from index `from` on into the archive, the rest being held by the engine. */
async function linkLayers(built: BuiltLayer[], archiveDir: string, from: number): Promise<void> {
  await rm(join(archiveDir, 'layers'), { recursive: true, force: true });
  await mkdir(join(archiveDir, 'layers'), { recursive: true });
  for (let i = from; i < built.length; i++) await linkOrCopy(built[i]!.file, join(archiveDir, 'layers', `${i}.tar`));
}

/**
 * Writes (or reuses, from `tarsDir`) every layer tar, then the config and the manifest into
 * `archiveDir`, then loads the image (sending only the layers the engine lacks, judged against
 * `previous`, an image id). Returns the layers and the new image's id (the digest of its
 * config, as the engine names it).
 */
export async function exportArchive(opts: {
  docker: Docker;
  archiveDir: string;
  /** Where layer tars are kept between builds; default beside `archiveDir` (kept no longer than it). */
  tarsDir?: string;
  base: BaseImage;
  layers: LayerSource[];
  settings: ImageSettings;
  tag: string;
  previous?: string;
  /**
   * Work that needs the layer directories no more once their tars are written (the lifecycle
   * saving the layers for the next build): it runs while the engine loads the image.
   */
  whileLoading?: () => Promise<unknown>;
}): Promise<{ built: BuiltLayer[]; imageId: string }> {
  const tarsDir = opts.tarsDir ?? join(opts.archiveDir, '..', 'layer-tars');
  await mkdir(tarsDir, { recursive: true });
  await mkdir(opts.archiveDir, { recursive: true });
  const [built, previousLayers] = await Promise.all([
    Promise.all(opts.layers.map((l) => reuseOrWriteLayerTar(l, layerTarFile(tarsDir, l)))),
    imageLayers(opts.docker, opts.previous),
  ]);
  await removeStaleTars(tarsDir, built);
  const configJson = JSON.stringify(imageConfig(opts.base, built, opts.settings));
  await writeFile(join(opts.archiveDir, 'config.json'), configJson);
  const files = built.map((_, i) => `layers/${i}.tar`);
  await writeFile(join(opts.archiveDir, 'manifest.json'), JSON.stringify(loadManifest(opts.tag, opts.base.diffIds.length, files)));
  const held = layersHeld(opts.base.diffIds, built.map((l) => l.diffId), previousLayers);
  await linkLayers(built, opts.archiveDir, held);
  const load = async () => {
    try {
      await loadArchive(opts.docker, opts.archiveDir, opts.tag);
    } catch (err) {
      if (held === 0) throw err;
      // The previous image went away between the inspect and the load: send everything.
      await linkLayers(built, opts.archiveDir, 0);
      await loadArchive(opts.docker, opts.archiveDir, opts.tag);
    }
  };
  // Both are waited for even when one fails, so no load or layer move outlives the build.
  const [loaded, alongside] = await Promise.allSettled([load(), opts.whileLoading?.()]);
  if (loaded.status === 'rejected') throw loaded.reason;
  if (alongside.status === 'rejected') throw alongside.reason;
  return { built, imageId: `sha256:${createHash('sha256').update(configJson).digest('hex')}` };
}
