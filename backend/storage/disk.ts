/**
 * Where an object's bytes live: a file per object version under the storage root, named by the
 * version id DevFlow makes (never by the user's key, so no key can reach outside the root):
 * `<root>/<project>/objects/<first two hex>/<version>`.
 *
 * An upload is streamed to a staging file in the same project folder and renamed into place only
 * once the body is complete and within its limit, so a failed or aborted upload leaves no
 * partial object. Reads stream from an open descriptor: an object replaced or removed meanwhile
 * still reads whole (its file is unlinked, not truncated).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { storageErrors } from './errors.js';

export interface StagedBytes {
  path: string;
  size: number;
  /** The MD5 of the bytes, hex, as S3 and Supabase report an object's ETag. */
  md5: string;
}

export interface OpenedObject {
  size: number;
  /** The bytes (or one range of them); call at most once, or close() instead. */
  read(range?: { start: number; end: number }): Promise<Readable>;
  close(): Promise<void>;
}

/** The byte store a storage service writes to; disk today, an S3-compatible bucket later. */
export interface ObjectBytes {
  stage(project: string, body: Readable, limit: number): Promise<StagedBytes>;
  /** A complete local file (a finished resumable upload) made ready to commit like a staged body. */
  stageFile(project: string, path: string): Promise<StagedBytes>;
  commit(project: string, staged: StagedBytes, version: string): Promise<void>;
  discard(staged: StagedBytes): Promise<void>;
  duplicate(project: string, fromVersion: string, toVersion: string): Promise<void>;
  open(project: string, version: string): Promise<OpenedObject | undefined>;
  remove(project: string, versions: string[]): Promise<void>;
}

const PROJECT_NAME = /^[A-Za-z0-9_-]{1,100}$/;
/** A staging file this old was left by a process that stopped mid-upload (no upload runs a day). */
export const STALE_STAGING_MS = 24 * 3600 * 1000;

/** Removes a staging folder's files older than STALE_STAGING_MS; answers how many went. */
export async function sweepStaging(dir: string, now = Date.now()): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const file = join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_STAGING_MS) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
const VERSION = /^[0-9a-f-]{36}$/;

/** Counts bytes on their way to disk and stops the stream once they pass the limit. */
export function limitAndHash(limit: number, hash: ReturnType<typeof createHash>, counted: { size: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counted.size += chunk.length;
      if (counted.size > limit) return done(storageErrors.entityTooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

export async function sizeAndMd5(path: string): Promise<{ size: number; md5: string }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { size, md5: hash.digest('hex') };
}

export function diskObjectBytes(root: string): ObjectBytes {
  const projectDir = (project: string) => {
    if (!PROJECT_NAME.test(project)) throw new Error(`storage: unexpected project name ${JSON.stringify(project)}`);
    return join(root, project);
  };
  const versionPath = (project: string, version: string) => {
    if (!VERSION.test(version)) throw new Error(`storage: unexpected version ${JSON.stringify(version)}`);
    return join(projectDir(project), 'objects', version.slice(0, 2), version);
  };
  const ensureParent = async (project: string, version: string) =>
    mkdir(join(projectDir(project), 'objects', version.slice(0, 2)), { recursive: true });

  const swept = new Set<string>();
  return {
    async stage(project, body, limit) {
      const staging = join(projectDir(project), 'staging');
      await mkdir(staging, { recursive: true });
      if (!swept.has(project)) {
        // Once per project and process: what a crash mid-upload left behind.
        swept.add(project);
        await sweepStaging(staging);
      }
      const path = join(staging, randomUUID());
      const hash = createHash('md5');
      const counted = { size: 0 };
      try {
        await pipeline(body, limitAndHash(limit, hash, counted), createWriteStream(path, { flags: 'wx' }));
      } catch (err) {
        await rm(path, { force: true });
        throw err;
      }
      return { path, size: counted.size, md5: hash.digest('hex') };
    },
    async stageFile(_project, path) {
      // Renamed into place by commit like any staged file (same file system).
      return { path, ...(await sizeAndMd5(path)) };
    },
    async commit(project, staged, version) {
      await ensureParent(project, version);
      await rename(staged.path, versionPath(project, version));
    },
    async discard(staged) {
      await rm(staged.path, { force: true });
    },
    async duplicate(project, fromVersion, toVersion) {
      await ensureParent(project, toVersion);
      await copyFile(versionPath(project, fromVersion), versionPath(project, toVersion));
    },
    async open(project, version) {
      let handle: FileHandle;
      try {
        handle = await open(versionPath(project, version), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      const { size } = await handle.stat();
      return {
        size,
        read: async (range) => createReadStream('', { fd: handle, start: range?.start, end: range?.end, autoClose: true }),
        close: () => handle.close(),
      };
    },
    async remove(project, versions) {
      await Promise.all(versions.map((v) => rm(versionPath(project, v), { force: true })));
    },
  };
}
