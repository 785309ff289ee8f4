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
 * A layer's tar is kept beside a fingerprint of the tree it was written from (layer-fingerprint.ts)
 * and its diff id, so the next build reuses both while that tree is unchanged instead of tarring
 * and hashing it again.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BuildError } from '../../core/errors.js';
import { tarDirectory } from '../docker-images.js';
import { runCommand } from '../run-command.js';
import { treeFingerprint } from './layer-fingerprint.js';

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
  /** True when the tar of a previous build was reused (its tree unchanged). */
  reused?: boolean;
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

/** What is kept beside a layer's tar (`<tar>.json`): how and from which tree it was written. */
interface TarRecord {
  /** The tar arguments that shape its content (all but the host paths). */
  spec: string;
  fingerprint: string;
  /** When the fingerprint was taken (ms): the next build fingerprints the tree as of then. */
  takenAt: number;
  diffId: string;
}

async function readRecord(file: string): Promise<TarRecord | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as TarRecord;
  } catch {
    return null;
  }
}

/** The file a layer's tar is kept in, by layer name, inside `tarsDir` (its record beside it). */
export function layerTarFile(tarsDir: string, layer: Pick<LayerSource, 'name'>): string {
  return join(tarsDir, `${encodeURIComponent(layer.name)}.tar`);
}

/**
 * Whether the tree is as it was when the kept tar was written. The tree is fingerprinted with
 * the record's time as "now", so the files that were too recent to be judged by their times then
 * are judged by their content now too (a cold build's freshly installed dependencies are thus
 * recognised by the next build), while a file written since then has a time past it and is read.
 */
async function unchangedSince(layer: LayerSource, spec: string, record: TarRecord | null, file: string): Promise<boolean> {
  if (record?.spec !== spec || typeof record.takenAt !== 'number' || !existsSync(file)) return false;
  return (await treeFingerprint(layer.hostDir, { now: record.takenAt })) === record.fingerprint;
}

/**
 * The layer's tar at `file`: the one already there when it was written from the same tree
 * with the same arguments, else a new one. The fingerprint is taken before the tar is written,
 * so a file changed in between makes the next build's fingerprint differ (tarred again), never
 * the reverse; the tar is written beside and renamed into place, so a tar is always whole.
 */
export async function reuseOrWriteLayerTar(layer: LayerSource, file: string): Promise<BuiltLayer> {
  const recordFile = `${file}.json`;
  const spec = layerTarArgs({ ...layer, hostDir: '' }, '').join('\0');
  const record = await readRecord(recordFile);
  if (record && (await unchangedSince(layer, spec, record, file))) return { name: layer.name, file, diffId: record.diffId, reused: true };
  await rm(recordFile, { force: true });
  const takenAt = Date.now();
  const fingerprint = await treeFingerprint(layer.hostDir, { now: takenAt });
  const built = await writeLayerTar(layer, `${file}.new`);
  await rename(built.file, file);
  if (fingerprint !== null) await writeFile(recordFile, JSON.stringify({ spec, fingerprint, takenAt, diffId: built.diffId } satisfies TarRecord));
  return { name: layer.name, file, diffId: built.diffId, reused: false };
}

/** Removes the tars (and records) of layers this image no longer has. */
async function removeStaleTars(tarsDir: string, kept: BuiltLayer[]): Promise<void> {
  const keep = new Set(kept.flatMap((l) => [l.file, `${l.file}.json`]));
  for (const name of await readdir(tarsDir)) {
    if (!keep.has(join(tarsDir, name))) await rm(join(tarsDir, name), { recursive: true, force: true });
  }
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
  try {
    await loadArchive(opts.docker, opts.archiveDir, opts.tag);
  } catch (err) {
    if (held === 0) throw err;
    // The previous image went away between the inspect and the load: send everything.
    await linkLayers(built, opts.archiveDir, 0);
    await loadArchive(opts.docker, opts.archiveDir, opts.tag);
  }
  return { built, imageId: `sha256:${createHash('sha256').update(configJson).digest('hex')}` };
}
