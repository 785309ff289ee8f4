/** The push parser and the push plan, over push payloads in each host's documented shape. */
import { describe, expect, it } from 'vitest';
import { deliveryId, eventKind, parsePushEvent, type HostProvider } from './host-event.js';
import { normaliseBaseDir, normaliseTagPattern, planPush, tagMatches, type ConnectionRule } from './push-plan.js';
import { pushHeaders, pushPayload, type SamplePush } from './samples.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const ZERO = '0'.repeat(40);
const PROVIDERS: HostProvider[] = ['github', 'gitea', 'gitlab'];

function deliver(provider: HostProvider, push: SamplePush, event = 'push') {
  const body = Buffer.from(JSON.stringify(pushPayload(provider, push)));
  return { headers: pushHeaders(provider, body, 's3cret', 'delivery-1', event), body };
}

const main: ConnectionRule = { branch: 'main', baseDir: null };
const web: ConnectionRule = { branch: 'main', baseDir: 'services/web' };
const tagsToo: ConnectionRule = { branch: 'main', baseDir: 'services/web', tagPattern: 'v*' };
const tagsOnly: ConnectionRule = { branch: 'main', baseDir: null, tagPattern: 'release/**', branchDeploys: false };

const CASES: Array<[string, SamplePush, ConnectionRule, string]> = [
  ['a push to the deploy branch deploys its head', { ref: 'refs/heads/main', before: A, after: B, commits: [{ id: B, modified: ['x.js'] }] }, main, `deploy ${B}`],
  ['a push to another branch does not', { ref: 'refs/heads/feature', before: A, after: B, commits: [{ id: B }] }, main, 'ignore: pushes to feature do not deploy'],
  ['a tag push does not', { ref: 'refs/tags/v1.0.0', before: ZERO, after: B }, main, 'ignore: tag v1.0.0'],
  ['deleting the deploy branch removes nothing', { ref: 'refs/heads/main', before: A, after: ZERO }, main, 'ignore: main was deleted on the host: nothing is removed'],
  ['base dir: a push touching it deploys', { ref: 'refs/heads/main', before: A, after: C, commits: [{ id: B, modified: ['docs/a.md'] }, { id: C, added: ['services/web/index.js'] }] }, web, `deploy ${C}`],
  ['base dir: a removal under it counts', { ref: 'refs/heads/main', before: A, after: B, commits: [{ id: B, removed: ['services/web/old.js'] }] }, web, `deploy ${B}`],
  ['base dir: a push elsewhere is skipped', { ref: 'refs/heads/main', before: A, after: B, commits: [{ id: B, modified: ['services/api/x.js', 'services/webhooks/y.js'] }] }, web, 'ignore: no change under services/web/'],
  ['base dir: a new branch deploys (paths unknown)', { ref: 'refs/heads/main', before: ZERO, after: B, commits: [] }, web, `deploy ${B}`],
  ['tags: a matching tag deploys its commit, whatever the base dir', { ref: 'refs/tags/v1.2.0', before: ZERO, after: B }, tagsToo, `deploy ${B} refs/tags/v1.2.0`],
  ['tags: one that does not match does not', { ref: 'refs/tags/nightly', before: ZERO, after: B }, tagsToo, 'ignore: tag nightly does not match v*'],
  ['tags: the branch deploys beside them', { ref: 'refs/heads/main', before: A, after: B, commits: [{ id: B, modified: ['services/web/a.js'] }] }, tagsToo, `deploy ${B} refs/heads/main`],
  ['tags: deleting a matching tag removes nothing', { ref: 'refs/tags/v1.2.0', before: B, after: ZERO }, tagsToo, 'ignore: tag v1.2.0 was deleted on the host: nothing is removed'],
  ['tags only: the branch does not deploy', { ref: 'refs/heads/main', before: A, after: B, commits: [{ id: B }] }, tagsOnly, 'ignore: only tags matching release/** deploy, not pushes to main'],
  ['tags only: ** reaches into folders', { ref: 'refs/tags/release/2026/12', before: ZERO, after: C }, tagsOnly, `deploy ${C} refs/tags/release/2026/12`],
];

describe.each(PROVIDERS)('%s push webhooks', (provider) => {
  it.each(CASES)('%s', (_name, push, rule, expected) => {
    const { headers, body } = deliver(provider, push);
    expect(eventKind(headers)).toBe('push');
    const event = parsePushEvent(headers, body);
    expect(event).toMatchObject({ provider, ref: push.ref, after: push.after, repository: 'acme/shop' });
    const plan = planPush(event, rule);
    const text = plan.action === 'deploy' ? `deploy ${plan.sha} ${plan.ref}` : `ignore: ${plan.reason}`;
    expect(text.startsWith(expected)).toBe(true);
  });

  it('keeps the delivery id the host sends', () => {
    const { headers, body } = deliver(provider, CASES[0]![1]);
    expect(deliveryId(headers, body)).toBe('delivery-1');
  });
});

describe('push webhooks, edge cases', () => {
  it('a forced push on GitHub leaves the changed paths unknown, so a base dir deploys', () => {
    const { headers, body } = deliver('github', { ref: 'refs/heads/main', before: A, after: B, commits: [{ id: B, modified: ['docs/a.md'] }], forced: true });
    expect(planPush(parsePushEvent(headers, body), web)).toEqual({ action: 'deploy', sha: B, ref: 'refs/heads/main', kind: 'branch', name: 'main' });
  });
  it.each(['gitea', 'gitlab'] as const)('a %s commit list cut short (total above the list) deploys: paths unknown', (provider) => {
    const { headers, body } = deliver(provider, { ref: 'refs/heads/main', before: A, after: B, commits: [{ id: B, modified: ['docs/a.md'] }], totalCommits: 40 });
    expect(planPush(parsePushEvent(headers, body), web)).toMatchObject({ action: 'deploy' });
  });
  it('force deploys a push that touches nothing under the base dir', () => {
    const { headers, body } = deliver('gitea', { ref: 'refs/heads/main', before: A, after: B, commits: [{ id: B, modified: ['docs/a.md'] }] });
    expect(planPush(parsePushEvent(headers, body), web, true)).toMatchObject({ action: 'deploy' });
  });
  it.each([
    [{ 'x-github-event': 'ping' }, 'ping'],
    [{ 'x-gitea-event': 'delete', 'x-github-event': 'delete' }, 'branch_deleted'],
    [{ 'x-gitlab-event': 'Tag Push Hook' }, 'push'],
    [{ 'x-gitlab-event': 'Merge Request Hook' }, 'pull_request'],
    [{ 'x-github-event': 'pull_request' }, 'pull_request'],
    [{ 'x-github-event': 'issues' }, 'other'],
  ])('event kind of %o is %s', (headers, kind) => {
    expect(eventKind(headers)).toBe(kind);
  });
  it('a delivery without an id is known by its body', () => {
    expect(deliveryId({}, Buffer.from('{}'))).toBe(deliveryId({}, Buffer.from('{}')));
    expect(deliveryId({}, Buffer.from('{}'))).not.toBe(deliveryId({}, Buffer.from('{"a":1}')));
  });
  it.each([
    ['not json', 'not a JSON object'],
    ['{"ref":"refs/heads/main"}', 'no before/after'],
    [`{"before":"${A}","after":"${B}"}`, 'no ref'],
  ])('refuses %s', (body, message) => {
    expect(() => parsePushEvent({ 'x-github-event': 'push' }, Buffer.from(body))).toThrow(message);
  });
});

describe('normaliseBaseDir', () => {
  it.each([['services/web', 'services/web'], ['/services/web/', 'services/web'], ['./web', 'web'], ['', null], ['.', null], [undefined, null]])(
    '%s → %s', (input, expected) => expect(normaliseBaseDir(input)).toBe(expected));
  it.each(['../etc', 'a/../../b', 'a//b', ':(glob)*'])('refuses %s', (input) => expect(() => normaliseBaseDir(input)).toThrow('not a folder'));
});

describe('tag patterns', () => {
  it.each([
    ['v*', 'v1.2.0', true], ['v*', 'v1/hotfix', false], ['v*', 'release-1', false], ['v?.?', 'v1.2', true], ['v?.?', 'v1.20', false],
    ['release/**', 'release/2026/12', true], ['1.0+build', '1.0+build', true], ['1.0+build', '1.00build', false], ['v1.*', 'v1x2', false],
  ])('%s matches %s: %s', (pattern, tag, expected) => expect(tagMatches(pattern, tag)).toBe(expected));

  it.each([[' v* ', 'v*'], ['refs/tags/v*', 'v*'], ['', null], [undefined, null]])('stores %j as %j', (input, stored) => {
    expect(normaliseTagPattern(input)).toBe(stored);
  });

  it.each(['v *', '-v*', 'v..1', 'v*.lock', 'v~1', 'a:b', 'v*/', '/v*', 'v@{1}'])('refuses %j', (input) => {
    expect(() => normaliseTagPattern(input)).toThrow('is not a tag pattern');
  });
});
