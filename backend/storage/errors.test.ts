import { describe, expect, it } from 'vitest';
import { storageErrors, toStorageError } from './errors.js';

describe('toStorageError', () => {
  it.each([
    [{ code: '42501', message: 'new row violates row-level security policy for table "objects"' }, 400, { statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message: 'new row violates row-level security policy' }],
    [{ code: '42501', message: 'permission denied for table objects' }, 400, { statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message: 'permission denied for table objects' }],
    [{ code: '23505', message: 'duplicate key' }, 400, { statusCode: '409', code: 'ResourceAlreadyExists', error: 'Duplicate', message: 'The resource already exists' }],
    [new Error('disk on fire'), 500, { statusCode: '500', code: 'InternalError', error: 'Internal', message: 'Internal server error' }],
    [storageErrors.noSuchKey(), 400, { statusCode: '404', code: 'NoSuchKey', error: 'not_found', message: 'Object not found' }],
    [storageErrors.routeNotFound('GET', '/storage/v1/nope'), 404, { statusCode: '404', code: 'RouteNotFound', error: 'Not Found', message: 'Route GET:/storage/v1/nope not found' }],
    [storageErrors.invalidRange(), 416, { statusCode: '416', code: 'InvalidRange', error: 'invalid_range', message: 'invalid range provided' }],
  ])('%o → HTTP %d with Supabase body', (err, status, body) => {
    const mapped = toStorageError(err);
    expect([mapped.httpStatus, mapped.body()]).toEqual([status, body]);
  });
});
