/**
 * The ssh host keys a connection pins (issue 22): what `--known-hosts FILE` gives, read as
 * OpenSSH's known_hosts lines (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT": hosts, key type, base64
 * key, comment) or as bare `<type> <base64>` lines (a host's *.pub file, the keys GitHub and
 * GitLab publish), and stored as `<type> <base64>` lines: fetches pin them under their own host
 * alias (receiver/fetch-branch.ts), so the URL's host and port need not be spelled here. Pure.
 */
import { createHash } from 'node:crypto';

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;

/** Stored form of the given keys; throws RangeError naming the line that is not a host key. */
export function parseKnownHosts(text: string): string | null {
  const keys: string[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    // A marker (@revoked, @cert-authority) changes what the line means: not a key to pin.
    const at = KEY_TYPE.test(fields[0]!) ? 0 : KEY_TYPE.test(fields[1] ?? '') && !fields[0]!.startsWith('@') ? 1 : -1;
    const [type, key] = at < 0 ? [] : [fields[at]!, fields[at + 1] ?? ''];
    if (!type || !isKeyBlob(type, key!)) {
      throw new RangeError(`line ${index + 1} of the known hosts is not an ssh host key (e.g. "ssh-ed25519 AAAAC3…", as ssh-keyscan prints)`);
    }
    if (!keys.includes(`${type} ${key}`)) keys.push(`${type} ${key}`);
  }
  return keys.length > 0 ? keys.join('\n') : null;
}

/** `ssh-ed25519 SHA256:…` for each stored key, as `ssh-keygen -lf` names it. */
export function hostKeyFingerprints(stored: string | null): string[] {
  if (!stored) return [];
  return stored.split('\n').map((line) => {
    const [type, key] = line.split(' ');
    const digest = createHash('sha256').update(Buffer.from(key!, 'base64')).digest('base64').replace(/=+$/, '');
    return `${type} SHA256:${digest}`;
  });
}

/** The key blob starts with its own type as an ssh string (RFC 4253 §6.6). */
function isKeyBlob(type: string, key: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return false;
  const blob = Buffer.from(key, 'base64');
  if (blob.length < 4 + type.length) return false;
  const length = blob.readUInt32BE(0);
  return length === type.length && blob.subarray(4, 4 + length).toString('latin1') === type;
}
