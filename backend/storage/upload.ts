/**
 * An object upload (POST or PUT /object/<bucket>/<key>, and the PUT of a signed upload URL).
 *
 * Order, so a refused or failed upload leaves no row and no bytes:
 * 1. the bucket's limits (as the owner) and the caller's right to write this key, tried in the
 *    caller's role and rolled back (policies refuse before a byte is read);
 * 2. the body streamed to a staging file, its size held to the limit;
 * 3. the file renamed to its new version, then the row written in the caller's role; if that
 *    statement fails the new file is removed; once committed, the replaced version's file goes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { BackendProject } from '../contract.js';
import type { ObjectBytes, StagedBytes } from './disk.js';
import { storageErrors } from './errors.js';
import { mimeTypeAllowed, baseMimeType } from './names.js';
import { asOwner, asOwnerWithin, type Runner, type Tx } from './runner.js';
import { uploadSource } from './upload-source.js';

export interface UploadTarget {
  bucket: string;
  key: string;
  upsert: boolean;
  owner: string | null;
  ownerId: string | null;
}

/** Who writes the row: a user's runner with the role to return to, or the owner (signed uploads). */
export interface Writer {
  run: Runner;
  role: string | null;
}

interface BucketLimits {
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

class Rollback extends Error {}

async function bucketLimits(project: BackendProject, bucket: string): Promise<BucketLimits> {
  const [row] = await asOwner(project)('read', (tx) => tx`
    SELECT file_size_limit::float8 AS file_size_limit, allowed_mime_types FROM storage.buckets WHERE id = ${bucket}`);
  if (!row) throw storageErrors.noSuchBucket();
  return row as BucketLimits;
}

/**
 * Writes the object's row. No RETURNING: PostgreSQL would then require the new row to pass the
 * SELECT policies too, and an INSERT-only policy (a drop box) must be enough to upload.
 */
async function writeRow(tx: Tx, target: UploadTarget, version: string, metadata: object | null, userMetadata: object | null) {
  const { bucket, key, owner, ownerId } = target;
  const insert = tx`
    INSERT INTO storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
    VALUES (${randomUUID()}, ${bucket}, ${key}, ${owner}, ${ownerId}, ${version},
      ${metadata ? tx.json(metadata as never) : null}, ${userMetadata ? tx.json(userMetadata as never) : null})`;
  if (!target.upsert) return insert;
  return tx`${insert} ON CONFLICT (bucket_id, name) DO UPDATE SET
      owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
      metadata = excluded.metadata, user_metadata = excluded.user_metadata,
      updated_at = now(), last_accessed_at = now()`;
}

/** Tries the row the upload will write, in the writer's role, and rolls it back. */
async function checkCanWrite(writer: Writer, target: UploadTarget): Promise<void> {
  try {
    await writer.run('write', async (tx) => {
      await writeRow(tx, target, randomUUID(), null, null);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
}

/** The checks of step 1 alone: a signed upload URL is only made for a caller who could upload. */
export async function checkUpload(project: BackendProject, writer: Writer, target: UploadTarget): Promise<BucketLimits> {
  const limits = await bucketLimits(project, target.bucket);
  await checkCanWrite(writer, target);
  return limits;
}

export async function uploadObject(
  project: BackendProject, bytes: ObjectBytes, maxFileSize: number,
  req: IncomingMessage, writer: Writer, target: UploadTarget,
): Promise<{ Id: string; Key: string }> {
  const limits = await checkUpload(project, writer, target);
  const limit = Math.min(maxFileSize, limits.file_size_limit ?? Infinity);
  const source = await uploadSource(req);
  if (!mimeTypeAllowed(source.contentType, limits.allowed_mime_types)) {
    source.body.resume();
    throw storageErrors.invalidMimeType(baseMimeType(source.contentType));
  }
  if (source.declaredLength !== undefined && source.declaredLength > limit) throw storageErrors.entityTooLarge();
  const staged = await bytes.stage(project.ref, source.body, limit);
  return commitStaged(project, bytes, writer, target, staged, source);
}

/** What describes an object besides its bytes. */
export interface ObjectDescription {
  contentType: string;
  cacheControl: string;
  userMetadata: Record<string, unknown> | null;
}

/**
 * Step 3: the complete bytes renamed to a new version, then the row written as the writer; the
 * new file is removed if the row is refused, the replaced version's file once the row committed.
 */
export async function commitStaged(
  project: BackendProject, bytes: ObjectBytes, writer: Writer, target: UploadTarget,
  staged: StagedBytes, description: ObjectDescription,
): Promise<{ Id: string; Key: string }> {
  const version = randomUUID();
  const metadata = {
    eTag: `"${staged.md5}"`, size: staged.size, mimetype: description.contentType, cacheControl: description.cacheControl,
    lastModified: new Date().toISOString(), contentLength: staged.size, httpStatusCode: 200,
  };
  try {
    await bytes.commit(project.ref, staged, version);
  } catch (err) {
    await bytes.discard(staged);
    throw err;
  }
  let committed: { id: string; replaced: string | null };
  try {
    committed = await writer.run('write', async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`${target.bucket}/${target.key}`}, 0))`;
      const current = () => tx`SELECT id, version FROM storage.objects WHERE bucket_id = ${target.bucket} AND name = ${target.key}`;
      const asOwnerRole = <T>(run: () => Promise<T>) => (writer.role ? asOwnerWithin(tx, writer.role, run) : run());
      const [old] = await asOwnerRole(current);
      await writeRow(tx, target, version, metadata, description.userMetadata);
      const [row] = await asOwnerRole(current);
      return { id: row?.id as string, replaced: (old?.version as string | undefined) ?? null };
    });
  } catch (err) {
    await bytes.remove(project.ref, [version]);
    throw err;
  }
  if (committed.replaced) await bytes.remove(project.ref, [committed.replaced]);
  return { Id: committed.id, Key: `${target.bucket}/${target.key}` };
}
