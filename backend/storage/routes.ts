/**
 * The /storage/v1 routes of Supabase Storage's HTTP API (https://supabase.com/docs/reference/api,
 * "storage"), as storage-js 2.x calls them: a pure function from method and path to one operation
 * with its bucket and (decoded, checked) object key.
 */
import { storageErrors } from './errors.js';
import { checkObjectKey } from './names.js';

export type StorageRoute =
  | { op: 'listBuckets' } | { op: 'createBucket' }
  | { op: 'getBucket' | 'updateBucket' | 'deleteBucket' | 'emptyBucket'; bucket: string }
  | { op: 'listObjects' | 'removeObjects' | 'signUrls'; bucket: string }
  | { op: 'moveObject' | 'copyObject' }
  | { op: 'upload'; bucket: string; key: string; upsert: 'header' | 'always' }
  | { op: 'download'; bucket: string; key: string; access: 'authenticated' | 'public'; head: boolean }
  | { op: 'renderImage'; bucket: string; key: string; access: 'authenticated' | 'public' }
  | { op: 'signedRender'; bucket: string; key: string }
  | { op: 'signedDownload' | 'objectInfo' | 'removeObject' | 'signUrl' | 'signUploadUrl' | 'signedUpload'; bucket: string; key: string }
  | { op: 'notFound' };

/** A path's segments, each percent-decoded once; a malformed escape refuses the whole path. */
function decodeSegments(path: string): string[] {
  const segments = path.split('/').filter((s, i) => i > 0 || s !== '');
  try {
    return segments.map((s) => decodeURIComponent(s));
  } catch {
    throw storageErrors.invalidKey(path);
  }
}

function objectPath(rest: string[]): { bucket: string; key: string } | undefined {
  const [bucket] = rest;
  if (bucket === undefined || rest.length < 2) return undefined;
  return { bucket, key: checkObjectKey(rest.slice(1).join('/')) };
}

export function matchStorageRoute(method: string, pathname: string): StorageRoute {
  const parts = decodeSegments(pathname);
  const [root, ...rest] = parts;
  if (root === 'bucket') return matchBucketRoute(method, rest);
  if (root === 'object') return matchObjectRoute(method, rest) ?? { op: 'notFound' };
  if (root === 'render') return matchRenderRoute(method, rest) ?? { op: 'notFound' };
  return { op: 'notFound' };
}

/** GET /render/image/{authenticated|public|sign}/<bucket>/<key>: an image, transformed (transform.ts). */
function matchRenderRoute(method: string, rest: string[]): StorageRoute | undefined {
  const [kind, access, ...tail] = rest;
  if (method !== 'GET' || kind !== 'image') return undefined;
  const target = objectPath(tail);
  if (!target) return undefined;
  if (access === 'authenticated' || access === 'public') return { op: 'renderImage', ...target, access };
  if (access === 'sign') return { op: 'signedRender', ...target };
  return undefined;
}

function matchBucketRoute(method: string, rest: string[]): StorageRoute {
  if (rest.length === 0) {
    if (method === 'GET') return { op: 'listBuckets' };
    if (method === 'POST') return { op: 'createBucket' };
  }
  const [bucket, action] = rest;
  if (bucket !== undefined && rest.length === 1) {
    if (method === 'GET') return { op: 'getBucket', bucket };
    if (method === 'PUT') return { op: 'updateBucket', bucket };
    if (method === 'DELETE') return { op: 'deleteBucket', bucket };
  }
  if (bucket !== undefined && rest.length === 2 && action === 'empty' && method === 'POST') return { op: 'emptyBucket', bucket };
  return { op: 'notFound' };
}

function matchObjectRoute(method: string, rest: string[]): StorageRoute | undefined {
  const [first, ...tail] = rest;
  if (first === undefined) return undefined;
  const [second] = tail;
  const isGet = method === 'GET' || method === 'HEAD';
  if (method === 'POST' && rest.length === 1 && (first === 'move' || first === 'copy')) {
    return { op: first === 'move' ? 'moveObject' : 'copyObject' };
  }
  if (method === 'POST' && first === 'list' && second !== undefined && tail.length === 1) return { op: 'listObjects', bucket: second };
  if (first === 'sign') return matchSignRoute(method, tail);
  if (first === 'upload' && second === 'sign') {
    const target = objectPath(tail.slice(1));
    if (target && method === 'POST') return { op: 'signUploadUrl', ...target };
    if (target && method === 'PUT') return { op: 'signedUpload', ...target };
    return undefined;
  }
  if (first === 'info' && method === 'GET') {
    const target = objectPath(second === 'public' || second === 'authenticated' ? tail.slice(1) : tail);
    return target && { op: 'objectInfo', ...target };
  }
  if ((first === 'public' || first === 'authenticated') && isGet) {
    const target = objectPath(tail);
    return target && { op: 'download', ...target, access: first, head: method === 'HEAD' };
  }
  if (method === 'DELETE' && rest.length === 1) return { op: 'removeObjects', bucket: first };
  const target = objectPath(rest);
  if (!target) return undefined;
  if (isGet) return { op: 'download', ...target, access: 'authenticated', head: method === 'HEAD' };
  if (method === 'POST') return { op: 'upload', ...target, upsert: 'header' };
  if (method === 'PUT') return { op: 'upload', ...target, upsert: 'always' };
  if (method === 'DELETE') return { op: 'removeObject', ...target };
  return undefined;
}

function matchSignRoute(method: string, tail: string[]): StorageRoute | undefined {
  const [bucket] = tail;
  if (method === 'POST' && bucket !== undefined && tail.length === 1) return { op: 'signUrls', bucket };
  const target = objectPath(tail);
  if (!target) return undefined;
  if (method === 'POST') return { op: 'signUrl', ...target };
  if (method === 'GET') return { op: 'signedDownload', ...target };
  return undefined;
}

/**
 * Requests Supabase serves without an API key: public objects, and signed URLs (their token is
 * the credential). The gateway lets these through keyless, as the anon role.
 */
export function isKeylessStorageRequest(method: string, pathname: string): boolean {
  const path = pathname.replace(/^\/+/, '');
  if ((method === 'GET' || method === 'HEAD') && path.startsWith('object/public/')) return true;
  if (method === 'GET' && path.startsWith('object/sign/')) return true;
  if (method === 'GET' && (path.startsWith('render/image/public/') || path.startsWith('render/image/sign/'))) return true;
  return method === 'PUT' && path.startsWith('object/upload/sign/');
}
