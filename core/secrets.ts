/**
 * Secrets at rest (app database passwords, later other credentials) are sealed with
 * AES-256-GCM (NIST SP 800-38D) under one platform key: DEVFLOW_SECRET_KEY when the operator
 * provides it (several DevFlow replicas must share it), else DEVFLOW_HOME/secret-key, created
 * with mode 0600 at first start. A sealed value reads `v1:<iv>:<tag>:<ciphertext>` (base64url),
 * so a future key or algorithm can be told apart by its prefix.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { DevflowError, InvalidInputError } from './errors.js';

export type SecretKey = Buffer & { readonly __brand: 'SecretKey' };

const KEY_BYTES = 32;
/** GCM's recommended 96-bit nonce; random per value, so one key seals many values safely. */
const IV_BYTES = 12;
const VERSION = 'v1';

/** A key is 32 bytes written as 64 hex characters or as base64 (e.g. `openssl rand -hex 32`). */
export function parseSecretKey(value: string): SecretKey {
  const text = value.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (bytes.length !== KEY_BYTES || (!/^[0-9a-fA-F]{64}$/.test(text) && !/^[A-Za-z0-9+/_-]{43}=?$/.test(text))) {
    throw new InvalidInputError(
      'DEVFLOW_SECRET_KEY must be 32 bytes written as 64 hex characters or base64: make one with `openssl rand -hex 32`',
    );
  }
  return bytes as SecretKey;
}

/**
 * The platform key: the environment's if given, else the key file, created at first start.
 * `wx` makes two DevFlows starting at once agree on the first file written.
 */
export async function loadSecretKey(options: { file: string; fromEnv?: string | undefined }): Promise<SecretKey> {
  if (options.fromEnv !== undefined && options.fromEnv.trim() !== '') return parseSecretKey(options.fromEnv);
  try {
    return parseSecretKey(await fs.readFile(options.file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DevflowError('internal', `the secret key in ${options.file} is unreadable or damaged: ${String(err)}`, { cause: err });
    }
  }
  try {
    await fs.writeFile(options.file, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseSecretKey(await fs.readFile(options.file, 'utf8'));
}

export function sealSecret(key: SecretKey, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join(':');
}

export function openSecret(key: SecretKey, sealed: string): string {
  const [version, iv, tag, body] = sealed.split(':');
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
    throw new DevflowError('internal', 'a stored secret has an unknown format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new DevflowError(
      'internal',
      'a stored secret cannot be decrypted: DEVFLOW_SECRET_KEY (or DEVFLOW_HOME/secret-key) is not the key it was sealed with',
      { cause: err },
    );
  }
}
