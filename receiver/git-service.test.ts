import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { byteLimit, gitEnv } from './git-service.js';

describe('byteLimit', () => {
  it('passes a body up to the limit through unchanged', async () => {
    const out = await buffer(Readable.from([Buffer.from('abc'), Buffer.from('de')]).pipe(byteLimit(5, 'too large')));
    expect(out.toString()).toBe('abcde');
  });
  it('fails with the given message past the limit', async () => {
    const stream = Readable.from([Buffer.from('abc'), Buffer.from('def')]).pipe(byteLimit(5, 'push too large'));
    await expect(buffer(stream)).rejects.toThrow('push too large');
  });
});

describe('gitEnv', () => {
  it('drops inherited GIT_* variables and keeps the ones given', () => {
    process.env.GIT_DIR = '/somewhere/else';
    try {
      const env = gitEnv({ GIT_PROTOCOL: 'version=2', DEVFLOW_HOOK_URL: 'http://127.0.0.1:1/push/x' });
      expect(env.GIT_DIR).toBeUndefined();
      expect(env.GIT_PROTOCOL).toBe('version=2');
      expect(env.DEVFLOW_HOOK_URL).toBe('http://127.0.0.1:1/push/x');
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      delete process.env.GIT_DIR;
    }
  });
});
