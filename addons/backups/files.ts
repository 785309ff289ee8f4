/**
 * Where backup files live: on disk under DEVFLOW_HOME/backups/<app>/, or in an S3-compatible
 * bucket (DEVFLOW_BACKUPS_URL, s3-files.ts). New backups go where the setting says; each row
 * keeps its own location (a path, or `s3://bucket/key`), so backups taken before the setting
 * changed are still listed, restored and deleted from where they are.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileSha256 } from './dump.js';

/** A copy of a backup on this machine, for pg_restore, with the SHA-256 of exactly those bytes. */
export interface LocalCopy {
  file: string;
  sha256: string;
  /** Removes the copy when it was made for the restore (a disk backup is its own copy). */
  release(): Promise<void>;
}

/** One place backups are kept. */
export interface BackupPlace {
  /** Whether a stored location is in this place. */
  holds(location: string): boolean;
  /** Where backup `name` of `app` goes. */
  locate(app: string, name: string): string;
  /** Streams `body` to `location`, never holding it whole in memory. */
  write(location: string, body: Readable): Promise<void>;
  read(location: string): Promise<Readable>;
  local(location: string, scratch: string): Promise<LocalCopy>;
  /** A gone location is fine. */
  remove(location: string): Promise<void>;
  removeApp(app: string): Promise<void>;
}

export class DiskBackups implements BackupPlace {
  constructor(private readonly root: string) {}

  holds(location: string): boolean {
    return path.isAbsolute(location);
  }

  locate(app: string, name: string): string {
    return path.join(this.root, app, `${name}.dump`);
  }

  async write(location: string, body: Readable): Promise<void> {
    await fs.mkdir(path.dirname(location), { recursive: true, mode: 0o700 });
    // Only DevFlow's user may read a dump: it holds every row of the app, secrets included.
    await pipeline(body, createWriteStream(location, { mode: 0o600 }));
  }

  async read(location: string): Promise<Readable> {
    return createReadStream(location);
  }

  async local(location: string): Promise<LocalCopy> {
    return { file: location, sha256: await fileSha256(location), release: async () => {} };
  }

  async remove(location: string): Promise<void> {
    await fs.rm(location, { force: true });
  }

  async removeApp(app: string): Promise<void> {
    await fs.rm(path.join(this.root, app), { recursive: true, force: true });
  }
}

/** Every place a row may name, and the one new backups go to (the first). */
export class BackupPlaces {
  constructor(private readonly places: readonly [BackupPlace, ...BackupPlace[]]) {}

  get current(): BackupPlace {
    return this.places[0];
  }

  of(location: string): BackupPlace {
    const place = this.places.find((p) => p.holds(location));
    if (!place) throw new Error(`no backup place holds ${location}: is DEVFLOW_BACKUPS_URL still set?`);
    return place;
  }

  async removeApp(app: string): Promise<void> {
    for (const place of this.places) await place.removeApp(app);
  }
}

/** A private file name in `dir` for a downloaded copy. */
export async function scratchFile(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  return path.join(dir, `${randomBytes(8).toString('hex')}.dump`);
}
