/**
 * Deploys from a git host (issue 22): time from a push webhook's delivery to its build starting
 * and to its release being served, beside a `git push devflow main` of the same commit to a twin
 * app, in the same run, rounds interleaved (each path runs alone: the push starts once the
 * webhook's release is live). The "host" is git's own smart HTTP server (`git http-backend`) on loopback,
 * allowed through DEVFLOW_GIT_ALLOW_HOSTS. "Build started" is the deployment reaching `building`
 * (the queue's worker took it), read by polling the API every 10 ms.
 *
 *   node --import tsx bench/githost.ts [--rounds 5]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { pushHeaders, pushPayload } from '../deploys/githost/samples.js';
import { startGitHttpServer } from '../tests/support/git-http-server.js';
import { machine, median, now, numberFlag, ROOT, sleep, startDevflow, stopAndClean, writeResult, type BenchDevflow } from './lib/devflow.js';

const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
interface DeploymentView { id: number; sha: string; state: string }

async function api<T>(devflow: BenchDevflow, method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${devflow.port}/api/v1${url}`, {
    method, headers: { authorization: `Bearer ${devflow.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<T>;
}

/** Milliseconds from `start` until the app's deployment of `sha` leaves `queued`. */
async function buildStarted(devflow: BenchDevflow, app: string, sha: string, start: number): Promise<number> {
  for (;;) {
    const deployments = await api<DeploymentView[]>(devflow, 'GET', `/apps/${app}/deployments?limit=5`);
    const mine = deployments.find((d) => d.sha === sha);
    if (mine && mine.state !== 'queued') return now() - start;
    await sleep(10);
  }
}

/** The deployment's end and when it was seen (polled every 20 ms): `succeeded` means the release is served. */
async function waitEnded(devflow: BenchDevflow, app: string, sha: string): Promise<{ state: string; at: number }> {
  for (;;) {
    const mine = (await api<DeploymentView[]>(devflow, 'GET', `/apps/${app}/deployments?limit=5`)).find((d) => d.sha === sha);
    if (mine && ['succeeded', 'failed', 'superseded'].includes(mine.state)) return { state: mine.state, at: now() };
    await sleep(20);
  }
}

const rounds = numberFlag('--rounds', 5);
const devflow = await startDevflow('process', { DEVFLOW_GIT_ALLOW_HOSTS: '127.0.0.1' });
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-githost-'));
const remotes = path.join(dir, 'remotes');
const host = await startGitHttpServer(remotes);
const webhookMs: number[] = [];
const pushMs: number[] = [];
const webhookLiveMs: number[] = [];
const pushLiveMs: number[] = [];
try {
  await execa('git', ['init', '-q', '--bare', '-b', 'main', path.join(remotes, 'acme', 'hello.git')]);
  const work = path.join(dir, 'work');
  await fs.cp(path.join(ROOT, 'examples/node-hello'), work, { recursive: true });
  const git = (args: string[]) => execa('git', args, { cwd: work, env: GIT_ENV });
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'v1']);
  for (const app of ['hooked', 'pushed']) await api(devflow, 'POST', '/apps', { name: app });
  await api(devflow, 'PUT', '/apps/hooked/git', { url: `${host.url}/acme/hello.git`, provider: 'github' });
  const { secret } = await api<{ secret: string }>(devflow, 'GET', '/apps/hooked/git/webhook');
  let before = '0'.repeat(40);
  for (let round = 0; round <= rounds; round++) {
    if (round > 0) {
      await fs.appendFile(path.join(work, 'server.js'), `\n// round ${round}\n`);
      await git(['commit', '-qam', `round ${round}`]);
    }
    const sha = (await git(['rev-parse', 'HEAD'])).stdout.trim();
    await git(['push', '-q', path.join(remotes, 'acme', 'hello.git'), 'HEAD:main']);
    // The webhook as GitHub sends it, for the commit now on the host.
    const body = Buffer.from(JSON.stringify(pushPayload('github', { ref: 'refs/heads/main', before, after: sha, commits: [{ id: sha, modified: ['server.js'] }] })));
    const hookStart = now();
    const delivered = await fetch(`http://127.0.0.1:${devflow.port}/hooks/hooked/git`, { method: 'POST', body, headers: pushHeaders('github', body, secret, `bench-${round}`) });
    if (delivered.status !== 202) throw new Error(`webhook: ${delivered.status} ${await delivered.text()}`);
    const hook = await buildStarted(devflow, 'hooked', sha, hookStart);
    const hookEnd = await waitEnded(devflow, 'hooked', sha);
    if (hookEnd.state !== 'succeeded') throw new Error(`the webhook's deployment ${hookEnd.state}`);
    const hookLive = hookEnd.at - hookStart;
    // The same commit, pushed to DevFlow (the push returns when the release is live).
    const pushStart = now();
    const pushing = git(['push', '-q', `http://devflow:${devflow.token}@127.0.0.1:${devflow.port}/pushed.git`, 'HEAD:refs/heads/main']);
    const pushed = await buildStarted(devflow, 'pushed', sha, pushStart);
    await pushing;
    const pushLive = now() - pushStart;
    // Round 0 warms both apps (first build, caches); it is not counted.
    if (round > 0) {
      webhookMs.push(hook);
      pushMs.push(pushed);
      webhookLiveMs.push(hookLive);
      pushLiveMs.push(pushLive);
    }
    console.log(`round ${round}: webhook → building ${hook.toFixed(0)} ms, → served ${hookLive.toFixed(0)} ms; git push → building ${pushed.toFixed(0)} ms, → served ${pushLive.toFixed(0)} ms`);
    before = sha;
  }
} finally {
  await host.close();
  await stopAndClean(devflow);
  await fs.rm(dir, { recursive: true, force: true });
}
const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
const row = (name: string, ms: number[]) => `| ${name} | ${median(ms).toFixed(0)} | ${Math.min(...ms).toFixed(0)} | ${Math.max(...ms).toFixed(0)} | ${ms.map((m) => m.toFixed(0)).join(', ')} |`;
await writeResult('githost', [
  `### Git host webhook → build started, beside git push (${machine()}; load average at the end ${load})`, '',
  `${rounds} rounds, interleaved, same commit each round, process runtime, examples/node-hello; the host is \`git http-backend\` on loopback.`, '',
  '| path | median ms | min | max | each |', '| --- | --- | --- | --- | --- |',
  row('push webhook delivered → deployment building (fetch from the host included)', webhookMs),
  row('`git push devflow main` started → deployment building', pushMs),
  row('push webhook delivered → release served (deployment succeeded)', webhookLiveMs),
  row('`git push devflow main` started → release served (the push returned)', pushLiveMs), '',
].join('\n'));
