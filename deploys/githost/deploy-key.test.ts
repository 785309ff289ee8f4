import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { generateDeployKey } from './deploy-key.js';

it('makes a key pair that OpenSSH reads: ssh-keygen derives the same public key from the private file', async () => {
  const pair = generateDeployKey('devflow-shop');
  expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} devflow-shop$/);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-key-'));
  try {
    await fs.writeFile(path.join(dir, 'id'), pair.privateKey, { mode: 0o600 });
    const derived = await execa('ssh-keygen', ['-y', '-f', path.join(dir, 'id')]);
    expect(derived.stdout.trim().split(' ').slice(0, 2)).toEqual(pair.publicKey.split(' ').slice(0, 2));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

it('makes a different key each time', () => {
  expect(generateDeployKey('a').publicKey).not.toBe(generateDeployKey('a').publicKey);
});
