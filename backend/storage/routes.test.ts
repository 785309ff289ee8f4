import { describe, expect, it } from 'vitest';
import { isKeylessStorageRequest, matchStorageRoute } from './routes.js';

describe('matchStorageRoute', () => {
  it.each([
    ['GET', '/bucket', { op: 'listBuckets' }],
    ['POST', '/bucket', { op: 'createBucket' }],
    ['GET', '/bucket/avatars', { op: 'getBucket', bucket: 'avatars' }],
    ['PUT', '/bucket/avatars', { op: 'updateBucket', bucket: 'avatars' }],
    ['DELETE', '/bucket/avatars', { op: 'deleteBucket', bucket: 'avatars' }],
    ['POST', '/bucket/avatars/empty', { op: 'emptyBucket', bucket: 'avatars' }],
    ['POST', '/object/list/avatars', { op: 'listObjects', bucket: 'avatars' }],
    ['POST', '/object/move', { op: 'moveObject' }],
    ['POST', '/object/copy', { op: 'copyObject' }],
    ['POST', '/object/avatars/u1/me.png', { op: 'upload', bucket: 'avatars', key: 'u1/me.png', upsert: 'header' }],
    ['PUT', '/object/avatars/u1/me.png', { op: 'upload', bucket: 'avatars', key: 'u1/me.png', upsert: 'always' }],
    ['GET', '/object/avatars/u1/me%20too.png', { op: 'download', bucket: 'avatars', key: 'u1/me too.png', access: 'authenticated', head: false }],
    ['HEAD', '/object/avatars/a.txt', { op: 'download', bucket: 'avatars', key: 'a.txt', access: 'authenticated', head: true }],
    ['GET', '/object/authenticated/avatars/a.txt', { op: 'download', bucket: 'avatars', key: 'a.txt', access: 'authenticated', head: false }],
    ['GET', '/object/public/docs/a.txt', { op: 'download', bucket: 'docs', key: 'a.txt', access: 'public', head: false }],
    ['GET', '/object/info/avatars/a.txt', { op: 'objectInfo', bucket: 'avatars', key: 'a.txt' }],
    ['GET', '/object/info/public/avatars/a.txt', { op: 'objectInfo', bucket: 'avatars', key: 'a.txt' }],
    ['POST', '/object/sign/avatars/a.txt', { op: 'signUrl', bucket: 'avatars', key: 'a.txt' }],
    ['POST', '/object/sign/avatars', { op: 'signUrls', bucket: 'avatars' }],
    ['GET', '/object/sign/avatars/a.txt', { op: 'signedDownload', bucket: 'avatars', key: 'a.txt' }],
    ['POST', '/object/upload/sign/avatars/a.txt', { op: 'signUploadUrl', bucket: 'avatars', key: 'a.txt' }],
    ['PUT', '/object/upload/sign/avatars/a.txt', { op: 'signedUpload', bucket: 'avatars', key: 'a.txt' }],
    ['DELETE', '/object/avatars', { op: 'removeObjects', bucket: 'avatars' }],
    ['DELETE', '/object/avatars/a.txt', { op: 'removeObject', bucket: 'avatars', key: 'a.txt' }],
    ['GET', '/nothing', { op: 'notFound' }],
    ['PATCH', '/object/avatars/a.txt', { op: 'notFound' }],
  ])('%s %s', (method, path, route) => {
    expect(matchStorageRoute(method, path)).toEqual(route);
  });

  it.each([
    '/object/avatars/../secret.txt',
    '/object/avatars/%2e%2e/secret.txt',
    '/object/avatars/a%2F..%2Fb',
    '/object/avatars/%252e%252e/x',
    '/object/avatars/bad%zz',
  ])('refuses the traversal or malformed key in %s', (path) => {
    expect(() => matchStorageRoute('GET', path)).toThrow(expect.objectContaining({ code: 'InvalidKey' }));
  });
});

describe('isKeylessStorageRequest', () => {
  it.each([
    ['GET', '/object/public/docs/a.txt', true],
    ['HEAD', '/object/public/docs/a.txt', true],
    ['GET', '/object/sign/docs/a.txt', true],
    ['PUT', '/object/upload/sign/docs/a.txt', true],
    ['POST', '/object/sign/docs/a.txt', false],
    ['GET', '/object/docs/a.txt', false],
    ['GET', '/bucket', false],
  ])('%s %s → %s', (method, path, keyless) => {
    expect(isKeylessStorageRequest(method, path)).toBe(keyless);
  });
});
