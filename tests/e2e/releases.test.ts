/**
 * Issue 4, release management end to end on the three runtimes, with a real git push, the CLI and
 * the REST API: config vars make releases the app sees, the release phase runs with the new
 * config (and a failing one changes nothing), rollback without rebuilding, formation and sizes,
 * crash loops reported as `crashed`, app.json health checks, and release retention.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TraefikDynamicConfig } from '../../router/traefik.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { cleanupRuntime } from '../support/cleanup.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/release-app');
const APP = 'rel';
const HOST = `${APP}.localhost`;

interface InstanceView { id: string | null; type: string; slot: number; release: number; state: string; lastLines?: string[] }
interface ProcessesView { release: number; formation: Array<{ type: string; replicas: number; size: string }>; instances: InstanceView[] }

describe.each(['docker', 'process', 'swarm'] as const)('release management on the %s runtime', (runtime) => {
  let devflow: DevflowProcess;
  let repo: Workdir;

  beforeAll(async () => {
    // DEVFLOW_MAX_RESTARTS=2: the crash-loop test waits for 3 runs of the crashing app, not 6.
    devflow = await startDevflowProcess({ runtime, env: { DEVFLOW_KEEP_RELEASES: '1', DEVFLOW_MAX_RESTARTS: '2' } });
    repo = await repoFromExample(EXAMPLE);
  });
  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
    // The images this run built (retention already removed the older one).
    const shas = repo ? (await repo.git(['rev-list', 'HEAD'])).stdout.split('\n').filter(Boolean) : [];
    for (const sha of shas) await execa('/usr/bin/docker', ['rmi', '-f', `devflow/${APP}:${sha.slice(0, 12)}`], { reject: false });
  });

  async function api(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${devflow.api}/api/v1${route}`, {
      method, headers: { authorization: `Bearer ${devflow.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }
  /** A deployment's log over the API: cheap to poll (the CLI's view of it is asserted once). */
  const logOf = async (id: number) => (await fetch(`${devflow.api}/api/v1/deployments/${id}/log`, { headers: { authorization: `Bearer ${devflow.token}` } })).text();
  const body = async () => (await getViaRouter(devflow.httpPort, HOST)).body.trim();
  const ps = async () => JSON.parse((await devflow.cli(['ps', APP, '--json'])).stdout) as ProcessesView;
  const push = () => pushTo(repo, devflow, APP);

  async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(500);
    }
  }

  it('config set before the first deploy is only stored', async () => {
    await devflow.cli(['apps:create', APP]);
    const set = await devflow.cli(['config:set', APP, 'GREETING=hi']);
    expect(set.stdout).toContain('Set GREETING: stored; they take effect at the first deploy');
    expect((await api('GET', `/apps/${APP}/config`)).json).toEqual({ vars: { GREETING: 'hi' } });
  });

  it('the first push runs the release phase with the config and uses the app.json health check', async () => {
    const result = await push();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('remote: -----> Using 1 health check(s) from app.json (/health)');
    expect(result.stderr).toContain('remote: -----> Running release command: ');
    expect(result.stderr).toContain('remote:        release phase: GREETING=hi for v1');
    expect(await body()).toBe('GREETING=hi release=v1');
    // The production router (Traefik) probes the app's instances with the same check.
    const traefik = parse(await fs.readFile(path.join(devflow.home, 'traefik', 'devflow.yml'), 'utf8')) as TraefikDynamicConfig;
    expect(traefik.http.services[`app-${APP}`]?.loadBalancer.healthCheck).toEqual({ path: '/health', interval: '10s', timeout: '5s' });
    expect(traefik.http.services[`app-${APP}`]?.loadBalancer.servers).toHaveLength(1);
  });

  it('config:set makes a new release the app sees; releases show who, what and when', async () => {
    const set = await devflow.cli(['config:set', APP, 'GREETING=bonjour', 'EXTRA=a=b']);
    expect(set.stdout).toBe('Set GREETING, EXTRA and restarting... done, v2');
    expect(await body()).toBe('GREETING=bonjour release=v2');
    const config = await devflow.cli(['config', APP]);
    expect(config.stdout).toContain('GREETING: bonjour');
    expect(config.stdout).toContain('EXTRA:    a=b');
    const unset = await api('PATCH', `/apps/${APP}/config`, { EXTRA: null });
    expect(unset).toEqual({ status: 200, json: { release: 3, vars: { GREETING: 'bonjour' } } });
    const releases = (await devflow.cli(['releases', APP])).stdout.split('\n');
    expect(releases[0]).toMatch(/^v3 \(current\)\s+Unset EXTRA\s+admin\s+\d{4}-/);
    expect(releases[1]).toMatch(/^v2\s+Set GREETING, EXTRA\s+admin/);
    expect(releases[2]).toMatch(/^v1\s+Deploy [0-9a-f]{7}\s+admin/);
  });

  it('bad config input gets a 400 with a clear message', async () => {
    const cases: Array<[unknown, string]> = [
      [{ '1BAD': 'x' }, 'config var name "1BAD" is invalid'],
      [{ GREETING: 5 }, 'config var GREETING must be a string (or null to unset it)'],
      [{ BIG: 'x'.repeat(33 * 1024) }, 'config var BIG is too long: values are at most 32 KiB'],
      [{ PORT: '1' }, 'config var PORT is set by DevFlow itself'],
    ];
    for (const [input, message] of cases) {
      const res = await api('PATCH', `/apps/${APP}/config`, input);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toContain(message);
    }
    const cli = await devflow.cli(['config:set', APP, 'NOEQUALS'], { reject: false });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toContain('"NOEQUALS" is not KEY=value');
  });

  it('a failing release phase fails the change, shows why, and changes nothing', async () => {
    const result = await devflow.cli(['config:set', APP, 'RELEASE_FAIL=1'], { reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('release command exited with code 1');
    expect(result.stderr).toContain('release phase failed on purpose');
    expect(await body()).toBe('GREETING=bonjour release=v3');
    expect((await api('GET', `/apps/${APP}/config`)).json.vars).toEqual({ GREETING: 'bonjour' });
    const releases = (await api('GET', `/apps/${APP}/releases`)).json as Array<{ version: number; state: string; current: boolean }>;
    expect(releases.find((r) => r.version === 4)).toMatchObject({ state: 'failed', current: false });
  });

  it('rollback redeploys an earlier release (build and config) without rebuilding', async () => {
    const result = await devflow.cli(['rollback', APP, 'v1']);
    expect(result.stdout).toBe(`Rolled back ${APP} to v1: it runs as v5`);
    expect(await body()).toBe('GREETING=hi release=v5');
    expect((await api('GET', `/apps/${APP}/config`)).json.vars).toEqual({ GREETING: 'hi' });
    const back = await api('POST', `/apps/${APP}/rollback`, {});
    expect(back).toEqual({ status: 201, json: { release: 6, rolledBackTo: 3 } });
    expect(await body()).toBe('GREETING=bonjour release=v6');
    expect((await devflow.cli(['releases', APP])).stdout).toMatch(/^v6 \(current\)\s+Rollback to v3\s+admin/);
  });

  it('rollback to an unknown or failed release is refused clearly', async () => {
    const unknown = await devflow.cli(['rollback', APP, 'v99'], { reject: false });
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('release v99 does not exist');
    expect((await api('POST', `/apps/${APP}/rollback`, { version: 99 })).status).toBe(404);
    expect((await api('POST', `/apps/${APP}/rollback`, { version: 'latest' })).status).toBe(400);
    const failed = await api('POST', `/apps/${APP}/rollback`, { version: 4 });
    expect(failed.status).toBe(409);
    expect(failed.json.error.message).toContain('v4 never went live');
  });

  it('ps:scale changes the formation without a release; ps lists instances with type, state and release', async () => {
    const scaled = await devflow.cli(['ps:scale', APP, 'web=2', 'worker=1:eco']);
    expect(scaled.stdout).toBe(`Scaled ${APP}: web=2:standard, worker=1:eco`);
    const view = await ps();
    expect(view.release).toBe(6);
    expect(view.formation).toEqual([
      { type: 'web', replicas: 2, size: 'standard', memoryMb: 512, cpus: 0.5 },
      { type: 'worker', replicas: 1, size: 'eco', memoryMb: 256, cpus: 0.25 },
    ]);
    expect(view.instances.map((i) => [i.type, i.slot, i.state, i.release])).toEqual([
      ['web', 1, 'up', 6], ['web', 2, 'up', 6], ['worker', 1, 'up', 6],
    ]);
    for (let i = 0; i < 6; i++) expect(await body()).toBe('GREETING=bonjour release=v6');
    const human = (await devflow.cli(['ps', APP])).stdout;
    expect(human).toContain('=== web (standard: 512 MB, 0.5 CPU): 2');
    expect(human).toMatch(/worker\.1\s+up\s+v6/);
    if (runtime === 'docker') {
      const worker = view.instances.find((i) => i.type === 'worker')!;
      const limits = await execa('/usr/bin/docker', ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}', worker.id!]);
      expect(limits.stdout.trim()).toBe(`${256 * 1024 * 1024} ${0.25 * 1e9}`);
    }
    const down = await api('PATCH', `/apps/${APP}/processes/web`, { replicas: 1 });
    expect(down).toEqual({ status: 200, json: { type: 'web', replicas: 1, size: 'standard', memoryMb: 512, cpus: 0.5 } });
    expect((await ps()).instances.filter((i) => i.type === 'web').map((i) => i.slot)).toEqual([1]);
    expect(await body()).toBe('GREETING=bonjour release=v6');
    expect((await api('GET', `/apps/${APP}/releases`)).json[0].version).toBe(6);
  });

  it('bad scale input gets a 4xx and a clear message', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      ['web', { replicas: -1 }, 400, 'replicas cannot be negative'],
      ['web', { replicas: 101 }, 400, 'replicas 101 is too many: at most 100'],
      ['web', { replicas: 1.5 }, 400, 'replicas must be a whole number'],
      ['web', { size: 'huge' }, 400, 'size "huge" is unknown: use one of eco, standard, performance'],
      ['clock', { replicas: 1 }, 404, 'process type "clock" is not in v6 (it has: web, worker)'],
      ['release', { replicas: 1 }, 404, 'process type "release" is not in v6'],
      ['Bad_Type', { replicas: 1 }, 400, 'process type "Bad_Type" is invalid'],
    ];
    for (const [type, input, status, message] of cases) {
      const res = await api('PATCH', `/apps/${APP}/processes/${type}`, input);
      expect([res.status, res.json.error?.message]).toEqual([status, expect.stringContaining(message)]);
    }
    const cli = await devflow.cli(['ps:scale', APP, 'web=-2'], { reject: false });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toContain('replicas cannot be negative');
  });

  it('a crash-looping web process is reported as crashed with its last lines, and the router shows the crashed page', async () => {
    await devflow.cli(['ps:scale', APP, 'worker=0']);
    await devflow.cli(['config:set', APP, 'CRASH_AFTER_MS=2000']);
    // Waited for over the API (a CLI run per poll costs a node start on a loaded machine); then
    // the CLI's own views show it. It keeps being restarted (with a growing backoff), so those
    // are polled too, though they see it at once.
    const webOf = (view: ProcessesView) => view.instances.find((i) => i.type === 'web' && i.slot === 1);
    await eventually('web.1 to be crashed', async () => (webOf((await api('GET', `/apps/${APP}/processes`)).json as ProcessesView)?.state === 'crashed') || undefined);
    const crashed = await eventually('ps --json to show web.1 crashed', async () => {
      const web = webOf(await ps());
      return web?.state === 'crashed' ? web : undefined;
    });
    expect(crashed.lastLines?.join('\n')).toContain('crashing on purpose');
    await eventually('ps to print crashed', async () => /web\.1\s+crashed\s+v7/.test((await devflow.cli(['ps', APP])).stdout) || undefined);
    const page = await eventually('the crashed page', async () => {
      const res = await getViaRouter(devflow.httpPort, HOST);
      return res.status === 503 ? res : undefined;
    });
    expect(page.body).toContain(`${APP} has crashed`);
    await devflow.cli(['config:unset', APP, 'CRASH_AFTER_MS']);
    expect(await body()).toBe('GREETING=bonjour release=v8');
    expect((await ps()).instances.map((i) => [i.type, i.state])).toEqual([['web', 'up']]);
  });

  it('old builds beyond DEVFLOW_KEEP_RELEASES are removed, and rolling back to them says so', async () => {
    const firstSha = (await repo.git(['rev-parse', 'HEAD'])).stdout.trim();
    await repo.write('server.js', (await fs.readFile(path.join(repo.dir, 'server.js'), 'utf8')).replace('GREETING=', 'Greeting='));
    await repo.commit('new build');
    const result = await push();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await body()).toBe('Greeting=bonjour release=v9');
    // Old builds are removed once the previous instances stopped, after the push returned: the
    // deployment's log says so.
    const [latest] = JSON.parse((await devflow.cli(['deployments', APP, '--json'])).stdout) as { id: number }[];
    await eventually('the retire step in the log', async () => (await logOf(latest!.id)).includes('Timing: retire') || undefined, 60_000);
    const log = (await devflow.cli(['deployments:log', String(latest!.id)])).stdout;
    expect(log).toMatch(/-----> Removed the builds of v1, .*v8 \(keeping the last 1 releases\)/);
    const refused = await api('POST', `/apps/${APP}/rollback`, { version: 6 });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain('v6 can no longer be rolled back to: its build was removed');
    expect(refused.json.error.message).toContain('DEVFLOW_KEEP_RELEASES');
    const byDefault = await devflow.cli(['rollback', APP], { reject: false });
    expect(byDefault.stderr).toContain(`${APP} has no earlier release to roll back to`);
    expect((await devflow.cli(['releases', APP])).stdout.split('\n')[1]).toContain('(build removed)');
    if (runtime !== 'process') {
      const inspect = await execa('/usr/bin/docker', ['image', 'inspect', `devflow/${APP}:${firstSha.slice(0, 12)}`], { reject: false });
      expect(inspect.exitCode).not.toBe(0);
    } else {
      expect(await fs.readdir(path.join(devflow.home, 'slugs', APP))).toEqual(['d2']);
    }
  });
});
