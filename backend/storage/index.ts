/**
 * backend/storage: Supabase Storage's API (/storage/v1) for every project, on the backend's
 * contract (../contract.ts). The foundation runs storageSchemaSql() when it provisions a project
 * and mounts createStorageService() beside rest/ and auth/; requests for which
 * isKeylessStorageRequest() is true (public objects, signed URLs) are served without a key.
 */
import type { BackendService } from '../contract.js';
import { diskObjectBytes, type ObjectBytes } from './disk.js';
import { parseS3Url, type S3Location } from './s3-url.js';
import { resumableUploads } from './resumable.js';
import { storageService } from './service.js';

export { storageSchemaSql } from './schema-sql.js';
export { isKeylessStorageRequest } from './routes.js';
export type { ObjectBytes } from './disk.js';

export interface StorageOptions {
  /** The folder object bytes live in, e.g. `<DEVFLOW_HOME>/storage`; one subfolder per project. */
  root: string;
  /** The largest object accepted by any bucket, in bytes (default 5 GiB). */
  maxFileSize?: number;
  /** DEVFLOW_STORAGE_S3_URL: bytes in an S3-compatible bucket instead of under `root` (s3-url.ts). */
  s3Url?: string;
  /** Another byte store (tests); chosen over `s3Url` and the disk. */
  bytes?: ObjectBytes;
}

/** The S3 driver and its SDK load on first use, so a disk-only DevFlow never loads them. */
function lazyS3ObjectBytes(location: S3Location): ObjectBytes {
  let loaded: Promise<ObjectBytes> | undefined;
  const s3 = () => (loaded ??= import('./s3.js').then((m) => m.s3ObjectBytes(location)));
  return {
    stage: async (...args) => (await s3()).stage(...args),
    stageFile: async (...args) => (await s3()).stageFile(...args),
    commit: async (...args) => (await s3()).commit(...args),
    discard: async (...args) => (await s3()).discard(...args),
    duplicate: async (...args) => (await s3()).duplicate(...args),
    open: async (...args) => (await s3()).open(...args),
    remove: async (...args) => (await s3()).remove(...args),
  };
}

/** The one place the byte store is chosen. */
function selectObjectBytes(options: StorageOptions): ObjectBytes {
  if (options.bytes) return options.bytes;
  if (options.s3Url) return lazyS3ObjectBytes(parseS3Url(options.s3Url));
  return diskObjectBytes(options.root);
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 ** 3;

export function createStorageService(options: StorageOptions): BackendService {
  const bytes = selectObjectBytes(options);
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  return storageService({ bytes, maxFileSize, resumable: resumableUploads({ root: options.root, bytes, maxFileSize }) });
}
