import { expect, it } from 'vitest';
import { fetchError } from './fetch-branch.js';

const https = { url: 'https://git.example.com/acme/shop.git', branch: 'main', sha: '', localRef: 'refs/devflow/host/main' };
const ssh = { ...https, url: 'git@git.example.com:acme/shop.git' };

it.each([
  [https, "fatal: could not read Username for 'https://git.example.com': terminal prompts disabled", undefined, 'add an access token'],
  [ssh, 'git@git.example.com: Permission denied (publickey).', undefined, 'add a deploy key'],
  [https, 'fatal: Authentication failed for https://git.example.com/acme/shop.git/', { kind: 'token', token: 't', username: 'x' }, 'the access token was refused'],
  [ssh, 'Permission denied (publickey).', { kind: 'deploy-key', privateKey: 'k' }, 'add the public key from `devflow git:info`'],
  [https, "fatal: couldn't find remote ref refs/heads/main", undefined, "could not fetch main from https://git.example.com/acme/shop.git: fatal: couldn't find remote ref"],
] as const)('names what to do for %#', (remote, stderr, credentials, message) => {
  expect(fetchError(remote, stderr, credentials).message).toContain(message);
});
