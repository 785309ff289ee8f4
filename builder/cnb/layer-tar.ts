/**
 * Layer tars for the image export (image-archive.ts): each image layer is a tar written by GNU
 * tar, with names sorted, owners fixed and every mtime set to 1980-01-01 (as the CNB lifecycle's
 * exporter does for reproducible layers), so an unchanged launch layer gives the same tar, the
 * same diff id and the same image layer as the previous build. A layer's tar is kept beside a
 * fingerprint of the tree it was written from (layer-fingerprint.ts) and its diff id, so the next
 * build reuses both while that tree is unchanged instead of tarring and hashing it again (issue 15).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError } from '../../core/errors.js';
import { runCommand } from '../run-command.js';
import { treeFingerprint, treeFingerprints } from './layer-fingerprint.js';

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
 * Whether the tree is as it was when the kept tar was written, judged with the record's time as
 * "now": the files too recent then to be judged by their times are read now too (so a cold
 * build's freshly installed dependencies are recognised by the next build), and a file written
 * since has a time past it and is read. The same walk fingerprints the tree as of now; when that
 * differs (files that were recent then are old enough now), the record takes it, so the next
 * build reads those files by their times only.
 */
async function unchangedSince(layer: LayerSource, spec: string, record: TarRecord, file: string): Promise<boolean> {
  if (record.spec !== spec || typeof record.takenAt !== 'number' || !existsSync(file)) return false;
  const takenAt = Date.now();
  const [then, now] = await treeFingerprints(layer.hostDir, [record.takenAt, takenAt]);
  if (then !== record.fingerprint) return false;
  if (now !== null && now !== undefined && now !== then) await writeRecord(`${file}.json`, { ...record, fingerprint: now, takenAt });
  return true;
}

const writeRecord = (file: string, record: TarRecord) => writeFile(file, JSON.stringify(record));

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
  if (fingerprint !== null) await writeRecord(recordFile, { spec, fingerprint, takenAt, diffId: built.diffId });
  return { name: layer.name, file, diffId: built.diffId, reused: false };
}

/** Removes the tars (and records) of layers this image no longer has. */
export async function removeStaleTars(tarsDir: string, kept: BuiltLayer[]): Promise<void> {
  const keep = new Set(kept.flatMap((l) => [l.file, `${l.file}.json`]));
  for (const name of await readdir(tarsDir)) {
    if (!keep.has(join(tarsDir, name))) await rm(join(tarsDir, name), { recursive: true, force: true });
  }
}
