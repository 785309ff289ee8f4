/**
 * Issue 2 end to end: `git push` from an empty repository to a live URL, on the docker, process
 * and swarm runtimes, with a real git client, a real Docker engine or host processes, and real
 * PostgreSQL. The second push's deployment is also read back with `devflow deployments:trace`
 * (issue 18): its phases, the router's first request on the new release among them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { cleanupRuntime } from '../support/cleanup.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');

describe.each(['docker', 'process', 'swarm'] as const)('git push on the %s runtime', (runtime) => {
  let devflow: DevflowProcess;
  let hello: Workdir;
  /** The deployment of v2 (the second push). */
  let deployed: number;
  const host = (app: string) => `${app}.localhost`;
  const auth = () => ({ headers: { authorization: `Bearer ${devflow.token}` } });

  /** A deployment's phases in order (GET /deployments/{id}); polled until `awaited` is among them, when given. */
  async function phasesOf(id: number, awaited?: string): Promise<string[]> {
    for (let tries = 0; ; tries++) {
      const detail = (await (await fetch(`${devflow.api}/api/v1/deployments/${id}`, auth())).json()) as { phases: { phase: string }[] };
      const phases = detail.phases.map((p) => p.phase);
      if (awaited === undefined || phases.includes(awaited) || tries >= 100) return phases;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    // DEVFLOW_MAX_RESTARTS=2: an app that crashes at start is given up on after 3 runs, not 6.
    devflow = await startDevflowProcess({ runtime, env: { DEVFLOW_MAX_RESTARTS: '2' } });
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
  });

  async function push(repo: Workdir, app: string, ref = 'main') {
    return pushTo(repo, devflow, app, `HEAD:refs/heads/${ref}`);
  }

  it('apps:create prints the git remote and the URL; bad names get a clear error', async () => {
    const created = await devflow.cli(['apps:create', 'hello']);
    expect(created.stdout).toContain(`http://hello.localhost:${devflow.httpPort}/`);
    expect(created.stdout).toContain(`${devflow.api}/hello.git`);
    const bad = await devflow.cli(['apps:create', 'Bad_Name'], { reject: false });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('app name "Bad_Name" is invalid');
    const list = await devflow.cli(['apps', '--json']);
    expect(JSON.parse(list.stdout).map((a: { name: string }) => a.name)).toEqual(['hello']);
  });

  it('an unknown host gets a clear 404 from the router', async () => {
    const res = await getViaRouter(devflow.httpPort, host('nope'));
    expect(res.status).toBe(404);
    expect(res.body).toContain('nope.localhost');
  });

  it('pushes node-hello: remote: lines live, exit 0, the app answers at its URL', async () => {
    hello = await repoFromExample(path.join(EXAMPLES, 'node-hello'));
    const result = await push(hello, 'hello');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/remote: -----> Building hello from main at [0-9a-f]{7}/);
    expect(result.stderr).toContain(`remote: -----> v1 is live at http://hello.localhost:${devflow.httpPort}/`);
    const res = await getViaRouter(devflow.httpPort, host('hello'));
    expect(res.status).toBe(200);
    expect(res.body).toContain('Hello from node-hello');
    const releases = await devflow.cli(['releases', 'hello']);
    expect(releases.stdout).toMatch(/^v1 \(current\)/);
  });

  it('a pushed change is served as the push returns; the old instance then drains and stops (deployment log, with phase timings)', async () => {
    const server = path.join(hello.dir, 'server.js');
    await fs.writeFile(server, (await fs.readFile(server, 'utf8')).replace('Hello from node-hello', 'Hello again from node-hello'));
    await hello.commit('change the greeting');
    const result = await push(hello, 'hello');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('v2 is live');
    expect(result.stderr).toMatch(/remote: -----> Timing: receive \d+\.\d\d s, queue \d+\.\d\d s, export .*, build .*, start .*, health .*, switch .*; live \d+\.\d\d s after the push was received/);
    expect((await getViaRouter(devflow.httpPort, host('hello'))).body).toContain('Hello again from node-hello');
    // The old instance is retired after the push returned; its steps land in the deployment's log.
    const [latest] = JSON.parse((await devflow.cli(['deployments', 'hello', '--json'])).stdout) as { id: number }[];
    // Polled over the API (a CLI run per poll costs a node start); the CLI's view is asserted once.
    for (let tries = 0; tries < 300; tries++) {
      if ((await (await fetch(`${devflow.api}/api/v1/deployments/${latest!.id}/log`, auth())).text()).includes('Timing: retire')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const log = (await devflow.cli(['deployments:log', String(latest!.id)])).stdout;
    expect(log).toMatch(/v2 is live[\s\S]*-----> Draining and stopping 1 old instance\(s\)[\s\S]*-----> Stopped \S+[\s\S]*-----> Timing: retire \d+\.\d\d s; done/);
    expect(await runningInstances(runtime, devflow.home, 'hello')).toBe(1);
    const phases = await phasesOf(latest!.id, 'first-request');
    // The request above was the first on v2: the router adds it as the last phase, whether it
    // came before the old instance's retirement began or after.
    expect(phases.slice(0, 7)).toEqual(['receive', 'queue', 'export', 'build', 'start', 'health', 'switch']);
    expect(phases.slice(7).sort()).toEqual(['first-request', 'retire']);
    deployed = latest!.id;
  });

  it('deployments:trace shows the deployment as a waterfall of its phases, in order, within its span (and as JSON)', async () => {
    const json = await devflow.cli(['deployments:trace', String(deployed), '--json']);
    const spans = JSON.parse(json.stdout) as Array<{ spanId: string; parentSpanId: string | null; name: string; service: string; startUs: number; durationMs: number }>;
    const [root, ...children] = spans;
    expect(root).toMatchObject({ parentSpanId: null, name: `deploy hello #${deployed} → v2`, service: 'succeeded' });
    expect(children.map((c) => c.parentSpanId)).toEqual(children.map(() => root!.spanId));
    expect(children.map((c) => c.name)).toEqual(await phasesOf(deployed));
    expect(children.find((c) => c.name === 'first-request')?.service).toBe('router');
    const rootEnd = root!.startUs + root!.durationMs * 1000;
    for (const c of children) {
      expect(c.startUs, c.name).toBeGreaterThanOrEqual(root!.startUs);
      expect(c.startUs + c.durationMs * 1000, c.name).toBeLessThanOrEqual(rootEnd + 1);
    }
    // The phases up to the switch follow one another: together they fit in the trace (each
    // phase's milliseconds are rounded when stored: at most half a millisecond more each).
    const sequential = children.filter((c) => c.name !== 'retire' && c.name !== 'first-request');
    expect(sequential.reduce((sum, c) => sum + c.durationMs, 0)).toBeLessThanOrEqual(root!.durationMs + sequential.length * 0.5);
    // The printed waterfall: the root, then one line per phase in the same order, with its duration.
    const printed = (await devflow.cli(['deployments:trace', String(deployed)])).stdout.split('\n');
    const line = /^(\s*)(\S+(?: \S+)*) \((\S+)\)\s*\|[ █]+\|\s+(\d+(?:\.\d+)?) (ms|s)$/;
    const rows = printed.map((l) => line.exec(l)).map((m, i) => {
      expect(m, printed[i]).not.toBeNull();
      return { depth: m![1]!.length / 2, name: m![2]!, service: m![3]!, ms: Number(m![4]) * (m![5] === 's' ? 1000 : 1) };
    });
    expect(rows[0]).toMatchObject({ depth: 0, name: root!.name, service: 'succeeded' });
    const byName = new Map(spans.map((sp) => [sp.name, sp]));
    expect(rows.slice(1).map((r) => [r.depth, r.name, r.service]).sort()).toEqual(children.map((c) => [1, c.name, c.service]).sort());
    const starts = rows.slice(1).map((r) => byName.get(r.name)!.startUs);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // Each printed duration is the span's, as formatDuration rounds it (1.23 s, 12 ms, 1.2 ms).
    for (const r of rows) expect(Math.abs(r.ms - byName.get(r.name)!.durationMs), r.name).toBeLessThanOrEqual(r.ms >= 1000 ? 5 : r.ms >= 10 ? 0.5 : 0.05);
  });

  it('a failing build rejects the push with the failing step, and the previous release still serves', async () => {
    await hello.write('package.json', JSON.stringify({ name: 'broken', version: '1.0.0', scripts: { build: 'echo compiling && exit 3' } }));
    await hello.commit('break the build');
    const result = await push(hello, 'hello');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('remote:  !     build failed');
    expect(result.stderr).toContain('compiling');
    expect(result.stderr).toContain('pre-receive hook declined');
    expect((await getViaRouter(devflow.httpPort, host('hello'))).body).toContain('Hello again from node-hello');
  });

  it('an app that crashes at start fails the release, and the previous release still serves', async () => {
    await hello.git(['reset', '-q', '--hard', 'HEAD~1']);
    await hello.write('server.js', 'this is not javascript (\n');
    await hello.commit('syntax error');
    const result = await push(hello, 'hello');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('release failed');
    expect(result.stderr).toContain('SyntaxError');
    expect((await getViaRouter(devflow.httpPort, host('hello'))).body).toContain('Hello again from node-hello');
    await hello.git(['reset', '-q', '--hard', 'HEAD~1']);
  });

  it('git requests without the token, or with a wrong one, get 401 and write nothing', async () => {
    const base = `http://127.0.0.1:${devflow.port}/hello.git`;
    const wrong = { authorization: `Basic ${Buffer.from('devflow:wrong').toString('base64')}` };
    for (const headers of [{}, wrong]) {
      for (const service of ['git-upload-pack', 'git-receive-pack']) {
        expect((await fetch(`${base}/info/refs?service=${service}`, { headers })).status).toBe(401);
        const post = await fetch(`${base}/${service}`, { method: 'POST', headers: { ...headers, 'content-type': `application/x-${service}-request` }, body: '0000' });
        expect(post.status).toBe(401);
      }
    }
    await hello.write('extra.txt', 'should never arrive');
    await hello.commit('unauthorised change');
    const result = await hello.git(['push', `http://devflow:wrong@127.0.0.1:${devflow.port}/hello.git`, 'HEAD:refs/heads/main'], { reject: false });
    expect(result.exitCode).not.toBe(0);
    const refs = await execa('git', ['--git-dir', path.join(devflow.home, 'repos', 'hello.git'), 'rev-parse', 'refs/heads/main']);
    expect(refs.stdout.trim()).not.toBe((await hello.git(['rev-parse', 'HEAD'])).stdout.trim());
    await hello.git(['reset', '-q', '--hard', 'HEAD~1']);
  });

  it.each(['node-deps', 'static-site'])('deploys the %s example', async (example) => {
    const repo = await repoFromExample(path.join(EXAMPLES, example));
    await devflow.cli(['apps:create', example]);
    const result = await push(repo, example);
    expect(result.exitCode, result.stderr).toBe(0);
    const expected = (await fs.readFile(path.join(EXAMPLES, example, 'EXPECTED_BODY'), 'utf8')).trim();
    expect((await getViaRouter(devflow.httpPort, host(example))).body).toContain(expected);
  });

  it('the dockerfile example deploys on docker, and is refused with a clear reason on the process runtime', async () => {
    const repo = await repoFromExample(path.join(EXAMPLES, 'dockerfile-app'));
    await devflow.cli(['apps:create', 'dockerfile-app']);
    const result = await push(repo, 'dockerfile-app');
    if (runtime !== 'process') {
      expect(result.exitCode, result.stderr).toBe(0);
      const expected = (await fs.readFile(path.join(EXAMPLES, 'dockerfile-app', 'EXPECTED_BODY'), 'utf8')).trim();
      expect((await getViaRouter(devflow.httpPort, host('dockerfile-app'))).body).toContain(expected);
    } else {
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('Dockerfile');
      expect(result.stderr).toContain('docker runtime');
    }
  });

  it('after devflow restarts, apps serve again without a new push', async () => {
    await devflow.restart();
    const res = await getViaRouter(devflow.httpPort, host('hello'));
    expect(res.status).toBe(200);
    expect(res.body).toContain('Hello again from node-hello');
    expect(await runningInstances(runtime, devflow.home, 'hello')).toBe(1);
  });

  it('apps:destroy removes the app, its instances and its route', async () => {
    const refused = await devflow.cli(['apps:destroy', 'hello'], { reject: false });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('--confirm hello');
    await devflow.cli(['apps:destroy', 'hello', '--confirm', 'hello']);
    expect((await getViaRouter(devflow.httpPort, host('hello'))).status).toBe(404);
    expect(await runningInstances(runtime, devflow.home, 'hello')).toBe(0);
  });
});

async function runningInstances(runtime: 'docker' | 'process' | 'swarm', home: string, app: string): Promise<number> {
  if (runtime !== 'process') {
    // Instances only: on docker a web instance has a network holder beside it (devflow.managed=netns);
    // swarm's task containers carry no devflow.managed label.
    const instancesOnly = runtime === 'docker' ? ['--filter', 'label=devflow.managed=true'] : [];
    const r = await execa('/usr/bin/docker', ['ps', '-q', '--filter', `label=devflow.app=${app}`, '--filter', `label=devflow.home=${home}`, ...instancesOnly]);
    return r.stdout.split('\n').filter(Boolean).length;
  }
  const dir = path.join(home, 'run', 'instances');
  const files = await fs.readdir(dir).catch(() => [] as string[]);
  let alive = 0;
  for (const file of files) {
    const state = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as { app: string; pid: number };
    if (state.app !== app) continue;
    try {
      process.kill(state.pid, 0);
      alive++;
    } catch {
      // gone
    }
  }
  return alive;
}
