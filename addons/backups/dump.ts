/**
 * The backup driver: pg_dump and pg_restore of one database of the platform PostgreSQL, run as
 * its superuser with argument arrays (no shell) and the password in their environment. A backup
 * is pg_dump's custom format (compressed, restorable object by object, owners and grants kept);
 * its SHA-256 is taken while the file is written, so a restore can refuse a file that changed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { clientBinary, clientConnection } from '../../core/store/pg-tools.js';

export interface DumpResult {
  bytes: number;
  sha256: string;
}

export async function dumpDatabase(serverUrl: string, database: string, file: string): Promise<DumpResult> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const { args, env } = clientConnection(serverUrl);
  const dump = execa(clientBinary('pg_dump'), [...args, '--format', 'custom', '--dbname', database], { env, buffer: { stdout: false } });
  const hash = createHash('sha256');
  let bytes = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  // Only DevFlow's user may read a dump: it holds every row of the app, secrets included.
  await Promise.all([pipeline(dump.stdout!, counting, createWriteStream(file, { mode: 0o600 })), dump]);
  return { bytes, sha256: hash.digest('hex') };
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Restores into an empty database in one transaction, stopping at the first error: a failed
 * restore leaves the database empty, never half-filled. Owners and grants come back as dumped.
 */
export async function restoreDatabase(serverUrl: string, database: string, file: string): Promise<void> {
  const { args, env } = clientConnection(serverUrl);
  await execa(clientBinary('pg_restore'), [...args, '--exit-on-error', '--single-transaction', '--dbname', database, file], { env });
}

/** The last lines pg_dump or pg_restore wrote, for the failure a user sees. */
export function toolError(err: unknown): string {
  const stderr = (err as { stderr?: string }).stderr?.trim();
  return stderr ? stderr.split('\n').slice(-3).join(' ') : err instanceof Error ? err.message : String(err);
}
