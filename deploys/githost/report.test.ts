import { describe, expect, it } from 'vitest';
import { defaultApiUrl, knownProvider } from './host-api.js';
import { statusFor } from './report.js';

const urls = { app: 'http://shop.localhost:8080/', log: 'http://devflow.test/#/apps/shop/deployments' };

describe('statusFor', () => {
  it.each([
    ['queued', 'pending', urls.log],
    ['building', 'pending', urls.log],
    ['releasing', 'pending', urls.log],
    ['succeeded', 'success', urls.app],
    ['failed', 'failure', urls.log],
    ['superseded', 'error', urls.log],
  ] as const)('%s → %s', (state, expected, target) => {
    expect(statusFor({ state, reason: 'npm ci exited 1', releaseVersion: 4 }, urls)).toMatchObject({ state: expected, targetUrl: target });
  });
  it('keeps descriptions within GitHub\'s 140 characters', () => {
    expect(statusFor({ state: 'failed', reason: 'x'.repeat(500), releaseVersion: null }, urls).description.length).toBeLessThanOrEqual(140);
  });
});

describe('where each host is', () => {
  it.each([
    ['github', 'github.com', 'https://api.github.com'],
    ['github', 'ghe.example.com', 'https://ghe.example.com/api/v3'],
    ['gitea', 'git.example.com', 'https://git.example.com/api/v1'],
    ['gitlab', 'gitlab.example.com', 'https://gitlab.example.com/api/v4'],
  ] as const)('%s on %s → %s', (provider, host, api) => expect(defaultApiUrl(provider, host)).toBe(api));
  it.each([['github.com', 'github'], ['gitlab.com', 'gitlab'], ['codeberg.org', 'gitea'], ['git.example.com', null]] as const)(
    '%s is %s', (host, provider) => expect(knownProvider(host)).toBe(provider));
});
