import { describe, expect, it } from 'vitest';
import { StorageApiError } from './errors.js';
import { checkBucketName, checkObjectKey, mimeTypeAllowed, parseFileSizeLimit } from './names.js';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as StorageApiError).code;
  }
}

describe('checkObjectKey', () => {
  it.each([
    ['user/me.png', undefined],
    ['a b/(1) & c+d=e;f,g?.txt', undefined],
    ['fotos/été.jpg', undefined],
    ['../etc/passwd', 'InvalidKey'],
    ['a/../../b', 'InvalidKey'],
    ['a/./b', 'InvalidKey'],
    ['..', 'InvalidKey'],
    ['/abs', 'InvalidKey'],
    ['a//b', 'InvalidKey'],
    ['%2e%2e/x', 'InvalidKey'],
    ['a\\..\\b', 'InvalidKey'],
    ['nul\u0000byte', 'InvalidKey'],
    ['', 'InvalidKey'],
    ['x'.repeat(1025), 'InvalidKey'],
  ])('%s → %s', (key, code) => {
    expect(refusal(() => checkObjectKey(key))).toBe(code);
  });
});

describe('checkBucketName', () => {
  it.each([
    ['avatars', undefined],
    ['my-bucket.v2', undefined],
    ['a/b', 'InvalidBucketName'],
    ['..', 'InvalidBucketName'],
    ['', 'InvalidBucketName'],
    [' padded', 'InvalidBucketName'],
    ['x'.repeat(101), 'InvalidBucketName'],
    [42, 'InvalidBucketName'],
  ])('%s → %s', (name, code) => {
    expect(refusal(() => checkBucketName(name))).toBe(code);
  });
});

describe('parseFileSizeLimit', () => {
  it.each([
    [null, null],
    [1024, 1024],
    ['3B', 3],
    ['30KB', 30 * 1024],
    ['20mb', 20 * 1024 ** 2],
    ['1.5GB', 1.5 * 1024 ** 3],
  ])('%s → %s', (value, bytes) => {
    expect(parseFileSizeLimit(value)).toBe(bytes);
  });

  it('refuses what is not a size', () => {
    expect(refusal(() => parseFileSizeLimit('lots'))).toBe('InvalidRequest');
    expect(refusal(() => parseFileSizeLimit(-1))).toBe('InvalidRequest');
  });
});

describe('mimeTypeAllowed', () => {
  it.each([
    ['image/png', null, true],
    ['image/png', ['image/*'], true],
    ['image/png;q=1', ['image/png'], true],
    ['Image/PNG', ['image/png'], true],
    ['text/plain', ['image/*'], false],
    ['image/png', ['image/jpeg'], false],
  ])('%s in %j → %s', (type, allowed, ok) => {
    expect(mimeTypeAllowed(type, allowed)).toBe(ok);
  });
});
