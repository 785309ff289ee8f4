import { describe, expect, it } from 'vitest';
import { hmacHex, parsePullRequestEvent, verifyDelivery } from './webhook.js';

const SECRET = 's3cret';
const SHA = 'a'.repeat(40);
const body = (value: unknown) => Buffer.from(JSON.stringify(value));

const githubPayload = (action: string) => ({
  action, number: 7,
  pull_request: { number: 7, head: { sha: SHA, ref: 'feature/x', repo: { clone_url: 'http://git.local/o/r.git' } } },
});

describe('verifyDelivery', () => {
  const payload = body(githubPayload('opened'));
  it.each([
    ['GitHub', { 'x-hub-signature-256': `sha256=${hmacHex(SECRET, payload)}` }],
    ['Gitea', { 'x-gitea-signature': hmacHex(SECRET, payload) }],
    ['GitLab', { 'x-gitlab-token': SECRET }],
  ])('accepts a %s delivery signed with the secret', (_name, headers) => {
    expect(() => verifyDelivery(headers, payload, SECRET)).not.toThrow();
  });

  it.each([
    ['no signature', {}, /not signed/],
    ['a forged signature', { 'x-hub-signature-256': `sha256=${hmacHex('other', payload)}` }, /does not match/],
    ['a signature of another body', { 'x-hub-signature-256': `sha256=${hmacHex(SECRET, body({}))}` }, /does not match/],
    ['a truncated signature', { 'x-hub-signature-256': 'sha256=abc' }, /does not match/],
    ['a wrong GitLab token', { 'x-gitlab-token': 'nope' }, /does not match/],
  ])('refuses %s', (_name, headers, message) => {
    expect(() => verifyDelivery(headers, payload, SECRET)).toThrow(message);
  });
});

describe('parsePullRequestEvent', () => {
  it.each([
    ['opened', 'deploy'], ['reopened', 'deploy'], ['synchronize', 'deploy'], ['closed', 'remove'], ['labeled', 'ignore'],
  ])('GitHub %s → %s', (action, expected) => {
    const event = parsePullRequestEvent({ 'x-github-event': 'pull_request' }, body(githubPayload(action)));
    expect(event).toMatchObject({ action: expected });
  });

  it('reads the head of a GitHub pull request', () => {
    expect(parsePullRequestEvent({ 'x-github-event': 'pull_request' }, body(githubPayload('opened')))).toEqual({
      provider: 'github', action: 'deploy', number: 7, headSha: SHA, headRef: 'feature/x', cloneUrl: 'http://git.local/o/r.git',
    });
  });

  it('reads a Gitea pull request', () => {
    expect(parsePullRequestEvent({ 'x-gitea-event': 'pull_request' }, body(githubPayload('synchronize')))).toMatchObject({ provider: 'gitea', action: 'deploy' });
  });

  it.each([['open', 'deploy'], ['update', 'deploy'], ['merge', 'remove'], ['close', 'remove']])('GitLab %s → %s', (action, expected) => {
    const payload = { object_attributes: { action, iid: 3, source_branch: 'b', last_commit: { id: SHA }, source: { git_http_url: 'https://gl/o/r.git' } } };
    expect(parsePullRequestEvent({ 'x-gitlab-event': 'Merge Request Hook' }, body(payload))).toMatchObject({ provider: 'gitlab', action: expected, number: 3 });
  });

  it('ignores events that are not pull requests', () => {
    expect(parsePullRequestEvent({ 'x-github-event': 'push' }, body({}))).toMatchObject({ action: 'ignore' });
  });

  it.each([
    ['not JSON', Buffer.from('nope'), /not JSON/],
    ['no number', body({ ...githubPayload('opened'), number: undefined, pull_request: { head: { sha: SHA, repo: { clone_url: 'http://x' } } } }), /number/],
    ['no sha', body({ ...githubPayload('opened'), pull_request: { number: 7, head: { sha: 'x', repo: { clone_url: 'http://x' } } } }), /sha/],
    ['a non-http clone URL', body({ ...githubPayload('opened'), pull_request: { number: 7, head: { sha: SHA, repo: { clone_url: 'ext::sh -c evil' } } } }), /clone URL/],
    ['a file:// clone URL (it would read the DevFlow host)', body({ ...githubPayload('opened'), pull_request: { number: 7, head: { sha: SHA, repo: { clone_url: 'file:///etc' } } } }), /clone URL/],
  ])('rejects a payload with %s', (_name, payload, message) => {
    expect(() => parsePullRequestEvent({ 'x-github-event': 'pull_request' }, payload)).toThrow(message);
  });
});
