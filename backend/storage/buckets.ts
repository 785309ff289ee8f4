/**
 * Supabase Storage's bucket routes (https://supabase.com/docs/reference/javascript/storage-createbucket):
 * list, get, create, update, empty, delete. Each runs in the caller's role, so the project's
 * policies on storage.buckets decide who sees and changes which bucket.
 */
import type { RequestContext } from '../contract.js';
import type { ObjectBytes } from './disk.js';
import { storageErrors } from './errors.js';
import { checkBucketName, parseAllowedMimeTypes, parseFileSizeLimit } from './names.js';
import { asOwnerWithin, asUser, type Tx } from './runner.js';

export interface BucketRow {
  id: string;
  name: string;
  owner: string | null;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  type: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, owner, public, file_size_limit::float8 AS file_size_limit, allowed_mime_types, type, created_at, updated_at';
const SORT_COLUMNS: Record<string, string> = { id: 'id', name: 'name', created_at: 'created_at', updated_at: 'updated_at' };

/** The uuid a token names as its user, or null (service and anon keys name none). */
export function ownerOf(ctx: RequestContext): string | null {
  const sub = ctx.claims.sub;
  return typeof sub === 'string' && /^[0-9a-f-]{36}$/i.test(sub) ? sub : null;
}

export async function listBuckets(ctx: RequestContext, query: URLSearchParams): Promise<BucketRow[]> {
  const sort = SORT_COLUMNS[query.get('sortColumn') ?? 'name'] ?? 'name';
  const order = query.get('sortOrder')?.toLowerCase() === 'desc' ? 'DESC' : 'ASC';
  const limit = boundedInt(query.get('limit'), 1000);
  const offset = boundedInt(query.get('offset'), 0);
  const search = query.get('search') ?? '';
  return asUser(ctx)('read', (tx) => tx.unsafe(
    `SELECT ${COLUMNS} FROM storage.buckets WHERE name ILIKE $1 ORDER BY ${sort} ${order} LIMIT $2 OFFSET $3`,
    [`%${escapeLike(search)}%`, limit, offset]) as Promise<BucketRow[]>);
}

export async function getBucket(ctx: RequestContext, id: string): Promise<BucketRow> {
  const [row] = await asUser(ctx)('read', (tx) => tx.unsafe(`SELECT ${COLUMNS} FROM storage.buckets WHERE id = $1`, [id]));
  if (!row) throw storageErrors.noSuchBucket();
  return row as unknown as BucketRow;
}

export async function createBucket(ctx: RequestContext, body: Record<string, unknown>): Promise<{ name: string }> {
  const id = checkBucketName(body.id ?? body.name);
  const name = body.name === undefined ? id : checkBucketName(body.name);
  const limit = parseFileSizeLimit(body.file_size_limit);
  const mimes = parseAllowedMimeTypes(body.allowed_mime_types);
  const owner = ownerOf(ctx);
  await asUser(ctx)('write', (tx) => tx`
    INSERT INTO storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
    VALUES (${id}, ${name}, ${owner}, ${ctx.claims.sub ?? null}, ${body.public === true}, ${limit}, ${mimes})`);
  return { name: id };
}

export async function updateBucket(ctx: RequestContext, id: string, body: Record<string, unknown>): Promise<void> {
  const limit = parseFileSizeLimit(body.file_size_limit);
  const mimes = parseAllowedMimeTypes(body.allowed_mime_types);
  const updated = await asUser(ctx)('write', (tx) => tx`
    UPDATE storage.buckets SET
      public = coalesce(${typeof body.public === 'boolean' ? body.public : null}::boolean, public),
      file_size_limit = CASE WHEN ${'file_size_limit' in body} THEN ${limit}::bigint ELSE file_size_limit END,
      allowed_mime_types = CASE WHEN ${'allowed_mime_types' in body} THEN ${mimes}::text[] ELSE allowed_mime_types END,
      updated_at = now()
    WHERE id = ${id}`);
  if (updated.count === 0) throw storageErrors.noSuchBucket();
}

/** Removes every object of the bucket the caller may delete; their files go after commit. */
export async function emptyBucket(ctx: RequestContext, bytes: ObjectBytes, id: string): Promise<void> {
  const versions = await asUser(ctx)('write', async (tx) => {
    await requireBucket(tx, id);
    const rows = await tx`DELETE FROM storage.objects WHERE bucket_id = ${id} RETURNING version`;
    return rows.map((r) => r.version as string).filter(Boolean);
  });
  await bytes.remove(ctx.project.ref, versions);
}

export async function deleteBucket(ctx: RequestContext, id: string): Promise<void> {
  await asUser(ctx)('write', async (tx) => {
    // Objects the caller cannot see still keep the bucket: counted as the owner.
    const [busy] = await asOwnerWithin(tx, ctx.role, () => tx`SELECT 1 FROM storage.objects WHERE bucket_id = ${id} LIMIT 1`);
    if (busy) {
      await requireBucket(tx, id);
      throw storageErrors.bucketNotEmpty();
    }
    const deleted = await tx`DELETE FROM storage.buckets WHERE id = ${id}`;
    if (deleted.count === 0) throw storageErrors.noSuchBucket();
  });
}

async function requireBucket(tx: Tx, id: string): Promise<void> {
  const [row] = await tx`SELECT 1 FROM storage.buckets WHERE id = ${id}`;
  if (!row) throw storageErrors.noSuchBucket();
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function boundedInt(value: unknown, fallback: number, max = 10_000): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}
