/**
 * Issue 6 end to end (process runtime, real git, real PostgreSQL): branch pushes deploy
 * previews with their own copy of the database, deleting the branch removes them, signed
 * pull-request webhooks deploy pr-<n> previews, and forged ones do nothing. With add-ons on the
 * app (issue 21), a preview gets a Redis of its own (the DevFlow-run redis-server) and none of a
 * named server's variables (Vespa: a local stand-in of its HTTP API, as none can be installed
 * here), which its push output says; its Redis user and keys go with it.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewAppName, type AppName } from '../../core/names.js';
import { connect } from '../../core/store/database.js';
import { hmacHex } from '../../scheduler/previews/webhook.js';
import { serverUrl } from '../support/postgres.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { startVespaStandIn, type VespaStandIn } from '../support/vespa-standin.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/node-db');

/**
 * What the 'cache' branch adds to node-db: GET /redis?arg=SET&arg=k&arg=v runs one command on
 * the app's REDIS_URL (a few lines of RESP, so the example needs no client package) and answers
 * the raw reply; GET /vespa names VESPA_URL if the app has one.
 */
const REDIS_ROUTE = `const net = require('node:net');
const encode = (args) => \`*\${args.length}\\r\\n\` + args.map((a) => \`$\${Buffer.byteLength(a)}\\r\\n\${a}\\r\\n\`).join('');
module.exports = (args) => new Promise((resolve, reject) => {
  const url = new URL(process.env.REDIS_URL);
  const socket = net.connect(Number(url.port), url.hostname);
  let reply = '';
  socket.on('data', (data) => (reply += data));
  socket.on('error', reject);
  socket.on('end', () => resolve(reply.replace(/^\\+OK\\r\\n/, '').replace(/\\+OK\\r\\n$/, '')));
  socket.write(encode(['AUTH', decodeURIComponent(url.username), decodeURIComponent(url.password)]) + encode(args) + encode(['QUIT']));
});
`;

describe('preview environments', () => {
  let devflow: DevflowProcess;
  let repo: Workdir;
  let gitServer: GitHttpServer;
  let remoteRoot: string;
  let vespa: VespaStandIn | undefined;
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
    await vespa?.close();
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

  it("a preview gets a Redis of its own, none of a named server's variables (its push says so); its Redis user and keys go with it", async () => {
    expect((await devflow.cli(['addons:create', 'shop', 'redis'])).exitCode).toBe(0);
    vespa = await startVespaStandIn();
    expect((await devflow.cli(['addons:create', 'shop', 'vespa', '--url', vespa.url])).exitCode).toBe(0);
    const production = await redisClient(JSON.parse((await devflow.cli(['config', 'shop', '--json'])).stdout).REDIS_URL as string);
    const admin = await adminRedis(devflow.home);
    const app: AppName = previewAppName('shop' as AppName, 'cache');
    try {
      await production.set('shop:greeting', 'production');
      await repo.git(['checkout', '-q', '-b', 'cache', 'main']);
      await repo.write('redis.js', REDIS_ROUTE);
      const server = path.join(repo.dir, 'server.js');
      await fs.writeFile(server, (await fs.readFile(server, 'utf8')).replace("  if (url.pathname === '/whoami') {",
        "  if (url.pathname === '/redis') return require('./redis.js')(url.searchParams.getAll('arg'));\n"
        + "  if (url.pathname === '/vespa') return `${process.env.VESPA_URL ?? 'no VESPA_URL'}\\n`;\n  if (url.pathname === '/whoami') {"));
      await repo.commit('a redis route');
      const result = await push('cache');
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/remote: -----> Made redis-[0-9a-f]{6} \(redis\) for the preview: REDIS_URL, empty \(shop's data is not copied\)/);
      expect(result.stderr).toMatch(/remote:  ! +Not passed to the preview: VESPA_URL, VESPA_NAMESPACE of (vespa-[0-9a-f]{6})/);
      expect(result.stderr).toMatch(/remote: +To let previews use it as shop does: devflow addons:share shop vespa-[0-9a-f]{6}/);

      const redis = async (...args: string[]) => (await get('cache.shop.localhost', `/redis?${args.map((a) => `arg=${encodeURIComponent(a)}`).join('&')}`)).body;
      expect(await redis('GET', 'shop:greeting')).toMatch(/^-NOPERM/);
      expect(await redis('SET', `${app}:greeting`, 'from the preview')).toBe('+OK\r\n');
      expect(await redis('GET', `${app}:greeting`)).toBe('$16\r\nfrom the preview\r\n');
      expect((await get('cache.shop.localhost', '/vespa')).body).toBe('no VESPA_URL\n');
      await expect(production.get(`${app}:greeting`)).rejects.toThrow(/NOPERM/);
      expect(await production.get('shop:greeting')).toBe('production');
      expect(await admin.call('ACL', 'USERS')).toEqual(expect.arrayContaining(['app_shop', `app_${app}`]));

      const removed = await push(':refs/heads/cache');
      expect(removed.exitCode, removed.stderr).toBe(0);
      expect((await get('cache.shop.localhost')).status).toBe(404);
      expect(await admin.call('ACL', 'USERS')).not.toContain(`app_${app}`);
      expect(await admin.exists(`${app}:greeting`)).toBe(0);
      expect(await admin.get('shop:greeting')).toBe('production');

      // Sharing is the user's choice per add-on, shown in the list, and undone the same way.
      const listed = JSON.parse((await devflow.cli(['addons', 'shop', '--json'])).stdout) as Array<{ kind: string; previews: string }>;
      expect(listed.map((a) => [a.kind, a.previews])).toEqual([['redis', 'own'], ['vespa', 'withheld']]);
      expect(JSON.parse((await devflow.cli(['addons:share', 'shop', 'vespa', '--json'])).stdout)).toMatchObject({ kind: 'vespa', previews: 'shared' });
      expect((await devflow.cli(['addons:unshare', 'shop', 'vespa'])).stdout).toMatch(/^vespa-[0-9a-f]{6} of shop: previews get none of its variables/);
    } finally {
      production.disconnect();
      admin.disconnect();
    }
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

async function redisClient(url: string) {
  const { Redis } = await import('ioredis');
  return new Redis(url, { maxRetriesPerRequest: 1, enableReadyCheck: false });
}

/** The add-on Redis server as its operator (DevFlow's own login, in DEVFLOW_HOME/redis). */
async function adminRedis(home: string) {
  const { port, password } = JSON.parse(await fs.readFile(path.join(home, 'redis', 'settings.json'), 'utf8')) as { port: number; password: string };
  return redisClient(`redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`);
}
