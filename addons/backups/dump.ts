/**
 * The backup driver: pg_dump and pg_restore of one database of the platform PostgreSQL, run as
 * its superuser with argument arrays (no shell) and the password in their environment. A backup
 * is pg_dump's custom format (compressed, restorable object by object, owners and grants kept);
 * its SHA-256 is taken while it is written (to disk or a bucket, files.ts), so a restore can
 * refuse a file that changed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { clientBinary, clientConnection } from '../../core/store/pg-tools.js';

export interface DumpResult {
  bytes: number;
  sha256: string;
}

/** A pass-through stream that counts the bytes and takes their SHA-256 on the way. */
export function hashing(): { stream: Transform; result(): DumpResult } {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

/**
 * Streams pg_dump's output to `write` (a file, an upload), hashing it on the way; rejects when
 * pg_dump fails even if the bytes it wrote were taken, so the caller removes them.
 */
export async function dumpDatabase(serverUrl: string, database: string, write: (body: Readable) => Promise<void>): Promise<DumpResult> {
  const { args, env } = clientConnection(serverUrl);
  const dump = execa(clientBinary('pg_dump'), [...args, '--format', 'custom', '--dbname', database], { env, buffer: { stdout: false } });
  const hash = hashing();
  dump.stdout!.pipe(hash.stream);
  dump.stdout!.once('error', (err) => hash.stream.destroy(err));
  // A write that fails (a bucket refusing) stops pg_dump too, rather than leave it blocked on a full pipe.
  const written = write(hash.stream).catch((err: unknown) => {
    dump.kill();
    throw err;
  });
  await Promise.all([written, dump]);
  return hash.result();
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
