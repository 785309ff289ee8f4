/**
 * backend/storage: Supabase Storage's API (/storage/v1) for every project, on the backend's
 * contract (../contract.ts). The foundation runs storageSchemaSql() when it provisions a project
 * and mounts createStorageService() beside rest/ and auth/; requests for which
 * isKeylessStorageRequest() is true (public objects, signed URLs) are served without a key.
 */
import type { BackendService } from '../contract.js';
import { diskObjectBytes, type ObjectBytes } from './disk.js';
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
  /** Another byte store (tests, S3 later); the disk under `root` by default. */
  bytes?: ObjectBytes;
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 ** 3;

export function createStorageService(options: StorageOptions): BackendService {
  const bytes = options.bytes ?? diskObjectBytes(options.root);
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  return storageService({ bytes, maxFileSize, resumable: resumableUploads({ root: options.root, bytes, maxFileSize }) });
}
