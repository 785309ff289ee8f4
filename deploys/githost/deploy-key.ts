/**
 * SSH deploy keys for private repositories (issue 22): an Ed25519 key pair made with node:crypto,
 * written in OpenSSH's own formats so that git's ssh reads the private half and the repository
 * host accepts the public half: the public key as an `ssh-ed25519 <base64>` line (RFC 8709 §4,
 * the key blob of RFC 4253 §6.6), the private key as an unencrypted "openssh-key-v1" file
 * (OpenSSH's PROTOCOL.key).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface DeployKeyPair {
  /** One line, as pasted into the host's "Deploy keys" settings. */
  publicKey: string;
  /** An OpenSSH private key file's text; stored sealed, written to a 0600 temp file per fetch. */
  privateKey: string;
}

const KEY_TYPE = 'ssh-ed25519';

export function generateDeployKey(comment: string): DeployKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const blob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);
  return {
    publicKey: `${KEY_TYPE} ${blob.toString('base64')} ${comment}`,
    privateKey: openSshPrivateKey(blob, pub, seed, comment),
  };
}

function openSshPrivateKey(blob: Buffer, pub: Buffer, seed: Buffer, comment: string): string {
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check, check, sshString(KEY_TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment),
  ]);
  // Padded with 1, 2, 3, … to the cipher block size (8 for "none").
  const padding = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: padding }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), uint32(1), sshString(blob), sshString(secret),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g)!;
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
