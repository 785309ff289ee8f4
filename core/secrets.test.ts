import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSecretKey, openSecret, parseSecretKey, sealSecret } from './secrets.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-secrets-'));
  dirs.push(dir);
  return dir;
}

describe('secrets', () => {
  const key = parseSecretKey('ab'.repeat(32));

  it('seals and opens a value; each seal differs; the plaintext is not in the sealed form', () => {
    const a = sealSecret(key, 'hunter2-password');
    const b = sealSecret(key, 'hunter2-password');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:/);
    expect(a).not.toContain('hunter2');
    expect(openSecret(key, a)).toBe('hunter2-password');
  });

  it('refuses a tampered value and a wrong key with a clear message', () => {
    const sealed = sealSecret(key, 'secret');
    const parts = sealed.split(':');
    const tampered = [...parts.slice(0, 3), Buffer.from('other!').toString('base64url')].join(':');
    expect(() => openSecret(key, tampered)).toThrow(/cannot be decrypted/);
    expect(() => openSecret(parseSecretKey('cd'.repeat(32)), sealed)).toThrow(/not the key it was sealed with/);
    expect(() => openSecret(key, 'plain')).toThrow(/unknown format/);
  });

  it.each([
    ['64 hex characters', 'ab'.repeat(32), true],
    ['base64 of 32 bytes', Buffer.alloc(32, 7).toString('base64'), true],
    ['too short', 'abcd', false],
    ['a passphrase', 'correct horse battery staple', false],
  ])('parseSecretKey: %s', (_what, value, ok) => {
    if (ok) expect(parseSecretKey(value)).toHaveLength(32);
    else expect(() => parseSecretKey(value)).toThrow(/openssl rand -hex 32/);
  });

  it('creates the key file 0600 at first start and reuses it; the environment wins', async () => {
    const file = path.join(await tempDir(), 'secret-key');
    const first = await loadSecretKey({ file });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await loadSecretKey({ file })).equals(first)).toBe(true);
    const fromEnv = await loadSecretKey({ file, fromEnv: 'cd'.repeat(32) });
    expect(fromEnv.toString('hex')).toBe('cd'.repeat(32));
  });
});
