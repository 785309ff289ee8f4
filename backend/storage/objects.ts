/**
 * Object routes other than upload and download (https://supabase.com/docs/reference/javascript/storage-from-list):
 * info, remove one or many, move, copy and list. Each statement runs in the caller's role, so
 * the project's policies on storage.objects decide; a file leaves the disk only after its row's
 * removal committed.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../contract.js';
import { boundedInt, escapeLike, ownerOf } from './buckets.js';
import type { ObjectBytes } from './disk.js';
import { storageErrors } from './errors.js';
import { checkBucketName, checkObjectKey } from './names.js';
import { asUser } from './runner.js';

export async function objectInfo(ctx: RequestContext, bucket: string, key: string): Promise<Record<string, unknown>> {
  const [row] = await asUser(ctx)('read', (tx) => tx`
    SELECT id, version, name, bucket_id, created_at, updated_at, metadata, user_metadata
    FROM storage.objects WHERE bucket_id = ${bucket} AND name = ${key}`);
  if (!row) throw storageErrors.noSuchKey();
  const meta = (row.metadata ?? {}) as Record<string, unknown>;
  return {
    id: row.id, version: row.version, name: row.name, bucket_id: row.bucket_id,
    size: meta.size, content_type: meta.mimetype, cache_control: meta.cacheControl, etag: meta.eTag,
    last_modified: meta.lastModified, metadata: row.user_metadata ?? {}, created_at: row.created_at, updated_at: row.updated_at,
  };
}

const FILE_COLUMNS = 'name, id, updated_at, created_at, last_accessed_at, metadata, bucket_id, owner';

/** Removes the named objects the caller may delete and answers them, as storage-js `remove` expects. */
export async function removeObjects(ctx: RequestContext, bytes: ObjectBytes, bucket: string, keys: string[]): Promise<unknown[]> {
  if (keys.length === 0) return [];
  if (keys.length > 1000) throw storageErrors.invalidRequest('At most 1000 objects can be removed at once');
  const rows = await asUser(ctx)('write', (tx) => tx.unsafe(
    `DELETE FROM storage.objects WHERE bucket_id = $1 AND name = ANY($2::text[]) RETURNING ${FILE_COLUMNS}, version`, [bucket, keys]));
  await bytes.remove(ctx.project.ref, rows.map((r) => r.version as string).filter(Boolean));
  return rows.map(({ version: _version, ...row }) => row);
}

export interface Transfer {
  bucket: string;
  fromKey: string;
  toBucket: string;
  toKey: string;
}

export function parseTransfer(body: Record<string, unknown>): Transfer {
  for (const name of ['bucketId', 'sourceKey', 'destinationKey']) {
    if (typeof body[name] !== 'string' || body[name] === '') throw storageErrors.missingParameter(name);
  }
  const bucket = checkBucketName(body.bucketId);
  return {
    bucket,
    fromKey: checkObjectKey(body.sourceKey as string),
    toBucket: body.destinationBucket ? checkBucketName(body.destinationBucket) : bucket,
    toKey: checkObjectKey(body.destinationKey as string),
  };
}

/** Renames the row (its bytes stay under the same version): needs UPDATE on the source as the caller. */
export async function moveObject(ctx: RequestContext, t: Transfer): Promise<void> {
  await asUser(ctx)('write', async (tx) => {
    const [source] = await tx`SELECT id FROM storage.objects WHERE bucket_id = ${t.bucket} AND name = ${t.fromKey}`;
    if (!source) throw storageErrors.noSuchKey();
    const moved = await tx`UPDATE storage.objects SET bucket_id = ${t.toBucket}, name = ${t.toKey}, updated_at = now()
      WHERE id = ${source.id}`;
    if (moved.count === 0) throw storageErrors.accessDenied('new row violates row-level security policy');
  });
}

/** Copies bytes to a new version and inserts its row as the caller (INSERT policies decide). */
export async function copyObject(ctx: RequestContext, bytes: ObjectBytes, t: Transfer): Promise<{ Key: string; Id: string }> {
  const version = randomUUID();
  const id = randomUUID();
  let copied = false;
  try {
    await asUser(ctx)('write', async (tx) => {
      const [source] = await tx`SELECT version, metadata, user_metadata FROM storage.objects
        WHERE bucket_id = ${t.bucket} AND name = ${t.fromKey}`;
      if (!source?.version) throw storageErrors.noSuchKey();
      await bytes.duplicate(ctx.project.ref, source.version as string, version);
      copied = true;
      // No RETURNING: an INSERT policy alone must be enough (see upload.ts).
      await tx`INSERT INTO storage.objects (id, bucket_id, name, owner, owner_id, version, metadata, user_metadata)
        VALUES (${id}, ${t.toBucket}, ${t.toKey}, ${ownerOf(ctx)}, ${ctx.claims.sub ?? null}, ${version},
          ${source.metadata ? tx.json(source.metadata as never) : null}, ${source.user_metadata ? tx.json(source.user_metadata as never) : null})`;
    });
    return { Key: `${t.toBucket}/${t.toKey}`, Id: id };
  } catch (err) {
    if (copied) await bytes.remove(ctx.project.ref, [version]);
    throw err;
  }
}

const SORTABLE: Record<string, string> = { name: 'name', created_at: 'created_at', updated_at: 'updated_at', last_accessed_at: 'last_accessed_at' };

/**
 * One level of a bucket under a prefix, as Supabase's `list`: folders (the next path segment of
 * deeper keys, with null id and dates) and files, names relative to the prefix, `search` as a
 * case-insensitive start of the name. Sorting by name mixes both; by a date, folders come first.
 */
export async function listObjects(ctx: RequestContext, bucket: string, body: Record<string, unknown>): Promise<unknown[]> {
  let prefix = typeof body.prefix === 'string' ? body.prefix : '';
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  const search = typeof body.search === 'string' ? body.search : '';
  const sortBy = (body.sortBy ?? {}) as { column?: string; order?: string };
  const column = SORTABLE[sortBy.column ?? 'name'] ?? 'name';
  const order = String(sortBy.order).toLowerCase() === 'desc' ? 'DESC' : 'ASC';
  const limit = boundedInt(body.limit, 100, 1000);
  const offset = boundedInt(body.offset, 0, 1_000_000);
  const orderBy = column === 'name'
    ? `name COLLATE "C" ${order}`
    : `is_file, ${column} ${order}, name COLLATE "C" ${order}`;
  return asUser(ctx)('read', (tx) => tx.unsafe(`
      WITH hits AS (
        SELECT substr(name, length($2) + 1) AS rest, id, updated_at, created_at, last_accessed_at, metadata
        FROM storage.objects
        WHERE bucket_id = $1 AND lower(name) LIKE lower($3) || '%' ESCAPE '\\'
      ), entries AS (
        SELECT DISTINCT split_part(rest, '/', 1) AS name, NULL::uuid AS id, NULL::timestamptz AS updated_at,
          NULL::timestamptz AS created_at, NULL::timestamptz AS last_accessed_at, NULL::jsonb AS metadata, 0 AS is_file
        FROM hits WHERE position('/' in rest) > 0
        UNION ALL
        SELECT rest, id, updated_at, created_at, last_accessed_at, metadata, 1 FROM hits WHERE position('/' in rest) = 0
      )
      SELECT name, id, updated_at, created_at, last_accessed_at, metadata FROM entries
      ORDER BY ${orderBy}
      LIMIT $4 OFFSET $5`, [bucket, prefix, escapeLike(prefix) + escapeLike(search), limit, offset]));
}

