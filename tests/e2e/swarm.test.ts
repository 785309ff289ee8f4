/**
 * The core of the push suite (tests/e2e/push.test.ts) on the swarm runtime: a one-node swarm
 * (scripts/install-test-deps.sh runs `docker swarm init` when none is active), services per
 * app, process type and release, tasks reached through host-mode ports; `devflow run` as a plain
 * container on this node (no service). Every service this DevFlow made is removed afterwards.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { execa } from 'execa';
import ws from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../core/store/database.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const DOCKER = '/usr/bin/docker';

async function servicesOf(home: string, app?: string): Promise<string[]> {
  const filters = ['--filter', `label=devflow.home=${home}`, ...(app ? ['--filter', `label=devflow.app=${app}`] : [])];
  const r = await execa(DOCKER, ['service', 'ls', '-q', ...filters], { reject: false });
  return r.stdout.split('\n').filter(Boolean);
}

/** What `work` gives, or `otherwise` after `ms`. */
async function within<T, U>(ms: number, work: Promise<T>, otherwise: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<U>((resolve) => (timer = setTimeout(() => resolve(otherwise), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each app's deployments with their logs, and Swarm's task history of this DevFlow's services. */
async function swarmReport(devflow: DevflowProcess): Promise<string[]> {
  const lines: string[] = [];
  for (const app of ['hello', 'shop']) {
    const list = await devflow.cli(['deployments', app, '--json'], { reject: false });
    if (list.exitCode !== 0) {
      lines.push(`--- devflow deployments ${app}: exit ${list.exitCode} ${list.stderr}`);
      continue;
    }
    for (const d of JSON.parse(list.stdout) as { id: number; state: string }[]) {
      const log = await devflow.cli(['deployments:log', String(d.id)], { reject: false });
      lines.push(`--- ${app} deployment ${d.id} (${d.state}):`, log.stdout || log.stderr);
    }
  }
  const services = await servicesOf(devflow.home);
  const ps = services.length === 0 ? { stdout: '(none)' }
    : await execa(DOCKER, ['service', 'ps', '--no-trunc', '--format', '{{.Name}} {{.Image}} {{.DesiredState}} {{.CurrentState}} {{.Error}}', ...services], { reject: false });
  lines.push('--- docker service ps:', ps.stdout);
  return lines;
}

describe('git push on the swarm runtime', () => {
  let devflow: DevflowProcess;
  let hello: Workdir;
  const host = 'hello.localhost';

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime: 'swarm' });
  });
  // A failure here has come from a push that never went live on a loaded CI machine, and the home
  // with DevFlow's log is removed afterwards: what DevFlow and Swarm said is printed with it.
  let printedOutput = 0;
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || devflow === undefined) return;
    const output = devflow.output();
    // restart() starts the output afresh.
    const report = [`--- DevFlow's output since the last report (${task.name}):`, output.slice(output.length < printedOutput ? 0 : printedOutput)];
    printedOutput = output.length;
    // A DevFlow whose API accepts but does not answer must not hold the file up.
    report.push(...(await within(30_000, swarmReport(devflow), ['--- (no report within 30 s: the CLI got no answer)'])));
    console.error(report.join('\n'));
  });
  afterAll(async () => {
    // A DevFlow that does not stop on SIGTERM (it waits for a deployment that never ends) is
    // killed, so that its services below are still removed and the file still ends.
    if (devflow && (await within(60_000, devflow.stop(), 'still running')) === 'still running') {
      console.error(`DevFlow did not stop within 60 s of SIGTERM; killed. Its last output:\n${devflow.output().slice(-4000)}`);
      await devflow.stop('SIGKILL');
    }
    if (devflow) {
      const services = await servicesOf(devflow.home);
      if (services.length > 0) await execa(DOCKER, ['service', 'rm', ...services], { reject: false });
    }
    await cleanupRuntime(devflow?.home);
  });

  async function push(repo: Workdir) {
    return pushTo(repo, devflow, 'hello');
  }

  it('pushes node-hello: the app answers at its URL from a swarm service', async () => {
    await devflow.cli(['apps:create', 'hello']);
    hello = await repoFromExample(path.join(EXAMPLES, 'node-hello'));
    const result = await push(hello);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`remote: -----> v1 is live at http://hello.localhost:${devflow.httpPort}/`);
    const res = await getViaRouter(devflow.httpPort, host);
    expect(res.status).toBe(200);
    expect(res.body).toContain('Hello from node-hello');
    expect(await servicesOf(devflow.home, 'hello')).toHaveLength(1);
  });

  it('a pushed change is served as the push returns; the old release service is then retired (deployment log)', async () => {
    const server = path.join(hello.dir, 'server.js');
    await fs.writeFile(server, (await fs.readFile(server, 'utf8')).replace('Hello from node-hello', 'Hello again from node-hello'));
    await hello.commit('change the greeting');
    const result = await push(hello);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('v2 is live');
    expect((await getViaRouter(devflow.httpPort, host)).body).toContain('Hello again from node-hello');
    // The old release is retired after the push returned (issue 15); its steps land in the deployment's log.
    const [latest] = JSON.parse((await devflow.cli(['deployments', 'hello', '--json'])).stdout) as { id: number }[];
    let log = '';
    for (let tries = 0; tries < 300 && !log.includes('Timing: retire'); tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 200));
      log = (await devflow.cli(['deployments:log', String(latest!.id)])).stdout;
    }
    expect(log).toMatch(/v2 is live[\s\S]*-----> Draining and stopping 1 old instance\(s\)[\s\S]*-----> Timing: retire \d+\.\d\d s; done/);
    const services = await servicesOf(devflow.home, 'hello');
    expect(services).toHaveLength(1);
    const labels = await execa(DOCKER, ['service', 'inspect', '-f', '{{index .Spec.Labels "devflow.release"}}', services[0]!]);
    expect(labels.stdout.trim()).toBe('2');
  });

  it('collects the task output into the app log, with process and instance names', async () => {
    let text = '';
    for (let i = 0; i < 60 && !/web\.1\[[^\]]+\]: node-hello listening on \d+/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 500));
      text = (await devflow.cli(['logs', 'hello', '-n', '50'])).stdout;
    }
    expect(text).toMatch(/web\.1\[hello-web-v2-1-[0-9a-f]+\]: node-hello listening on \d+/);
  });

  it('devflow run on swarm: a plain container on this (manager) node with the size limits, output and exit code passed back, then removed', async () => {
    const cli = devflow.cli(['run', 'hello', '--', 'echo "run on $DEVFLOW_RELEASE"; sleep 3; exit 4'], { reject: false });
    const filters = ['--filter', `label=devflow.home=${devflow.home}`, '--filter', 'label=devflow.app=hello', '--filter', 'label=devflow.managed=one-off'];
    let container = '';
    for (let tries = 0; tries < 300 && container === ''; tries += 1) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 100));
      container = (await execa(DOCKER, ['ps', '-q', ...filters])).stdout.trim();
    }
    expect(container).not.toBe('');
    // Not a swarm task: no service label (docker prints <no value>); the default size's limits (standard: 512 MB, 0.5 CPU).
    const inspected = await execa(DOCKER, ['inspect', '-f', '{{index .Config.Labels "com.docker.swarm.service.id"}}|{{.HostConfig.Memory}}|{{.HostConfig.NanoCpus}}', container]);
    expect(inspected.stdout.trim()).toBe(`<no value>|${512 * 1024 * 1024}|500000000`);
    const run = await cli;
    expect(run.exitCode).toBe(4);
    expect(run.stdout.split('\n')).toContain('run on v2');
    expect(await servicesOf(devflow.home, 'hello')).toHaveLength(1);
    expect((await execa(DOCKER, ['ps', '-aq', ...filters])).stdout.trim()).toBe('');
  });

  it("an app with a backend reads and writes through SUPABASE_URL from its swarm task (issue 16)", async () => {
    await devflow.cli(['apps:create', 'shop']);
    const shop = JSON.parse((await devflow.cli(['backend:enable', 'shop', '--json'])).stdout) as { url: string; serviceRoleKey: string };
    const database = await fetch(`${devflow.api}/api/v1/apps/shop/config/database`, { headers: { authorization: `Bearer ${devflow.token}` } });
    const settings = (await database.json()) as { url: string; host: string };
    // The URL is the one tasks use (the bridge's address); from this test, the loopback one.
    const owner = connect(settings.url.replace(`@${settings.host}:`, '@127.0.0.1:'), 1);
    await owner.unsafe('CREATE TABLE todos (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL)');
    await owner.end();
    const pushed = await pushTo(await repoFromExample(path.join(EXAMPLES, 'supabase-todos')), devflow, 'shop');
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(await servicesOf(devflow.home, 'shop')).toHaveLength(1);
    const env = JSON.parse((await getViaRouter(devflow.httpPort, 'shop.localhost', '/env')).body) as { SUPABASE_URL: string };
    // A task reaches DevFlow at the bridge's gateway address, not at the 127.0.0.1 the CLI prints.
    expect(env).toMatchObject({ anonKeySet: true, serviceRoleKeySet: true, dbUrlSet: true });
    expect(env.SUPABASE_URL).toMatch(new RegExp(`^http://\\d+\\.\\d+\\.\\d+\\.\\d+:${devflow.port}/backend/shop$`));
    const added = await getViaRouter(devflow.httpPort, 'shop.localhost', '/add?title=from%20a%20swarm%20task');
    expect(added.body).toBe(JSON.stringify([{ title: 'from a swarm task' }]));
    const rows = await createClient(shop.url, shop.serviceRoleKey, { auth: { persistSession: false }, realtime: { transport: ws as never } }).from('todos').select('title');
    expect(rows.data).toEqual([{ title: 'from a swarm task' }]);
    await devflow.cli(['apps:destroy', 'shop', '--confirm', 'shop']);
    expect(await servicesOf(devflow.home, 'shop')).toHaveLength(0);
  });

  it('a failing build rejects the push, and the previous release still serves', async () => {
    await hello.write('package.json', JSON.stringify({ name: 'broken', version: '1.0.0', scripts: { build: 'echo compiling && exit 3' } }));
    await hello.commit('break the build');
    const result = await push(hello);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('remote:  !     build failed');
    expect(result.stderr).toContain('pre-receive hook declined');
    expect((await getViaRouter(devflow.httpPort, host)).body).toContain('Hello again from node-hello');
  });

  it('after devflow restarts, the app serves again from the same service', async () => {
    const before = await servicesOf(devflow.home, 'hello');
    await devflow.restart();
    expect((await getViaRouter(devflow.httpPort, host)).body).toContain('Hello again from node-hello');
    expect(await servicesOf(devflow.home, 'hello')).toEqual(before);
  });

  it('apps:destroy removes the app and its services', async () => {
    await devflow.cli(['apps:destroy', 'hello', '--confirm', 'hello']);
    expect((await getViaRouter(devflow.httpPort, host)).status).toBe(404);
    expect(await servicesOf(devflow.home, 'hello')).toHaveLength(0);
  });
});
