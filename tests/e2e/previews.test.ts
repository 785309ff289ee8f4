/**
 * Issue 6 end to end (process runtime, real git, real PostgreSQL): branch pushes deploy
 * previews with their own copy of the database, deleting the branch removes them, signed
 * pull-request webhooks deploy pr-<n> previews, and forged ones do nothing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../core/store/database.js';
import { hmacHex } from '../../scheduler/previews/webhook.js';
import { serverUrl } from '../support/postgres.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-db');

describe('preview environments', () => {
  let devflow: DevflowProcess;
  let repo: Workdir;
  let gitServer: GitHttpServer;
  let remoteRoot: string;
  const get = (host: string, urlPath = '/') => getViaRouter(devflow.httpPort, host, urlPath);
  const push = (refspec: string) => pushTo(repo, devflow, 'shop', refspec);
  const previews = async () => JSON.parse((await devflow.cli(['previews', 'shop', '--json'])).stdout) as { slug: string; url: string; state: string }[];

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime: 'process', env: { DEVFLOW_MAX_PREVIEWS: '3' } });
    await devflow.cli(['apps:create', 'shop']);
    repo = await repoFromExample(EXAMPLE);
    const main = await push('HEAD:refs/heads/main');
    expect(main.exitCode, main.stderr).toBe(0);
    expect((await get('shop.localhost', '/write?body=from-main')).body).toContain('wrote row 1');
    remoteRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-remote-'));
    gitServer = await startGitHttpServer(remoteRoot);
  });
  afterAll(async () => {
    await gitServer?.close();
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
    await fs.rm(remoteRoot, { recursive: true, force: true });
  });

  it('a branch push deploys a preview with a copy of the database; main keeps serving main', async () => {
    await repo.git(['checkout', '-q', '-b', 'feature/login']);
    const server = path.join(repo.dir, 'server.js');
    await fs.writeFile(server, (await fs.readFile(server, 'utf8')).replace('node-db rows', 'login branch rows'));
    await repo.commit('login branch');
    const result = await push('feature/login');
    expect(result.exitCode, result.stderr).toBe(0);
    const [preview] = await previews();
    expect(preview!.slug).toMatch(/^feature-login-[0-9a-f]{6}$/);
    expect(result.stderr).toContain(`remote: -----> Preview live at ${preview!.url}`);
    const host = `${preview!.slug}.shop.localhost`;
    expect((await get(host)).body).toContain('login branch rows (v1): 1=from-main');
    expect((await get('shop.localhost')).body).toContain('node-db rows (v1): 1=from-main');
  });

  it("the preview writes to its own database; the parent's is unchanged", async () => {
    const [preview] = await previews();
    const host = `${preview!.slug}.shop.localhost`;
    expect((await get(host, '/write?body=from-preview')).body).toContain('wrote row 2');
    expect((await get(host)).body).toContain('1=from-main, 2=from-preview');
    expect((await get('shop.localhost')).body).toBe('node-db rows (v1): 1=from-main\n');
    expect((await get(host, '/whoami')).body).not.toBe((await get('shop.localhost', '/whoami')).body);
  });

  it('a branch whose name slugifies the same gets a different URL', async () => {
    await repo.git(['checkout', '-q', '-b', 'feature-login']);
    const result = await push('feature-login');
    expect(result.exitCode, result.stderr).toBe(0);
    const list = await previews();
    const slugs = list.map((p) => p.slug);
    expect(slugs).toHaveLength(2);
    expect(slugs).toContain('feature-login');
    expect(slugs.filter((slug) => /^feature-login-[0-9a-f]{6}$/.test(slug))).toHaveLength(1);
    expect((await get('feature-login.shop.localhost')).status).toBe(200);
  });

  it('deleting the branch removes the preview, its route and its database', async () => {
    const [preview] = (await previews()).filter((p) => p.slug !== 'feature-login');
    const database = (await get(`${preview!.slug}.shop.localhost`, '/whoami')).body.trim().split(' on ')[1];
    const result = await push(':refs/heads/feature/login');
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await previews()).map((p) => p.slug)).toEqual(['feature-login']);
    expect((await get(`${preview!.slug}.shop.localhost`)).status).toBe(404);
    const admin = connect(serverUrl(), 1);
    expect(await admin`SELECT 1 FROM pg_database WHERE datname = ${database!}`).toHaveLength(0);
    await admin.end();
  });

  it('a signed pull-request webhook deploys pr-<n>; forged or unsigned ones get 401 and deploy nothing', async () => {
    const hook = JSON.parse((await devflow.cli(['previews:webhook', 'shop', '--json'])).stdout) as { url: string; secret: string };
    const bare = path.join(remoteRoot, 'shop.git');
    await execa('git', ['init', '-q', '--bare', bare]);
    await repo.git(['checkout', '-q', '-b', 'pr-branch', 'main']);
    await fs.writeFile(path.join(repo.dir, 'server.js'), (await fs.readFile(path.join(repo.dir, 'server.js'), 'utf8')).replace('node-db rows', 'pull request rows'));
    const sha = await repo.commit('pull request');
    await repo.git(['push', bare, 'pr-branch']);
    const payload = Buffer.from(JSON.stringify({ action: 'opened', number: 12,
      pull_request: { number: 12, head: { sha, ref: 'pr-branch', repo: { clone_url: `${gitServer.url}/shop.git` } } } }));
    const deliver = (headers: Record<string, string>) => fetch(`${devflow.api}/hooks/shop/pull-request`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', ...headers }, body: payload });

    expect((await deliver({})).status).toBe(401);
    expect((await deliver({ 'x-hub-signature-256': `sha256=${hmacHex('wrong secret', payload)}` })).status).toBe(401);
    expect((await previews()).map((p) => p.slug)).not.toContain('pr-12');

    const accepted = await deliver({ 'x-hub-signature-256': `sha256=${hmacHex(hook.secret, payload)}` });
    expect(accepted.status).toBe(202);
    for (let i = 0; i < 600 && (await get('pr-12.shop.localhost')).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await get('pr-12.shop.localhost')).body).toContain('pull request rows (v1)');

    const closed = Buffer.from(JSON.stringify({ action: 'closed', number: 12, pull_request: { number: 12 } }));
    const removal = await fetch(`${devflow.api}/hooks/shop/pull-request`, { method: 'POST', body: closed,
      headers: { 'x-github-event': 'pull_request', 'x-hub-signature-256': `sha256=${hmacHex(hook.secret, closed)}` } });
    expect(removal.status).toBe(202);
    expect((await get('pr-12.shop.localhost')).status).toBe(404);
  });

  it('refuses a preview past the limit and names the oldest idle one', async () => {
    for (const branch of ['one', 'two']) {
      await repo.git(['checkout', '-q', '-b', branch, 'main']);
      expect((await push(branch)).exitCode).toBe(0);
    }
    await repo.git(['checkout', '-q', '-b', 'three', 'main']);
    const refused = await push('three');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('already has 3 previews, the limit');
    expect(refused.stderr).toContain('The oldest idle one is feature-login');
  });
});
