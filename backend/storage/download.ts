/**
 * Object downloads: authenticated (GET/HEAD /object/<bucket>/<key>, policies decide), public
 * (/object/public/..., the bucket must be public) and signed (the verified token decides).
 * Bytes stream from disk with Content-Length, ETag, Cache-Control, single byte ranges and
 * `?download=<name>` as an attachment, as Supabase serves them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { BackendProject } from '../contract.js';
import type { ObjectBytes } from './disk.js';
import { storageErrors } from './errors.js';
import { header } from './http.js';
import { planRange } from './range.js';
import { renderImage, type ImageTransform } from './transform.js';
import { asOwner, type Runner } from './runner.js';

interface StoredObject {
  version: string;
  metadata: { mimetype?: string; cacheControl?: string; eTag?: string } | null;
  updated_at: Date;
}

export async function findStoredObject(run: Runner, bucket: string, key: string): Promise<StoredObject> {
  const [row] = await run('read', (tx) => tx`
    SELECT version, metadata, updated_at FROM storage.objects WHERE bucket_id = ${bucket} AND name = ${key}`);
  if (!row || !row.version) throw storageErrors.noSuchKey();
  return row as StoredObject;
}

export async function requirePublicBucket(project: BackendProject, bucket: string): Promise<void> {
  const [row] = await asOwner(project)('read', (tx) => tx`SELECT public FROM storage.buckets WHERE id = ${bucket}`);
  if (!row || !row.public) throw storageErrors.noSuchBucket();
}

function contentDisposition(name: string): string {
  return `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export async function sendObject(
  project: BackendProject, bytes: ObjectBytes, req: IncomingMessage, res: ServerResponse,
  object: StoredObject, options: { head: boolean; key: string; download: string | null },
): Promise<void> {
  const opened = await bytes.open(project.ref, object.version);
  if (!opened) throw storageErrors.noSuchKey();
  const plan = planRange(header(req, 'range'), opened.size);
  if (plan.kind === 'unsatisfiable') {
    await opened.close();
    res.setHeader('content-range', `bytes */${opened.size}`);
    throw storageErrors.invalidRange();
  }
  const meta = object.metadata ?? {};
  const headers: Record<string, string | number> = {
    'content-type': meta.mimetype ?? 'application/octet-stream',
    'cache-control': meta.cacheControl ?? 'no-cache',
    'last-modified': new Date(object.updated_at).toUTCString(),
    'accept-ranges': 'bytes',
  };
  if (meta.eTag) headers.etag = meta.eTag;
  if (options.download !== null) headers['content-disposition'] = contentDisposition(options.download || options.key.split('/').pop()!);
  if (plan.kind === 'partial') {
    headers['content-range'] = `bytes ${plan.start}-${plan.end}/${opened.size}`;
    headers['content-length'] = plan.end - plan.start + 1;
  } else {
    headers['content-length'] = opened.size;
  }
  if (options.head) {
    await opened.close();
    res.writeHead(200, headers).end();
    return;
  }
  // Opened before the head goes out, so a store that fails to read still gets an error answer.
  const body = await opened.read(plan.kind === 'partial' ? plan : undefined);
  res.writeHead(plan.kind === 'partial' ? 206 : 200, headers);
  await pipeline(body, res);
}

/** An object's image, transformed; served whole (no ranges), with the object's cache settings. */
export async function sendTransformed(
  project: BackendProject, bytes: ObjectBytes, res: ServerResponse, object: StoredObject, transform: ImageTransform,
): Promise<void> {
  const opened = await bytes.open(project.ref, object.version);
  if (!opened) throw storageErrors.noSuchKey();
  const image = await renderImage(await opened.read(), transform);
  res.writeHead(200, {
    'content-type': image.contentType,
    'content-length': image.bytes.length,
    'cache-control': object.metadata?.cacheControl ?? 'no-cache',
    'last-modified': new Date(object.updated_at).toUTCString(),
  });
  res.end(image.bytes);
}
