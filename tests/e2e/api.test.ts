/**
 * Issue 7 end to end, on the process runtime: scoped tokens (CLI and API), refusal of
 * unauthenticated and wrongly scoped requests on every route of the OpenAPI document, auth
 * failure rate limits on the API and git, deployments without a push (and the PRD's /projects
 * alias), pagination, the event stream, runtime logs kept across a restart, and the CLI's login,
 * logs, open and app-from-git-remote. Every JSON response is checked against the OpenAPI document.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckedApi, raw, readStream } from '../support/api-client.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { CLI_ENTRY } from '../support/compiled-cli.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { remoteUrl, repoFromExample, type Workdir } from '../support/git.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');

let devflow: DevflowProcess;
let api: CheckedApi;
let repo: Workdir;
const tokens: Record<'read' | 'deploy', string> = { read: '', deploy: '' };

/** Runs the CLI with a chosen environment and working directory (login, git remote). */
async function cli(args: string[], options: { env?: Record<string, string>; cwd?: string; token?: string | null } = {}) {
  const token = options.token === undefined ? devflow.token : options.token;
  const r = await execa(process.execPath, [CLI_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', DEVFLOW_API: devflow.api, DEVFLOW_HOME: '/nonexistent', ...(token ? { DEVFLOW_TOKEN: token } : {}), ...options.env },
    extendEnv: false, reject: false, cwd: options.cwd ?? ROOT,
  });
  return { exitCode: r.exitCode ?? 0, stdout: r.stdout, stderr: r.stderr };
}

async function waitForDeployment(id: number): Promise<{ state: string; releaseVersion: number | null }> {
  for (;;) {
    const d = await api.call<{ state: string; releaseVersion: number | null }>('GET', `/deployments/${id}`);
    if (['succeeded', 'failed', 'superseded'].includes(d.body.state)) return d.body;
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  devflow = await startDevflowProcess({ runtime: 'process', env: { DEVFLOW_AUTH_FAILURES_PER_MIN: '5' } });
  api = new CheckedApi(devflow.api, devflow.token);
  repo = await repoFromExample(path.join(EXAMPLES, 'node-hello'));
  // Log each request, so that runtime logs have something to follow.
  await repo.write('server.js', (await fs.readFile(path.join(repo.dir, 'server.js'), 'utf8'))
    .replace("res.writeHead(200", "console.log(`request ${req.method} ${req.url}`);\n  res.writeHead(200"));
  await repo.commit('log requests');
});
afterAll(async () => {
  await devflow?.stop();
  await cleanupRuntime(devflow?.home);
});

describe('the REST API, CLI and tokens', () => {
  it('serves an OpenAPI 3.1 document without a token', async () => {
    const res = await raw('GET', `${devflow.api}/api/v1/openapi.json`, {});
    expect(res.status).toBe(200);
    expect((res.json as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('tokens:create prints a scoped token once; tokens lists it; the API honours its scope', async () => {
    for (const scope of ['read', 'deploy'] as const) {
      const created = await cli(['tokens:create', '--name', `ci-${scope}`, '--scope', scope, '--expires', '30d']);
      expect(created.exitCode, created.stderr).toBe(0);
      expect(created.stdout).toContain('It is shown only now');
      tokens[scope] = created.stdout.trim().split('\n').at(-1)!;
      expect(tokens[scope]).toMatch(/^dfl_/);
    }
    const list = JSON.parse((await cli(['tokens', '--json'])).stdout) as { name: string; scope: string; expiresAt: string }[];
    expect(list.find((t) => t.name === 'ci-read')).toMatchObject({ scope: 'read' });
    expect(Date.parse(list.find((t) => t.name === 'ci-read')!.expiresAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect((await api.call('GET', '/apps', { token: tokens.read })).status).toBe(200);
    const refused = await api.call<{ error: { code: string; message: string } }>('POST', '/apps', { token: tokens.read, body: { name: 'nope' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'forbidden', message: expect.stringContaining('"admin" scope') });
    const asRead = await cli(['tokens'], { token: tokens.read });
    expect(asRead.exitCode).not.toBe(0);
    expect(asRead.stderr).toContain('"admin" scope');
  });

  it('refuses every documented route without a token (401) and with too small a scope (403)', async () => {
    const doc = (await raw('GET', `${devflow.api}/api/v1/openapi.json`, {})).json as {
      paths: Record<string, Record<string, { 'x-devflow-scope': string }>>;
    };
    const concrete = (p: string) => p.replace('{app}', 'hello').replace('{id}', '1').replace('{type}', 'web').replace('{domain}', 'www.example.com');
    let checked = 0;
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const scope = op['x-devflow-scope'];
        if (scope === 'public') continue;
        const url = `${devflow.api}/api/v1${concrete(template)}`;
        const anonymous = await raw(method.toUpperCase(), url, { body: ['get', 'delete'].includes(method) ? undefined : {} });
        expect(anonymous.status, `${method} ${template} without a token`).toBe(401);
        expect((anonymous.json as { error: { code: string } }).error.code).toBe('unauthorized');
        const weaker = scope === 'admin' ? tokens.deploy : scope === 'deploy' ? tokens.read : undefined;
        if (weaker) {
          const res = await raw(method.toUpperCase(), url, { token: weaker, body: ['get', 'delete'].includes(method) ? undefined : {} });
          expect(res.status, `${method} ${template} with a smaller scope`).toBe(403);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('git needs a deploy token: a read token cannot push, a deploy token can', async () => {
    const created = await api.call('POST', '/apps', { body: { name: 'hello' } });
    expect(created.status).toBe(201);
    const denied = await repo.git(['push', remoteUrl(devflow.port, tokens.read, 'hello'), 'HEAD:refs/heads/main'], { reject: false });
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/401|Authentication failed/);
    const pushed = await repo.git(['push', remoteUrl(devflow.port, tokens.deploy, 'hello'), 'HEAD:refs/heads/main'], { reject: false });
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain('v1 is live');
    // The push is recorded under the token that made it, in the deployment and its release.
    const deployments = await api.call<Array<{ actor: string | null; trigger: string }>>('GET', '/apps/hello/deployments');
    expect(deployments.body[0]).toMatchObject({ actor: 'ci-deploy', trigger: 'push' });
    const releases = await cli(['releases', 'hello']);
    expect(releases.stdout).toMatch(/v1 \(current\)\s+Deploy [0-9a-f]{7}\s+ci-deploy/);
  });

  it('keeps runtime logs with process and instance names; logs --tail follows new lines', async () => {
    expect((await getViaRouter(devflow.httpPort, 'hello.localhost', '/first')).status).toBe(200);
    let text = '';
    for (let i = 0; i < 60 && !text.includes('request GET /first'); i++) {
      await new Promise((r) => setTimeout(r, 500));
      text = (await cli(['logs', 'hello', '-n', '50'])).stdout;
    }
    expect(text).toMatch(/web\.1\[hello-web-v1-1-[0-9a-f]+\]: node-hello listening on \d+/);
    expect(text).toContain('request GET /first');
    const json = await api.call<{ process: string; instance: string; line: string }[]>('GET', '/apps/hello/logs?format=json&lines=5');
    expect(json.status).toBe(200);
    expect(json.body.at(-1)).toMatchObject({ process: 'web.1', line: 'request GET /first' });

    const tail = execa(process.execPath, [CLI_ENTRY, 'logs', '--app', 'hello', '--tail', '-n', '0'], {
      env: { PATH: process.env.PATH ?? '', DEVFLOW_API: devflow.api, DEVFLOW_TOKEN: tokens.read }, extendEnv: false, reject: false,
    });
    let seen = '';
    tail.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
    for (let i = 0; i < 120 && !seen.includes('request GET /live'); i++) {
      await getViaRouter(devflow.httpPort, 'hello.localhost', '/live');
      await new Promise((r) => setTimeout(r, 1000));
    }
    tail.kill('SIGTERM');
    await tail;
    expect(seen).toMatch(/web\.1\[hello-web-v1-1-[0-9a-f]+\]: request GET \/live/);
    expect(seen).not.toContain('request GET /first');
  });

  it('deploys a pushed ref through the API (and the /projects alias), with its state on the event stream', async () => {
    const headers = { authorization: `Bearer ${tokens.read}` };
    let deploymentId = 0;
    const events = readStream(`${devflow.api}/api/v1/events?app=hello`, headers,
      (t) => deploymentId > 0 && t.includes(`"deploymentId":${deploymentId},"app":"hello","state":"succeeded"`),
      () => void api.call<{ id: number; state: string; trigger: string }>('POST', '/projects/hello/deployments', { token: tokens.deploy, body: { ref: 'main' } })
        .then((res) => {
          expect(res.status).toBe(202);
          expect(res.body).toMatchObject({ state: 'queued', trigger: 'api' });
          deploymentId = res.body.id;
        }));
    const stream = await events;
    expect(stream.contentType).toContain('text/event-stream');
    expect(stream.text).toContain('event: deployment.state');
    expect(stream.text).toContain('event: deployment.log');
    expect((await waitForDeployment(deploymentId)).releaseVersion).toBe(2);
    const viaAlias = await api.call<{ id: number }[]>('GET', '/projects/hello/deployments');
    expect(viaAlias.body[0]!.id).toBe(deploymentId);

    expect((await api.call('POST', '/apps/hello/deployments', { token: tokens.deploy, body: { ref: 'no-such-branch' } })).status).toBe(404);
    const noDockerfile = await api.call<{ error: { message: string } }>('POST', '/apps/hello/deployments', { token: tokens.deploy, body: { builder: 'dockerfile' } });
    expect(noDockerfile.status).toBe(400);
    expect(noDockerfile.body.error.message).toContain('needs a Dockerfile');
  });

  it('gives EventSource a short-lived ticket instead of the token', async () => {
    const { body } = await api.call<{ ticket: string }>('POST', '/events/ticket', { token: tokens.read });
    const ok = await readStream(`${devflow.api}/api/v1/events?ticket=${body.ticket}`, {}, (t) => t.includes('devflow events'));
    expect(ok.status).toBe(200);
    const bad = await raw('GET', `${devflow.api}/api/v1/events?ticket=dft_forged`, {});
    expect(bad.status).toBe(401);
    // A ticket is only for reading.
    expect((await raw('POST', `${devflow.api}/api/v1/apps?ticket=${body.ticket}`, { body: { name: 'x' } })).status).toBe(401);
  });

  it('pages lists with limit and cursor, announcing the next page in a Link header', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) expect((await api.call('POST', '/apps', { body: { name } })).status).toBe(201);
    const first = await api.call<{ name: string }[]>('GET', '/apps?limit=2');
    expect(first.body.map((a) => a.name)).toEqual(['hello', 'page-a']);
    expect(first.headers.link).toBe('</api/v1/apps?limit=2&cursor=page-a>; rel="next"');
    const second = await api.call<{ name: string }[]>('GET', `/apps?limit=2&cursor=${first.headers['x-next-cursor']}`);
    expect(second.body.map((a) => a.name)).toEqual(['page-b', 'page-c']);
    expect(second.headers.link).toBeUndefined();
    expect((await api.call('GET', '/apps?limit=0')).status).toBe(400);
    const deployments = await api.call<{ id: number }[]>('GET', '/apps/hello/deployments?limit=1');
    expect(deployments.body).toHaveLength(1);
    expect(deployments.headers.link).toContain('cursor=');
  });

  it('login stores the API and token in a 0600 file; later commands need no environment; open and the git remote pick the app', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-cli-home-'));
    const env = { HOME: home };
    const bad = await cli(['login', '--api', devflow.api, '--token', 'dfl_wrong'], { env, token: null });
    expect(bad.exitCode).not.toBe(0);
    const login = await cli(['login', '--api', devflow.api, '--token', tokens.deploy], { env, token: null });
    expect(login.exitCode, login.stderr).toBe(0);
    const file = path.join(home, '.config/devflow/credentials.json');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const withoutEnv = await execa(process.execPath, [CLI_ENTRY, 'open', '--no-browser'], {
      env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false, reject: false, cwd: repo.dir,
    });
    // No devflow remote yet: a clear error.
    expect(withoutEnv.exitCode).not.toBe(0);
    expect(withoutEnv.stderr).toContain('pass --app');
    await repo.git(['remote', 'add', 'devflow', `${devflow.api}/hello.git`]);
    const open = await execa(process.execPath, [CLI_ENTRY, 'open', '--no-browser'], {
      env: { PATH: process.env.PATH ?? '', HOME: home }, extendEnv: false, reject: false, cwd: repo.dir,
    });
    expect(open.exitCode, open.stderr).toBe(0);
    expect(open.stdout.trim()).toBe(`http://hello.localhost:${devflow.httpPort}/`);
    await fs.rm(home, { recursive: true, force: true });
  });

  it('runtime logs survive a restart of DevFlow', async () => {
    await devflow.restart();
    const text = (await cli(['logs', 'hello', '-n', '1000'])).stdout;
    expect(text).toContain('request GET /first');
    expect(text).toContain('request GET /live');
  });

  it('rate-limits auth failures per client IP, on the API and on git, with Retry-After', async () => {
    const ip = '127.0.0.7';
    for (let i = 0; i < 5; i++) {
      expect((await api.call('GET', '/apps', { token: 'dfl_guess', localAddress: ip })).status).toBe(401);
    }
    const blocked = await api.call<{ error: { code: string } }>('GET', '/apps', { localAddress: ip });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body.error.code).toBe('rate_limited');
    // The right token from the same IP is blocked too (no guessing oracle); another IP is not.
    expect((await api.call('GET', '/apps', { localAddress: ip })).status).toBe(429);
    expect((await api.call('GET', '/apps', { localAddress: '127.0.0.8' })).status).toBe(200);

    const gitIp = '127.0.0.9';
    const git = `${devflow.api.replace('127.0.0.1', '127.0.0.1')}/hello.git/info/refs?service=git-receive-pack`;
    const basic = { authorization: `Basic ${Buffer.from('devflow:wrong').toString('base64')}` };
    for (let i = 0; i < 5; i++) expect((await raw('GET', git, { localAddress: gitIp, headers: basic })).status).toBe(401);
    expect((await raw('GET', git, { localAddress: gitIp, headers: basic })).status).toBe(429);
  });

  it('every JSON response matched the OpenAPI document', () => {
    expect(api.checked).toBeGreaterThan(10);
    expect(api.problems).toEqual([]);
  });
});
