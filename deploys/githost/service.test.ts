/**
 * Deploys from a git host, in process with the real parts: PostgreSQL, the event bus and the
 * deploy queue, the receiver's repositories, git fetching over smart HTTP from a real git
 * server on loopback (`git http-backend`; allowed through DEVFLOW_GIT_ALLOW_HOSTS's setting,
 * passed in here), webhooks sent over HTTP to the real /hooks/<app>/git endpoint, and one real
 * `git push` to DevFlow's own receiver beside a connection (handlePush, as boot wires it). The
 * hosts' REST APIs (statuses, comments) are the mocked part: a local stand-in that checks each
 * request against the documented shape (tests/support/host-api-stand-in.ts): GitHub's, Gitea's
 * and GitLab's APIs are a stand-in here, not the real services. Nothing builds:
 * no worker takes the queue, so the test moves deployments to their end itself, as the
 * pipeline would.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleWebhook } from '../../api/webhooks.js';
import { EventBus } from '../../core/events.js';
import { parseAppName, previewAppName } from '../../core/names.js';
import { createDeployQueue, type DeployQueue } from '../../core/queue.js';
import { loadSecretKey } from '../../core/secrets.js';
import { AppDatabases } from '../../core/store/app-databases.js';
import { createApp, getApp } from '../../core/store/apps.js';
import { appendDeploymentLog, listDeployments, readDeploymentLog, transitionDeployment } from '../../core/store/deployments.js';
import type { Deployment } from '../../core/types.js';
import { GitReceiver } from '../../receiver/index.js';
import { extractTar, runGit, writeFiles } from '../../receiver/test-support.js';
import type { RuntimeDriver, RouteRefresher } from '../../scheduler/index.js';
import { sourceTarPath } from '../../scheduler/pipeline.js';
import { startGitHttpServer, type GitHttpServer } from '../../tests/support/git-http-server.js';
import { startHostApiStandIn, type HostApiStandIn } from '../../tests/support/host-api-stand-in.js';
import { startSshd, type Sshd } from '../../tests/support/sshd.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/postgres.js';
import { PreviewService } from '../previews.js';
import { deployBranchesOf, handlePush } from '../push.js';
import { generateDeployKey } from './deploy-key.js';
import type { HostProvider } from './host-event.js';
import { HostReporter } from './report.js';
import { pushHeaders, pushPayload, type SamplePush } from './samples.js';
import { GitHostService } from './service.js';

const TOKEN = 'ghp_standin_token_0123456789';
const PUSH_TOKEN = 'devflow-push-token';
let db: TestDatabase;
let bus: EventBus;
let queue: DeployQueue;
let home: string;
let git: GitHostService;
let hooks: http.Server;
let hooksUrl: string;
let publicGit: GitHttpServer;
let privateGit: GitHttpServer;
let hostApi: HostApiStandIn;
let previews: PreviewService;
let receiver: GitReceiver;
const secrets: Record<string, string> = {};
const serverLog: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-githost-'));
  bus = new EventBus(db.url, db.sql);
  await bus.start();
  queue = createDeployQueue({ databaseUrl: db.url });
  const secretKey = await loadSecretKey({ file: path.join(home, 'secret-key') });
  const enqueue = { sql: db.sql, bus, queue, home };
  // The receiver as boot/steps.ts wires it: `git push devflow main` deploys through handlePush.
  receiver = new GitReceiver({
    reposDir: path.join(home, 'repos'), authenticate: async (_user, password) => (password === PUSH_TOKEN ? 'ada' : undefined),
    appExists: async () => true, deployBranches: (app) => deployBranchesOf(db.sql, app),
    onPush: (push, pushLog) => handlePush({ ...enqueue, previews }, push, pushLog),
  });
  const config = { domain: 'localhost', httpPort: 8080, port: 7070 };
  // No preview is removed or routed here, so the runtime and the route refresher are never reached.
  previews = new PreviewService({
    sql: db.sql, serverUrl: db.url, databases: new AppDatabases(db.sql, secretKey), secretKey, runtime: {} as RuntimeDriver,
    routes: {} as RouteRefresher, maxPreviews: 5, idleTtlMs: 60_000,
  }, enqueue, config, receiver);
  const allowHosts = ['127.0.0.1'];
  const reporter = new HostReporter({ sql: db.sql, bus, secretKey, config, publicUrl: 'http://devflow.test', allowHosts, log: (l) => serverLog.push(l) });
  git = new GitHostService({ sql: db.sql, secretKey, enqueue, repos: receiver, previews, reporter, allowHosts, publicUrl: 'http://devflow.test' });
  hooks = http.createServer((req, res) => {
    if (!handleWebhook(req, res, previews, git)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hooksUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  const remotes = path.join(home, 'remotes');
  await fs.mkdir(path.join(remotes, 'acme'), { recursive: true });
  for (const repo of ['acme/shop.git', 'acme/mono.git', 'acme/secret.git', 'acme/tagged.git', 'acme/viassh.git']) await execa('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(remotes, repo)]);
  publicGit = await startGitHttpServer(remotes);
  privateGit = await startGitHttpServer(remotes, { token: TOKEN });
  hostApi = await startHostApiStandIn(TOKEN);
  for (const app of ['shop', 'mono', 'secret', 'other', 'tagged', 'viassh', 'firstuse']) {
    await createApp(db.sql, parseAppName(app));
    secrets[app] = (await git.webhook(app, false)).secret;
  }
});

afterAll(async () => {
  await git.idle();
  await Promise.all([publicGit.close(), privateGit.close(), hostApi.close(), new Promise((r) => hooks.close(r))]);
  await queue.close();
  await bus.close();
  await db.drop();
  await fs.rm(home, { recursive: true, force: true });
});

/** Commits files on the host's repository (as a developer's push there would) and returns the commit. */
async function commitOnHost(repo: string, files: Record<string, string>, branch = 'main'): Promise<string> {
  const work = path.join(home, 'work', repo);
  if (!(await fs.stat(work).catch(() => null))) {
    await execa('git', ['clone', '--quiet', path.join(home, 'remotes', `${repo}.git`), work]);
    await execa('git', ['checkout', '--quiet', '-B', branch], { cwd: work });
  }
  await writeFiles(work, files);
  const g = (args: string[]) => execa('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], { cwd: work });
  await g(['add', '-A']);
  await g(['commit', '--quiet', '-m', `change ${Object.keys(files).join(' ')}`]);
  await g(['push', '--quiet', 'origin', `HEAD:${branch}`]);
  return (await g(['rev-parse', 'HEAD'])).stdout.trim();
}

let deliveries = 0;
async function deliver(app: string, provider: HostProvider, push: SamplePush, options: { secret?: string; delivery?: string; event?: string } = {}) {
  const body = Buffer.from(JSON.stringify(pushPayload(provider, push)));
  const delivery = options.delivery ?? `d-${++deliveries}`;
  const headers = pushHeaders(provider, body, options.secret ?? secrets[app]!, delivery, options.event);
  const response = await fetch(`${hooksUrl}/hooks/${app}/git`, { method: 'POST', headers, body });
  return { status: response.status, body: await response.json() as { result?: string; error?: { message: string } }, delivery, headers, rawBody: body };
}

async function deploymentsOf(app: string): Promise<Deployment[]> {
  const [row] = await db.sql<{ id: number }[]>`SELECT id FROM apps WHERE name = ${app}`;
  return row ? listDeployments(db.sql, row.id, 50) : [];
}

/** Ends a queued deployment as the pipeline would, and publishes it. */
async function finish(d: Deployment, outcome: 'succeeded' | 'failed'): Promise<void> {
  await transitionDeployment(db.sql, d.id, 'queued', 'building');
  if (outcome === 'succeeded') {
    await transitionDeployment(db.sql, d.id, 'building', 'releasing');
    await transitionDeployment(db.sql, d.id, 'releasing', 'succeeded', { releaseVersion: 1 });
  } else {
    await transitionDeployment(db.sql, d.id, 'building', 'failed', { reason: 'npm ci exited 1' });
  }
  await bus.publish({ type: 'deployment.state', deploymentId: d.id, app: d.app, state: outcome });
}

const statuses = (repo: string) => hostApi.calls.filter((c) => c.kind === 'status' && c.repo === repo).map((c) => [c.target.slice(0, 7), c.body.state]);
const ZERO = '0'.repeat(40);

describe('git:connect', () => {
  it.each([
    ['file:///etc', 'file:// transport'],
    ['/srv/git/shop.git', 'not a URL'],
    ['https://10.0.0.5/acme/shop.git', 'private'],
    ['http://localhost:3000/acme/shop.git', 'this machine'],
    ['https://169.254.169.254/acme/shop.git', 'link-local'],
  ])('refuses %s and stores nothing', async (url, message) => {
    await expect(git.connect('other', { url })).rejects.toThrow(message);
    await expect(git.info('other')).rejects.toThrow('not connected');
  });

  it('keeps the token sealed and shows it masked; a deploy key shows only its public half', async () => {
    const info = await git.connect('other', { url: 'git@github.com:acme/other.git', token: TOKEN, deployKey: true });
    expect(info).toMatchObject({ provider: 'github', apiUrl: 'https://api.github.com', token: '••••6789', webhookUrl: 'http://devflow.test/hooks/other/git' });
    expect(info.deployKey).toMatch(/^ssh-ed25519 \S+ devflow-other$/);
    expect(JSON.stringify(info)).not.toContain(TOKEN);
    expect(JSON.stringify(info)).not.toContain('PRIVATE KEY');
    const [row] = await db.sql`SELECT * FROM git_connections`;
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    expect(JSON.stringify(row)).not.toContain('PRIVATE KEY');
    // Connecting again keeps the key the user already added to the host.
    expect((await git.connect('other', { url: 'git@github.com:acme/other.git', deployKey: true })).deployKey).toBe(info.deployKey);
    await git.disconnect('other');
    await expect(git.info('other')).rejects.toThrow('not connected');
  });
});

describe('push webhooks (GitHub)', () => {
  let first: string;
  beforeAll(async () => {
    await git.connect('shop', { url: `${publicGit.url}/acme/shop.git`, provider: 'github', apiUrl: hostApi.urls.github, token: TOKEN });
    first = await commitOnHost('acme/shop', { 'server.js': 'one\n', 'package.json': '{}\n' });
  });

  it('refuses unsigned, forged and other-app deliveries with 401, and deploys nothing', async () => {
    const push = { ref: 'refs/heads/main', before: ZERO, after: first };
    const body = Buffer.from(JSON.stringify(pushPayload('github', push)));
    const unsigned = await fetch(`${hooksUrl}/hooks/shop/git`, { method: 'POST', headers: { 'x-github-event': 'push', 'x-github-delivery': 'u1' }, body });
    expect(unsigned.status).toBe(401);
    expect((await deliver('shop', 'github', push, { secret: 'wrong' })).status).toBe(401);
    expect((await deliver('shop', 'github', push, { secret: secrets.other })).status).toBe(401);
    expect(await deploymentsOf('shop')).toEqual([]);
    expect((await git.info('shop')).deliveries).toEqual([]);
  });

  it('a signed push to the deploy branch fetches the commit and deploys it as a git push would; a replay is 409', async () => {
    const sent = await deliver('shop', 'github', { ref: 'refs/heads/main', before: ZERO, after: first });
    expect(sent).toMatchObject({ status: 202, body: { result: `deploying ${first.slice(0, 7)} of main` } });
    await git.idle();
    const [deployment] = await deploymentsOf('shop');
    expect(deployment).toMatchObject({ sha: first, ref: 'refs/heads/main', trigger: 'push', actor: 'github webhook', state: 'queued' });
    expect(await extractTar(sourceTarPath(home, deployment!.id), path.join(home, 'x1'))).toEqual({ 'server.js': 'one\n', 'package.json': '{}\n' });
    const replay = await fetch(`${hooksUrl}/hooks/shop/git`, { method: 'POST', headers: sent.headers, body: sent.rawBody });
    expect(replay.status).toBe(409);
    expect(await deploymentsOf('shop')).toHaveLength(1);
    await finish(deployment!, 'succeeded');
    await waitFor(() => statuses('acme/shop').length === 2);
    expect(statuses('acme/shop')).toEqual([[first.slice(0, 7), 'pending'], [first.slice(0, 7), 'success']]);
    expect(hostApi.calls.at(-1)!.body).toMatchObject({ context: 'devflow/deploy', target_url: 'http://shop.localhost:8080/' });
    expect(hostApi.rejected).toEqual([]);
    await waitFor(async () => (await git.info('shop')).deliveries[0]?.result === 'deployed');
  });

  it('a burst of pushes deploys only the newest; the failure status links the log', async () => {
    const b = await commitOnHost('acme/shop', { 'server.js': 'two\n' });
    const c = await commitOnHost('acme/shop', { 'server.js': 'three\n' });
    // The second arrives while the first is still being fetched.
    const one = await deliver('shop', 'github', { ref: 'refs/heads/main', before: first, after: b, commits: [{ id: b, modified: ['server.js'] }] });
    const two = await deliver('shop', 'github', { ref: 'refs/heads/main', before: b, after: c, commits: [{ id: c, modified: ['server.js'] }] });
    expect([one.status, two.status]).toEqual([202, 202]);
    await git.idle();
    const queued = (await deploymentsOf('shop')).filter((d) => d.state === 'queued');
    expect(queued.map((d) => d.sha)).toEqual([c]);
    await waitFor(async () => (await git.info('shop')).deliveries.some((d) => d.sha === b && d.result === 'superseded'));
    await finish(queued[0]!, 'failed');
    await waitFor(() => statuses('acme/shop').some(([sha, state]) => sha === c.slice(0, 7) && state === 'failure'));
    expect(hostApi.calls.at(-1)!.body).toMatchObject({ state: 'failure', target_url: 'http://devflow.test/#/apps/shop/deployments' });
  });

  it('tag pushes and the deletion of the deploy branch deploy nothing and remove nothing', async () => {
    const before = await deploymentsOf('shop');
    const tag = await deliver('shop', 'github', { ref: 'refs/tags/v1', before: ZERO, after: first });
    const deleted = await deliver('shop', 'github', { ref: 'refs/heads/main', before: first, after: ZERO });
    expect(tag.body.result).toMatch(/^ignored: tag v1/);
    expect(deleted.body.result).toMatch(/^ignored: main was deleted on the host: nothing is removed/);
    expect(await deploymentsOf('shop')).toEqual(before);
  });
});

describe('base directory (GitLab)', () => {
  it('builds only that folder, and pushes that do not touch it do not deploy', async () => {
    const info = await git.connect('mono', { url: `${publicGit.url}/acme/mono.git`, provider: 'gitlab', apiUrl: hostApi.urls.gitlab, token: TOKEN, baseDir: 'services/web' });
    expect(info.baseDir).toBe('services/web');
    const a = await commitOnHost('acme/mono', { 'services/web/index.js': 'web\n', 'services/api/index.js': 'api\n' });
    const b = await commitOnHost('acme/mono', { 'services/api/index.js': 'api 2\n' });
    const skipped = await deliver('mono', 'gitlab', { ref: 'refs/heads/main', before: a, after: b, commits: [{ id: b, modified: ['services/api/index.js'] }] });
    expect(skipped.body.result).toBe('ignored: no change under services/web/ (git:deploy forces a deploy)');
    expect(await deploymentsOf('mono')).toEqual([]);
    const forced = await git.deployHead('mono', 'ci');
    expect(forced).toMatchObject({ sha: b, trigger: 'api', actor: 'ci', state: 'queued' });
    const c = await commitOnHost('acme/mono', { 'services/web/index.js': 'web 2\n' });
    const sent = await deliver('mono', 'gitlab', { ref: 'refs/heads/main', before: b, after: c, commits: [{ id: c, modified: ['services/web/index.js'] }] });
    expect(sent.status).toBe(202);
    await git.idle();
    const [deployment] = await deploymentsOf('mono');
    expect(deployment).toMatchObject({ sha: c, actor: 'gitlab webhook' });
    expect(await extractTar(sourceTarPath(home, deployment!.id), path.join(home, 'x2'))).toEqual({ 'index.js': 'web 2\n' });
    await finish(deployment!, 'succeeded');
    await waitFor(() => statuses('acme/mono').length === 4);
    // GitLab's own states: running while DevFlow deploys, then success; the forced deploy, superseded, is canceled.
    expect(statuses('acme/mono')).toEqual(expect.arrayContaining([
      [b.slice(0, 7), 'running'], [b.slice(0, 7), 'canceled'], [c.slice(0, 7), 'running'], [c.slice(0, 7), 'success'],
    ]));
    expect(hostApi.rejected).toEqual([]);
  });
});

describe('a private repository (Gitea)', () => {
  it('without credentials, the delivery fails naming the credential to add', async () => {
    await git.connect('secret', { url: `${privateGit.url}/acme/secret.git`, provider: 'gitea', apiUrl: hostApi.urls.gitea });
    const a = await commitOnHost('acme/secret', { 'app.py': 'print(1)\n' });
    expect((await deliver('secret', 'gitea', { ref: 'refs/heads/main', before: ZERO, after: a })).status).toBe(202);
    await git.idle();
    const [delivery] = (await git.info('secret')).deliveries;
    expect(delivery).toMatchObject({ result: 'failed' });
    expect(delivery!.detail).toContain('the repository is private: add an access token (`devflow git:connect <app> <url> --token-from-env VAR`)');
    expect(await deploymentsOf('secret')).toEqual([]);
  });

  it('with the token it deploys; a host that cannot take the status leaves the deploy alone and says so in its log', async () => {
    await git.connect('secret', { url: `${privateGit.url}/acme/secret.git`, provider: 'gitea', apiUrl: hostApi.urls.gitea, token: TOKEN });
    hostApi.failFor.add('acme/secret');
    const b = await commitOnHost('acme/secret', { 'app.py': 'print(2)\n' });
    expect((await deliver('secret', 'gitea', { ref: 'refs/heads/main', before: ZERO, after: b })).status).toBe(202);
    await git.idle();
    const [deployment] = await deploymentsOf('secret');
    expect(deployment).toMatchObject({ sha: b, state: 'queued' });
    await finish(deployment!, 'succeeded');
    await waitFor(async () => (await git.info('secret')).deliveries[0]?.result === 'deployed');
    const log = (await readDeploymentLog(db.sql, deployment!.id)).map((l) => l.line);
    expect(log).toContain('-----> the pending status could not be sent to the host: POST /repos/acme/secret/statuses/' + b + ' answered 500: {"message":"the host is down"}');
    expect((await deploymentsOf('secret'))[0]!.state).toBe('succeeded');
  });
});

describe('pull requests on the same webhook (GitHub)', () => {
  it('deploy the preview and keep one comment per pull request, updated in place', async () => {
    const head = await commitOnHost('acme/shop', { 'feature.js': 'f1\n' }, 'feature');
    const pr = (sha: string, action: string) => ({
      action, number: 7, pull_request: { number: 7, head: { sha, ref: 'feature', repo: { clone_url: `${publicGit.url}/acme/shop.git` } } },
      repository: { full_name: 'acme/shop', clone_url: `${publicGit.url}/acme/shop.git` },
    });
    const send = async (payload: unknown) => {
      const body = Buffer.from(JSON.stringify(payload));
      const r = await fetch(`${hooksUrl}/hooks/shop/git`, { method: 'POST', body, headers: pushHeaders('github', body, secrets.shop!, `pr-${++deliveries}`, 'pull_request') });
      return { status: r.status, body: await r.json() as { result: string } };
    };
    expect(await send(pr(head, 'opened'))).toMatchObject({ status: 202, body: { result: 'deploying pr-7 at http://pr-7.shop.localhost:8080/' } });
    await git.idle();
    const next = await commitOnHost('acme/shop', { 'feature.js': 'f2\n' }, 'feature');
    expect((await send(pr(next, 'synchronize'))).status).toBe(202);
    await git.idle();
    const comments = hostApi.calls.filter((c) => c.kind.startsWith('comment'));
    const [stored] = await db.sql<{ comment_id: string }[]>`SELECT comment_id FROM git_pr_comments WHERE pr_number = 7`;
    expect(comments.map((c) => [c.kind, c.target])).toEqual([['comment.create', '7'], ['comment.update', stored!.comment_id]]);
    expect(String(comments[1]!.body.body)).toContain(`for ${next.slice(0, 7)}: http://pr-7.shop.localhost:8080/`);
    expect(hostApi.rejected).toEqual([]);
  });
});

describe('Gitea and GitLab: a passing status, and one pull-request comment updated in place', () => {
  // The hosts' APIs are the local stand-in (tests/support/host-api-stand-in.ts), not Gitea or GitLab.
  beforeAll(async () => {
    for (const [app, provider] of [['tea', 'gitea'], ['lab', 'gitlab']] as const) {
      await execa('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(home, 'remotes', 'acme', `${app}.git`)]);
      await createApp(db.sql, parseAppName(app));
      await receiver.ensureRepo(parseAppName(app)); // as `apps:create` makes it (deploys/apps.ts)
      secrets[app] = (await git.webhook(app, false)).secret;
      await git.connect(app, { url: `${publicGit.url}/acme/${app}.git`, provider, apiUrl: hostApi.urls[provider], token: TOKEN });
    }
  });
  const comments = (provider: HostProvider) => hostApi.calls.filter((c) => c.provider === provider && c.kind.startsWith('comment'));
  const sendHook = async (app: string, provider: HostProvider, event: string, payload: unknown) => {
    const body = Buffer.from(JSON.stringify(payload));
    const r = await fetch(`${hooksUrl}/hooks/${app}/git`, { method: 'POST', body, headers: pushHeaders(provider, body, secrets[app]!, `${app}-${++deliveries}`, event) });
    return { status: r.status, body: await r.json() as { result: string } };
  };

  it('Gitea: a deployed push gets pending, then success with the app URL', async () => {
    const a = await commitOnHost('acme/tea', { 'index.html': 'tea\n' });
    expect((await deliver('tea', 'gitea', { ref: 'refs/heads/main', before: ZERO, after: a, repository: 'acme/tea' })).status).toBe(202);
    await git.idle();
    const [deployment] = await deploymentsOf('tea');
    expect(deployment).toMatchObject({ sha: a, actor: 'gitea webhook', state: 'queued' });
    await finish(deployment!, 'succeeded');
    await waitFor(() => statuses('acme/tea').length === 2);
    expect(statuses('acme/tea')).toEqual([[a.slice(0, 7), 'pending'], [a.slice(0, 7), 'success']]);
    expect(hostApi.calls.filter((c) => c.kind === 'status' && c.repo === 'acme/tea').at(-1)!.body)
      .toMatchObject({ state: 'success', context: 'devflow/deploy', target_url: 'http://tea.localhost:8080/' });
    expect(hostApi.rejected).toEqual([]);
  });

  it('Gitea: a pull request gets one comment with its preview URL, edited on the next push', async () => {
    const pr = (sha: string, action: string) => ({
      action, number: 4, pull_request: { number: 4, head: { sha, ref: 'tea-feature', repo: { clone_url: `${publicGit.url}/acme/tea.git` } } },
      repository: { full_name: 'acme/tea', clone_url: `${publicGit.url}/acme/tea.git` },
    });
    const head = await commitOnHost('acme/tea', { 'feature.html': 'f1\n' }, 'tea-feature');
    expect(await sendHook('tea', 'gitea', 'pull_request', pr(head, 'opened'))).toMatchObject({ status: 202, body: { result: 'deploying pr-4 at http://pr-4.tea.localhost:8080/' } });
    await git.idle();
    const next = await commitOnHost('acme/tea', { 'feature.html': 'f2\n' }, 'tea-feature');
    expect((await sendHook('tea', 'gitea', 'pull_request', pr(next, 'synchronize'))).status).toBe(202);
    await git.idle();
    const [stored] = await db.sql<{ comment_id: string }[]>`SELECT c.comment_id FROM git_pr_comments c JOIN apps a ON a.id = c.app_id WHERE a.name = 'tea' AND c.pr_number = 4`;
    expect(comments('gitea').map((c) => [c.kind, c.repo, c.target])).toEqual([['comment.create', 'acme/tea', '4'], ['comment.update', 'acme/tea', stored!.comment_id]]);
    expect(String(comments('gitea')[1]!.body.body)).toContain(`for ${next.slice(0, 7)}: http://pr-4.tea.localhost:8080/`);
    expect(hostApi.rejected).toEqual([]);
  });

  it('GitLab: a merge request gets one note with its preview URL, edited on the next push', async () => {
    await commitOnHost('acme/lab', { 'README.md': 'lab\n' });
    const mr = (sha: string, action: string) => ({
      object_kind: 'merge_request', event_type: 'merge_request', user: { username: 'ada' },
      project: { id: 16, path_with_namespace: 'acme/lab', git_http_url: `${publicGit.url}/acme/lab.git` },
      object_attributes: {
        iid: 3, action, state: 'opened', source_branch: 'lab-feature', target_branch: 'main',
        last_commit: { id: sha }, source: { git_http_url: `${publicGit.url}/acme/lab.git` },
      },
    });
    const head = await commitOnHost('acme/lab', { 'feature.md': 'f1\n' }, 'lab-feature');
    expect(await sendHook('lab', 'gitlab', 'Merge Request Hook', mr(head, 'open'))).toMatchObject({ status: 202, body: { result: 'deploying pr-3 at http://pr-3.lab.localhost:8080/' } });
    await git.idle();
    const next = await commitOnHost('acme/lab', { 'feature.md': 'f2\n' }, 'lab-feature');
    expect((await sendHook('lab', 'gitlab', 'Merge Request Hook', mr(next, 'update'))).status).toBe(202);
    await git.idle();
    const [stored] = await db.sql<{ comment_id: string }[]>`SELECT c.comment_id FROM git_pr_comments c JOIN apps a ON a.id = c.app_id WHERE a.name = 'lab' AND c.pr_number = 3`;
    expect(comments('gitlab').map((c) => [c.kind, c.target])).toEqual([['comment.create', '3'], ['comment.update', stored!.comment_id]]);
    expect(String(comments('gitlab')[1]!.body.body)).toContain(`for ${next.slice(0, 7)}: http://pr-3.lab.localhost:8080/`);
    expect(hostApi.rejected).toEqual([]);
  });
});

describe('tag deploys (GitHub)', () => {
  it('a tag matching the pattern deploys the commit it tags; the branch and other tags do not, with --tags-only', async () => {
    const info = await git.connect('tagged', {
      url: `${publicGit.url}/acme/tagged.git`, provider: 'github', apiUrl: hostApi.urls.github, token: TOKEN, tags: 'v*', tagsOnly: true,
    });
    expect(info).toMatchObject({ tags: 'v*', branchDeploys: false });
    await expect(git.connect('tagged', { url: `${publicGit.url}/acme/tagged.git`, tagsOnly: true })).rejects.toThrow('needs the tags that deploy');
    await expect(git.connect('tagged', { url: `${publicGit.url}/acme/tagged.git`, tags: 'v 1' })).rejects.toThrow('is not a tag pattern');
    const commit = await commitOnHost('acme/tagged', { 'server.js': 'release\n' });
    // An annotated tag, as `git tag -a` makes: GitHub's push names the tag object, not the commit.
    const work = path.join(home, 'work', 'acme/tagged');
    await execa('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', 'tag', '-a', '-m', 'first release', 'v1.0.0'], { cwd: work });
    await execa('git', ['push', '--quiet', 'origin', 'v1.0.0'], { cwd: work });
    const tagObject = (await execa('git', ['rev-parse', 'v1.0.0'], { cwd: work })).stdout.trim();
    expect(tagObject).not.toBe(commit);

    const branch = await deliver('tagged', 'github', { ref: 'refs/heads/main', before: ZERO, after: commit });
    expect(branch.body.result).toBe('ignored: only tags matching v* deploy, not pushes to main');
    const nightly = await deliver('tagged', 'github', { ref: 'refs/tags/nightly', before: ZERO, after: commit });
    expect(nightly.body.result).toBe('ignored: tag nightly does not match v*');
    const tag = await deliver('tagged', 'github', { ref: 'refs/tags/v1.0.0', before: ZERO, after: tagObject });
    expect(tag).toMatchObject({ status: 202, body: { result: `deploying ${tagObject.slice(0, 7)} of tag v1.0.0` } });
    await git.idle();
    const deployments = await deploymentsOf('tagged');
    expect(deployments).toHaveLength(1);
    expect(deployments[0]).toMatchObject({ sha: commit, ref: 'refs/tags/v1.0.0', trigger: 'push', state: 'queued' });
    expect(await extractTar(sourceTarPath(home, deployments[0]!.id), path.join(home, 'x3'))).toEqual({ 'server.js': 'release\n' });
    await finish(deployments[0]!, 'succeeded');
    await waitFor(() => statuses('acme/tagged').length === 2);
    expect(statuses('acme/tagged')).toEqual([[commit.slice(0, 7), 'pending'], [commit.slice(0, 7), 'success']]);
    expect(hostApi.rejected).toEqual([]);
  });
});

describe('commit statuses of previews (GitHub)', () => {
  it('a pull request preview reports devflow/preview: pending, then success linking the preview', async () => {
    const previewStatuses = () => hostApi.calls.filter((c) => c.kind === 'status' && c.body.context === 'devflow/preview');
    const head = await commitOnHost('acme/shop', { 'pr9.js': 'nine\n' }, 'pr-nine');
    const body = Buffer.from(JSON.stringify({
      action: 'opened', number: 9, pull_request: { number: 9, head: { sha: head, ref: 'pr-nine', repo: { clone_url: `${publicGit.url}/acme/shop.git` } } },
      repository: { full_name: 'acme/shop', clone_url: `${publicGit.url}/acme/shop.git` },
    }));
    const sent = await fetch(`${hooksUrl}/hooks/shop/git`, { method: 'POST', body, headers: pushHeaders('github', body, secrets.shop!, `pr-${++deliveries}`, 'pull_request') });
    expect(sent.status).toBe(202);
    await git.idle();
    await waitFor(() => previewStatuses().some((c) => c.target === head));
    const [deployment] = await deploymentsOf(previewAppName(parseAppName('shop'), 'pr-9'));
    expect(deployment).toMatchObject({ sha: head, state: 'queued' });
    await finish(deployment!, 'succeeded');
    await waitFor(() => previewStatuses().filter((c) => c.target === head).length === 2);
    expect(previewStatuses().filter((c) => c.target === head).map((c) => c.body)).toEqual([
      expect.objectContaining({ state: 'pending', context: 'devflow/preview' }),
      expect.objectContaining({ state: 'success', context: 'devflow/preview', target_url: 'http://pr-9.shop.localhost:8080/' }),
    ]);
    expect(hostApi.rejected).toEqual([]);
  });

  it('a branch preview (a branch pushed to DevFlow) reports the same way, and a failure links its log', async () => {
    const head = await commitOnHost('acme/shop', { 'branch.js': 'b\n' }, 'try-this');
    // The branch's objects into the app's repository, as `git push devflow try-this` would bring them.
    await receiver.fetchFromHost(parseAppName('shop'), {
      url: `${publicGit.url}/acme/shop.git`, branch: 'try-this', sha: head, localRef: 'refs/heads/try-this', allowHosts: ['127.0.0.1'],
    });
    const pushed = previews.deployBranch(await getApp(db.sql, parseAppName('shop')), {
      app: parseAppName('shop'), ref: 'refs/heads/try-this', oldSha: ZERO, newSha: head, deploy: false, actor: 'ada',
      exportTree: (dest) => receiver.exportTree(parseAppName('shop'), head, dest),
    }, { line: () => {} }).catch((err: unknown) => err);
    const previewApp = previewAppName(parseAppName('shop'), 'try-this');
    await waitFor(async () => (await deploymentsOf(previewApp)).length === 1);
    const [deployment] = await deploymentsOf(previewApp);
    await finish(deployment!, 'failed');
    expect(await pushed).toMatchObject({ ok: false });
    const mine = () => hostApi.calls.filter((c) => c.kind === 'status' && c.target === head);
    await waitFor(() => mine().length === 2);
    expect(mine().map((c) => c.body)).toEqual([
      expect.objectContaining({ state: 'pending', context: 'devflow/preview' }),
      expect.objectContaining({ state: 'failure', context: 'devflow/preview', target_url: `http://devflow.test/#/apps/${previewApp}/deployments` }),
    ]);
  });
});

describe('`git push devflow main` beside a Git host connection (GitHub)', () => {
  // DevFlow's own git endpoint: the receiver over real HTTP, pushed to by the real git client.
  let devflowGit: http.Server;
  let remote: string;
  beforeAll(async () => {
    await execa('git', ['init', '--quiet', '--bare', '--initial-branch=main', path.join(home, 'remotes', 'acme', 'both.git')]);
    await createApp(db.sql, parseAppName('both'));
    await receiver.ensureRepo(parseAppName('both')); // as `apps:create` makes it (deploys/apps.ts)
    secrets.both = (await git.webhook('both', false)).secret;
    await git.connect('both', { url: `${publicGit.url}/acme/both.git`, provider: 'github', apiUrl: hostApi.urls.github, token: TOKEN });
    devflowGit = http.createServer((req, res) => {
      if (!receiver.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => devflowGit.listen(0, '127.0.0.1', resolve));
    remote = `http://devflow:${PUSH_TOKEN}@127.0.0.1:${(devflowGit.address() as AddressInfo).port}/both.git`;
  });
  afterAll(async () => {
    devflowGit.closeAllConnections();
    await new Promise((r) => devflowGit.close(r));
  });

  it('a plain push deploys the pushed commit and leaves the connection as it was; the webhook deploys afterwards', async () => {
    const connected = await git.info('both');
    // The developer's clone of the host's repository, with DevFlow as a second remote.
    const pushed = await commitOnHost('acme/both', { 'server.js': 'pushed to devflow\n' });
    const work = path.join(home, 'work', 'acme/both');
    // The deployment is published `queued` once its source tar is written (enqueueDeployment);
    // its row exists earlier, while the tar is still being exported, so the row is no signal.
    const queued: number[] = [];
    const unsubscribe = bus.subscribe((e) => {
      if (e.type === 'deployment.state' && e.app === 'both' && e.state === 'queued') queued.push(e.deploymentId);
    });
    const push = runGit(home, ['push', remote, 'main'], work);
    await waitFor(() => queued.length === 1, 60_000).finally(unsubscribe);
    const [deployment] = await deploymentsOf('both');
    expect(deployment?.id).toBe(queued[0]);
    expect(deployment).toMatchObject({ sha: pushed, ref: 'refs/heads/main', trigger: 'push', actor: 'ada', state: 'queued' });
    expect(await extractTar(sourceTarPath(home, deployment!.id), path.join(home, 'x5'))).toEqual({ 'server.js': 'pushed to devflow\n' });
    // The pipeline's first line, as the worker would write it; the push streams it back live.
    const line = `-----> Building both from main at ${pushed.slice(0, 7)}`;
    await appendDeploymentLog(db.sql, deployment!.id, 0, line);
    await bus.publish({ type: 'deployment.log', deploymentId: deployment!.id, app: 'both', seq: 0, line });
    await finish(deployment!, 'succeeded');
    const result = await push;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`remote: ${line}`);
    expect(result.stderr).toContain('remote: deployed v1');
    expect(result.stderr).toMatch(/ [0-9a-f]+\.\.[0-9a-f]+ +main -> main|\* \[new branch\] +main -> main/);
    expect((await deploymentsOf('both')).map((d) => [d.sha, d.state])).toEqual([[pushed, 'succeeded']]);
    // The connection is untouched by a push to DevFlow: same repository, branch, token, secret, deliveries.
    expect(await git.info('both')).toEqual(connected);
    expect(await git.webhook('both', false)).toMatchObject({ secret: secrets.both });

    // The host's webhook still deploys the next commit, fetched over the one DevFlow received.
    const next = await commitOnHost('acme/both', { 'server.js': 'pushed to the host\n' });
    const sent = await deliver('both', 'github', { ref: 'refs/heads/main', before: pushed, after: next, repository: 'acme/both' });
    expect(sent).toMatchObject({ status: 202, body: { result: `deploying ${next.slice(0, 7)} of main` } });
    await git.idle();
    const [latest] = await deploymentsOf('both');
    expect(latest).toMatchObject({ sha: next, actor: 'github webhook', state: 'queued' });
    expect(await extractTar(sourceTarPath(home, latest!.id), path.join(home, 'x6'))).toEqual({ 'server.js': 'pushed to the host\n' });
    await finish(latest!, 'succeeded');
    await waitFor(async () => (await git.info('both')).deliveries[0]?.result === 'deployed');
    expect((await deploymentsOf('both')).map((d) => [d.sha, d.state])).toEqual([[next, 'succeeded'], [pushed, 'succeeded']]);
  });
});

describe('a private repository over ssh (a real sshd)', () => {
  let sshd: Sshd;
  let url: string;
  let fingerprint: string;
  beforeAll(async () => {
    sshd = await startSshd();
    url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${path.join(home, 'remotes', 'acme', 'viassh.git')}`;
    const hostPub = path.join(home, 'host.pub');
    await fs.writeFile(hostPub, `${sshd.hostPublicKey}\n`);
    fingerprint = (await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', hostPub])).stdout.split(' ')[1]!;
  });
  afterAll(() => sshd.close());

  const lastDelivery = async (app: string) => (await git.info(app)).deliveries[0]!;

  it('fetches with the deploy key DevFlow made, checking the host against the pinned key', async () => {
    const info = await git.connect('viassh', { url, deployKey: true, knownHosts: `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n` });
    expect(info.hostKeys).toEqual([`ssh-ed25519 ${fingerprint}`]);
    const a = await commitOnHost('acme/viassh', { 'main.go': 'package main\n' });
    // The key is not on the host yet: the delivery fails saying what to add.
    await deliver('viassh', 'gitea', { ref: 'refs/heads/main', before: ZERO, after: a });
    await git.idle();
    expect((await lastDelivery('viassh')).detail).toContain('the deploy key was refused: add the public key from `devflow git:info`');
    await sshd.authorize(info.deployKey!);
    const b = await commitOnHost('acme/viassh', { 'main.go': 'package main // 2\n' });
    expect((await deliver('viassh', 'gitea', { ref: 'refs/heads/main', before: a, after: b })).status).toBe(202);
    await git.idle();
    expect(await lastDelivery('viassh')).toMatchObject({ result: 'deploying' });
    const [deployment] = await deploymentsOf('viassh');
    expect(deployment).toMatchObject({ sha: b, trigger: 'push', state: 'queued' });
    expect(await extractTar(sourceTarPath(home, deployment!.id), path.join(home, 'x4'))).toEqual({ 'main.go': 'package main // 2\n' });
  });

  it('refuses a host whose key is not the pinned one', async () => {
    const other = generateDeployKey('not-the-host').publicKey;
    await git.connect('viassh', { url, deployKey: true, knownHosts: other });
    const c = await commitOnHost('acme/viassh', { 'main.go': 'package main // 3\n' });
    await deliver('viassh', 'gitea', { ref: 'refs/heads/main', before: ZERO, after: c });
    await git.idle();
    expect(await lastDelivery('viassh')).toMatchObject({ result: 'failed' });
    expect((await lastDelivery('viassh')).detail).toContain("the ssh host's key is not the one pinned for this connection");
    expect((await deploymentsOf('viassh')).map((d) => d.sha)).not.toContain(c);
  });

  it('without given keys, pins the key seen on the first fetch', async () => {
    const info = await git.connect('firstuse', { url, deployKey: true });
    expect(info.hostKeys).toEqual([]);
    await sshd.authorize(info.deployKey!);
    const head = (await execa('git', ['--git-dir', path.join(home, 'remotes', 'acme', 'viassh.git'), 'rev-parse', 'main'])).stdout.trim();
    const deployment = await git.deployHead('firstuse', 'ci');
    expect(deployment).toMatchObject({ sha: head, state: 'queued' });
    expect((await git.info('firstuse')).hostKeys).toEqual([`ssh-ed25519 ${fingerprint}`]);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}
