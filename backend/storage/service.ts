/**
 * The /storage/v1 service: one BackendService that routes Supabase Storage's API (routes.ts) to
 * the bucket, object, upload, download and signed-URL operations, and answers every refusal with
 * Supabase's error body. The gateway has already resolved the project and the caller's role.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendService, RequestContext } from '../contract.js';
import * as buckets from './buckets.js';
import type { ObjectBytes } from './disk.js';
import { findStoredObject, requirePublicBucket, sendObject, sendTransformed } from './download.js';
import { storageErrors, toStorageError } from './errors.js';
import { header, readJsonBody, sendJson, sendStorageError } from './http.js';
import * as objects from './objects.js';
import type { ResumableUploads } from './resumable.js';
import { isKeylessStorageRequest, matchStorageRoute, type StorageRoute } from './routes.js';
import { asOwner, asUser } from './runner.js';
import { parseExpiresIn, SIGNED_UPLOAD_SECONDS, signObjectToken, verifyObjectToken } from './signed.js';
import { parseTransform, transformFromQuery } from './transform.js';
import { checkUpload, uploadObject, type UploadTarget } from './upload.js';

export interface StorageServiceDeps {
  bytes: ObjectBytes;
  /** TUS uploads under /upload/resumable (resumable.ts). */
  resumable: ResumableUploads;
  /** The largest object any bucket accepts, in bytes; a bucket's file_size_limit may lower it. */
  maxFileSize: number;
}

type Handler<R extends StorageRoute> = (
  call: { req: IncomingMessage; res: ServerResponse; ctx: RequestContext; query: URLSearchParams; route: R },
) => Promise<void>;
/** The route variant whose `op` includes Op (some variants share one shape for several ops). */
type RouteFor<Op> = StorageRoute extends infer R ? (R extends { op: infer O } ? (Op extends O ? R : never) : never) : never;
type Handlers = { [Op in StorageRoute['op']]: Handler<RouteFor<Op>> };

function makeHandlers(deps: StorageServiceDeps): Handlers {
  const { bytes } = deps;
  const ok = (res: ServerResponse, body: unknown) => sendJson(res, 200, body);
  const uploadTarget = (ctx: RequestContext, bucket: string, key: string, upsert: boolean): UploadTarget =>
    ({ bucket, key, upsert, owner: buckets.ownerOf(ctx), ownerId: ctx.claims.sub ?? null });
  return {
    listBuckets: async ({ res, ctx, query }) => ok(res, await buckets.listBuckets(ctx, query)),
    createBucket: async ({ req, res, ctx }) => ok(res, await buckets.createBucket(ctx, await readJsonBody(req))),
    getBucket: async ({ res, ctx, route }) => ok(res, await buckets.getBucket(ctx, route.bucket)),
    updateBucket: async ({ req, res, ctx, route }) => {
      await buckets.updateBucket(ctx, route.bucket, await readJsonBody(req));
      ok(res, { message: 'Successfully updated' });
    },
    emptyBucket: async ({ res, ctx, route }) => {
      await buckets.emptyBucket(ctx, bytes, route.bucket);
      ok(res, { message: 'Successfully emptied' });
    },
    deleteBucket: async ({ res, ctx, route }) => {
      await buckets.deleteBucket(ctx, route.bucket);
      ok(res, { message: 'Successfully deleted' });
    },
    listObjects: async ({ req, res, ctx, route }) => ok(res, await objects.listObjects(ctx, route.bucket, await readJsonBody(req))),
    removeObjects: async ({ req, res, ctx, route }) => {
      const { prefixes } = await readJsonBody(req);
      if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string')) throw storageErrors.missingParameter('prefixes');
      ok(res, await objects.removeObjects(ctx, bytes, route.bucket, prefixes as string[]));
    },
    removeObject: async ({ res, ctx, route }) => {
      const removed = await objects.removeObjects(ctx, bytes, route.bucket, [route.key]);
      if (removed.length === 0) throw storageErrors.noSuchKey();
      ok(res, { message: 'Successfully deleted' });
    },
    moveObject: async ({ req, res, ctx }) => {
      await objects.moveObject(ctx, objects.parseTransfer(await readJsonBody(req)));
      ok(res, { message: 'Successfully moved' });
    },
    copyObject: async ({ req, res, ctx }) => ok(res, await objects.copyObject(ctx, bytes, objects.parseTransfer(await readJsonBody(req)))),
    objectInfo: async ({ res, ctx, route }) => ok(res, await objects.objectInfo(ctx, route.bucket, route.key)),
    upload: async ({ req, res, ctx, route }) => {
      const upsert = route.upsert === 'always' || header(req, 'x-upsert') === 'true';
      const writer = { run: asUser(ctx), role: ctx.role };
      ok(res, await uploadObject(ctx.project, bytes, deps.maxFileSize, req, writer, uploadTarget(ctx, route.bucket, route.key, upsert)));
    },
    download: async ({ req, res, ctx, query, route }) => {
      if (route.access === 'public') await requirePublicBucket(ctx.project, route.bucket);
      const run = route.access === 'public' ? asOwner(ctx.project) : asUser(ctx);
      const object = await findStoredObject(run, route.bucket, route.key);
      await sendObject(ctx.project, bytes, req, res, object, { head: route.head, key: route.key, download: query.get('download') });
    },
    signUrl: async ({ req, res, ctx, route }) => {
      const body = await readJsonBody(req);
      const expiresIn = parseExpiresIn(body.expiresIn);
      // A transform is checked now and sealed in the token, as Supabase's render URLs carry it.
      const transformations = body.transform && typeof body.transform === 'object' ? parseTransform(body.transform as Record<string, unknown>) : undefined;
      await findStoredObject(asUser(ctx), route.bucket, route.key);
      const url = `${route.bucket}/${route.key}`;
      const token = await signObjectToken(ctx.project, { url, scope: 'download', ...(transformations ? { transformations } : {}) }, expiresIn);
      ok(res, { signedURL: `/${transformations ? 'render/image' : 'object'}/sign/${url}?token=${token}` });
    },
    renderImage: async ({ res, ctx, query, route }) => {
      const transform = transformFromQuery(query);
      if (route.access === 'public') await requirePublicBucket(ctx.project, route.bucket);
      const run = route.access === 'public' ? asOwner(ctx.project) : asUser(ctx);
      await sendTransformed(ctx.project, bytes, res, await findStoredObject(run, route.bucket, route.key), transform);
    },
    signedRender: async ({ res, ctx, query, route }) => {
      const claims = await verifyObjectToken(ctx.project, query.get('token'), route.bucket, route.key, 'download');
      const transform = parseTransform((claims.transformations ?? {}) as Record<string, unknown>);
      await sendTransformed(ctx.project, bytes, res, await findStoredObject(asOwner(ctx.project), route.bucket, route.key), transform);
    },
    signUrls: async ({ req, res, ctx, route }) => {
      const body = await readJsonBody(req);
      const expiresIn = parseExpiresIn(body.expiresIn);
      if (!Array.isArray(body.paths) || body.paths.some((p) => typeof p !== 'string')) throw storageErrors.missingParameter('paths');
      const paths = body.paths as string[];
      const visible = new Set((await asUser(ctx)('read', (tx) => tx`
        SELECT name FROM storage.objects WHERE bucket_id = ${route.bucket} AND name = ANY(${paths}::text[])`)).map((r) => r.name as string));
      ok(res, await Promise.all(paths.map(async (path) => {
        if (!visible.has(path)) return { error: 'Either the object does not exist or you do not have access to it', path, signedURL: null };
        const url = `${route.bucket}/${path}`;
        const token = await signObjectToken(ctx.project, { url, scope: 'download' }, expiresIn);
        return { error: null, path, signedURL: `/object/sign/${url}?token=${token}` };
      })));
    },
    signedDownload: async ({ req, res, ctx, query, route }) => {
      await verifyObjectToken(ctx.project, query.get('token'), route.bucket, route.key, 'download');
      const object = await findStoredObject(asOwner(ctx.project), route.bucket, route.key);
      await sendObject(ctx.project, bytes, req, res, object, { head: false, key: route.key, download: query.get('download') });
    },
    signUploadUrl: async ({ req, res, ctx, route }) => {
      const upsert = header(req, 'x-upsert') === 'true';
      await checkUpload(ctx.project, { run: asUser(ctx), role: ctx.role }, uploadTarget(ctx, route.bucket, route.key, upsert));
      const url = `${route.bucket}/${route.key}`;
      const token = await signObjectToken(ctx.project, { url, scope: 'upload', owner: ctx.claims.sub ?? null, upsert }, SIGNED_UPLOAD_SECONDS);
      ok(res, { url: `/object/upload/sign/${url}?token=${token}`, token });
    },
    signedUpload: async ({ req, res, ctx, query, route }) => {
      const claims = await verifyObjectToken(ctx.project, query.get('token'), route.bucket, route.key, 'upload');
      const owner = typeof claims.owner === 'string' ? claims.owner : null;
      const target: UploadTarget = {
        bucket: route.bucket, key: route.key, upsert: claims.upsert === true,
        owner: owner && /^[0-9a-f-]{36}$/i.test(owner) ? owner : null, ownerId: owner,
      };
      const { Key } = await uploadObject(ctx.project, bytes, deps.maxFileSize, req, { run: asOwner(ctx.project), role: null }, target);
      ok(res, { Key });
    },
    notFound: async ({ req }) => {
      throw storageErrors.routeNotFound(req.method ?? 'GET', (req.url ?? '').split('?')[0] ?? '');
    },
  };
}

export function storageService(deps: StorageServiceDeps): BackendService {
  const handlers = makeHandlers(deps);
  return {
    prefix: 'storage/v1',
    keyless: (method, path) => isKeylessStorageRequest(method, path.split('?')[0] ?? ''),
    async handle(req, res, ctx, path) {
      // The path is split by hand: a URL parser would resolve `..` and `%2e%2e` before the key check.
      const q = path.indexOf('?');
      const pathname = q === -1 ? path : path.slice(0, q);
      const query = new URLSearchParams(q === -1 ? '' : path.slice(q + 1));
      if (pathname === '/upload/resumable' || pathname.startsWith('/upload/resumable/')) {
        await deps.resumable.handle(req, res, ctx, path);
        return;
      }
      try {
        const route = matchStorageRoute(req.method ?? 'GET', pathname);
        await (handlers[route.op] as Handler<StorageRoute>)({ req, res, ctx, query, route });
      } catch (err) {
        // The client went away mid-request (an abandoned upload): nobody to answer, nothing to report.
        if (req.socket.destroyed) return;
        const error = toStorageError(err);
        // Server faults are the operator's to see; refusals are the caller's and only answered.
        if (error.status >= 500) console.error(`storage/v1 ${req.method} ${pathname} (${ctx.project.ref}):`, err);
        // A refused upload's body is not read to its end: close the connection after answering.
        if (!req.complete) res.setHeader('connection', 'close');
        sendStorageError(res, error);
      }
    },
  };
}
