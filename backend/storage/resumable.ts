/**
 * Resumable uploads at /storage/v1/upload/resumable, the TUS 1.0 protocol (https://tus.io/protocols/resumable-upload)
 * as Supabase serves it (https://supabase.com/docs/guides/storage/uploads/resumable-uploads): the
 * creation request names `bucketName`, `objectName`, `contentType` and `cacheControl` in
 * Upload-Metadata and may send `x-upsert: true`. The protocol is @tus/server's, with its file store
 * under `<root>/<project>/resumable`; DevFlow adds Supabase's rules through its hooks:
 * - creation: the names are checked, the bucket's size and MIME limits applied, and the caller's
 *   right to write the key tried in the caller's role (as a plain upload does);
 * - every later request: only the creator (or the service role) may continue or cancel an upload;
 * - completion: the finished file becomes the object through the same commit step as a plain
 *   upload (upload.ts), so the row is written in the caller's role and a refusal leaves nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import type { RequestContext } from '../contract.js';
import { ownerOf } from './buckets.js';
import type { ObjectBytes } from './disk.js';
import { StorageApiError, storageErrors, toStorageError } from './errors.js';
import { baseMimeType, checkBucketName, checkObjectKey, mimeTypeAllowed } from './names.js';
import { asUser } from './runner.js';
import { checkUpload, commitStaged, type UploadTarget, type Writer } from './upload.js';
import { cacheControlOf } from './upload-source.js';

/** The path tus-js-client is given (`<SUPABASE_URL>/storage/v1/upload/resumable`). */
const TUS_PATH = '/storage/v1/upload/resumable';
/** Unfinished uploads expire after a day, as Supabase's do; expired ones are swept at most hourly. */
const EXPIRY_MS = 24 * 3600 * 1000;
const SWEEP_EVERY_MS = 3600 * 1000;

export interface ResumableUploads {
  handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, path: string): Promise<void>;
}

/** A refusal in tus's shape, with Supabase's JSON body. */
function tusError(err: unknown): { status_code: number; body: string } {
  const error = toStorageError(err);
  return { status_code: error.status === 403 ? 403 : error.httpStatus, body: JSON.stringify(error.body()) };
}

export function resumableUploads(deps: { root: string; bytes: ObjectBytes; maxFileSize: number }): ResumableUploads {
  const callers = new AsyncLocalStorage<RequestContext>();
  const servers = new Map<string, { server: Server; store: FileStore; sweptAt: number }>();
  const caller = () => {
    const ctx = callers.getStore();
    if (!ctx) throw new Error('storage: a resumable upload hook ran outside a request');
    return ctx;
  };
  const writerOf = (ctx: RequestContext): Writer => ({ run: asUser(ctx), role: ctx.role });

  function targetOf(ctx: RequestContext, upload: Upload, upsert: boolean): UploadTarget {
    const meta = upload.metadata ?? {};
    return {
      bucket: checkBucketName(meta.bucketName ?? ''),
      key: checkObjectKey(meta.objectName ?? ''),
      upsert,
      owner: ownerOf(ctx),
      ownerId: ctx.claims.sub ?? null,
    };
  }

  /** Removes a project's expired unfinished uploads, in the background of a new one. */
  function sweepExpired(ref: string) {
    const entry = servers.get(ref);
    if (!entry || Date.now() - entry.sweptAt < SWEEP_EVERY_MS) return;
    entry.sweptAt = Date.now();
    entry.store.deleteExpired().catch((err: unknown) => console.error(`storage: sweeping expired uploads of ${ref} failed:`, err));
  }

  async function onCreate(upsertHeader: string | null, upload: Upload) {
    const ctx = caller();
    sweepExpired(ctx.project.ref);
    const target = targetOf(ctx, upload, upsertHeader === 'true');
    const contentType = upload.metadata?.contentType || 'application/octet-stream';
    const limits = await checkUpload(ctx.project, writerOf(ctx), target);
    if (!mimeTypeAllowed(contentType, limits.allowed_mime_types)) throw storageErrors.invalidMimeType(baseMimeType(contentType));
    const limit = Math.min(deps.maxFileSize, limits.file_size_limit ?? Infinity);
    if (upload.size === undefined || upload.size > limit) throw storageErrors.entityTooLarge();
    return { metadata: { ...upload.metadata, upsert: String(target.upsert), creator: ctx.claims.sub ?? ctx.role } };
  }

  async function onFinish(store: FileStore, upload: Upload) {
    const ctx = caller();
    const meta = upload.metadata ?? {};
    const path = join(store.directory, upload.id);
    try {
      const staged = await deps.bytes.stageFile(ctx.project.ref, path);
      const description = {
        contentType: meta.contentType || 'application/octet-stream',
        cacheControl: cacheControlOf(meta.cacheControl ?? undefined),
        userMetadata: meta.metadata ? (JSON.parse(meta.metadata) as Record<string, unknown>) : null,
      };
      await commitStaged(ctx.project, deps.bytes, writerOf(ctx), targetOf(ctx, upload, meta.upsert === 'true'), staged, description);
    } finally {
      // The bytes were renamed into place or removed; the upload's own record goes either way.
      await rm(path, { force: true });
      await store.configstore.delete(upload.id);
    }
    return {};
  }

  function serverFor(ref: string) {
    const known = servers.get(ref);
    if (known) return known.server;
    const store = new FileStore({ directory: join(deps.root, ref, 'resumable'), expirationPeriodInMilliseconds: EXPIRY_MS });
    const server = new Server({
      path: TUS_PATH,
      datastore: store,
      namingFunction: () => randomUUID(),
      generateUrl: (_req, { id }) => `${caller().project.url}${TUS_PATH}/${id}`,
      onUploadCreate: async (req, upload) => onCreate(req.headers.get('x-upsert'), upload),
      onUploadFinish: async (_req, upload) => onFinish(store, upload),
      onIncomingRequest: async (req, id) => {
        if (req.method === 'POST') return; // creation: the caller is the creator
        const ctx = caller();
        const upload = await store.getUpload(id);
        const creator = upload.metadata?.creator;
        if (ctx.role !== 'service_role' && creator !== (ctx.claims.sub ?? ctx.role)) {
          throw storageErrors.accessDenied('You do not have permission to continue this upload');
        }
      },
      onResponseError: (_req, err) => (err instanceof StorageApiError || (err as { code?: string }).code ? tusError(err) : undefined),
    });
    servers.set(ref, { server, store, sweptAt: Date.now() });
    return server;
  }

  return {
    async handle(req, res, ctx, path) {
      // @tus/server reads the upload id from the URL under its own path; the gateway gave us the
      // part after /storage/v1, so the request's URL is put back in the form tus expects.
      req.url = `/storage/v1${path}`;
      await callers.run(ctx, () => serverFor(ctx.project.ref).handle(req, res));
    },
  };
}
