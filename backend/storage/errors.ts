/**
 * Supabase Storage's error bodies (https://supabase.com/docs/guides/storage/debugging/error-codes):
 * `{ statusCode: "<logical status as a string>", code, error, message }`. As Supabase's server does,
 * the HTTP status is 400 for every refusal and 500 only for server faults (the logical status is in
 * the body), so clients that test `status === 400 || 404` for "missing" (storage-js `exists`) agree.
 * `error` keeps the older short name Supabase still sends for some codes ("not_found", "Duplicate").
 */

export type StorageErrorCode =
  | 'NoSuchBucket' | 'NoSuchKey' | 'InvalidJWT' | 'InvalidRequest' | 'InvalidKey' | 'InvalidBucketName'
  | 'InvalidMimeType' | 'EntityTooLarge' | 'ResourceAlreadyExists' | 'ResourceNotEmpty' | 'AccessDenied'
  | 'InvalidSignature' | 'InvalidRange' | 'MissingParameter' | 'InternalError' | 'DatabaseError' | 'RouteNotFound';

export class StorageApiError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    /** The status the body names; the HTTP status is derived from it (see httpStatus). */
    readonly status: number,
    message: string,
    /** Supabase's older `error` value where it sends one; the code otherwise. */
    readonly legacyError?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageApiError';
  }

  get httpStatus(): number {
    if (this.status >= 500) return 500;
    // Ranges keep their status, and so does an unknown route (Supabase's router answers it, not its API).
    return this.status === 416 || this.code === 'RouteNotFound' ? this.status : 400;
  }

  body(): { statusCode: string; code: string; error: string; message: string } {
    return { statusCode: String(this.status), code: this.code, error: this.legacyError ?? this.code, message: this.message };
  }
}

export const storageErrors = {
  noSuchBucket: () => new StorageApiError('NoSuchBucket', 404, 'Bucket not found', 'Bucket not found'),
  noSuchKey: () => new StorageApiError('NoSuchKey', 404, 'Object not found', 'not_found'),
  invalidJwt: (message: string) => new StorageApiError('InvalidJWT', 400, message),
  invalidSignature: (message = 'Invalid signature') => new StorageApiError('InvalidSignature', 400, message),
  invalidRequest: (message: string) => new StorageApiError('InvalidRequest', 400, message),
  invalidKey: (key: string) => new StorageApiError('InvalidKey', 400, `Invalid key: ${key}`),
  invalidBucketName: () => new StorageApiError('InvalidBucketName', 400, 'Bucket name invalid', 'Invalid Input'),
  invalidMimeType: (mime: string) =>
    new StorageApiError('InvalidMimeType', 415, `mime type ${mime} is not supported`, 'invalid_mime_type'),
  entityTooLarge: () =>
    new StorageApiError('EntityTooLarge', 413, 'The object exceeded the maximum allowed size', 'Payload too large'),
  alreadyExists: () => new StorageApiError('ResourceAlreadyExists', 409, 'The resource already exists', 'Duplicate'),
  bucketNotEmpty: () => new StorageApiError('ResourceNotEmpty', 409, 'The bucket you tried to delete is not empty'),
  accessDenied: (message: string) => new StorageApiError('AccessDenied', 403, message, 'Unauthorized'),
  invalidRange: () => new StorageApiError('InvalidRange', 416, 'invalid range provided', 'invalid_range'),
  missingParameter: (name: string) => new StorageApiError('MissingParameter', 400, `Missing Required Parameter ${name}`),
  routeNotFound: (method: string, path: string) => new StorageApiError('RouteNotFound', 404, `Route ${method}:${path} not found`, 'Not Found'),
  internal: (cause: unknown) => new StorageApiError('InternalError', 500, 'Internal server error', 'Internal', { cause }),
};

/** A PostgreSQL error as Supabase Storage reports it (SQLSTATE → code), anything else as a 500. */
export function toStorageError(err: unknown): StorageApiError {
  if (err instanceof StorageApiError) return err;
  const pg = err as { code?: string; message?: string };
  switch (pg?.code) {
    case '42501':
      return storageErrors.accessDenied(
        pg.message?.includes('row-level security') ? 'new row violates row-level security policy' : (pg.message ?? 'Access denied'));
    case '23505':
      return storageErrors.alreadyExists();
    case '23503':
      return new StorageApiError('InvalidRequest', 404, 'The related resource does not exist');
    case '22P02':
      return new StorageApiError('InvalidRequest', 400, pg.message ?? 'Invalid value');
    default:
      return storageErrors.internal(err);
  }
}
