import { expect, it } from 'vitest';
import { generateDeployKey } from './deploy-key.js';
import { hostKeyFingerprints, parseKnownHosts } from './host-keys.js';

// Real key lines: made by DevFlow's own Ed25519 writer (deploy-key.ts), in OpenSSH's public format.
const [a, b] = [generateDeployKey('a').publicKey.split(' ').slice(0, 2).join(' '), generateDeployKey('b').publicKey.split(' ').slice(0, 2).join(' ')];

it.each([
  ['bare lines', `${a}\n${b}\n`, `${a}\n${b}`],
  ['ssh-keyscan output, comments and a repeat', `# git.example.com:22 SSH-2.0-OpenSSH_9.2\ngit.example.com ${a}\n[git.example.com]:2222,10.0.0.5 ${a}\n`, a],
  ['a .pub file with its comment', `${b} root@git\n`, b],
  ['nothing', '\n# only a comment\n', null],
])('keeps %s as type and key', (_name, text, stored) => {
  expect(parseKnownHosts(text)).toBe(stored);
});

it.each([
  ['a private key', '-----BEGIN OPENSSH PRIVATE KEY-----'],
  ['a key whose blob names another type', `ssh-rsa ${a.split(' ')[1]}`],
  ['a marker line', `@cert-authority *.example.com ${a}`],
  ['a host without a key', 'git.example.com ssh-ed25519'],
])('refuses %s', (_name, text) => {
  expect(() => parseKnownHosts(text)).toThrow('line 1 of the known hosts is not an ssh host key');
});

it('names keys by their SHA256 fingerprint', () => {
  const [fingerprint] = hostKeyFingerprints(a);
  expect(fingerprint).toMatch(/^ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}$/);
  expect(hostKeyFingerprints(null)).toEqual([]);
});
