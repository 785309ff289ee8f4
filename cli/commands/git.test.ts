/**
 * `devflow git:connect` and `devflow git:webhook` as a user types them (issue 22): the real CLI
 * against the real API in-process (api/test-api.ts) with the real git host connections
 * (deploys/githost/) on the test run's PostgreSQL. Nothing is fetched or deployed here: the
 * commands only store the connection and show the webhook, so the repository host is never
 * reached (the service and webhook tests fetch from a real git server).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../api/test-api.js';
import { EventBus } from '../../core/events.js';
import { loadSecretKey } from '../../core/secrets.js';
import { AppDatabases } from '../../core/store/app-databases.js';
import { GitHostService, HostReporter } from '../../deploys/githost/index.js';
import { PreviewService } from '../../deploys/previews.js';
import type { RouteRefresher, RuntimeDriver } from '../../scheduler/index.js';
import type { GitReceiver } from '../../receiver/index.js';
import { CLI_ENTRY } from '../../tests/support/compiled-cli.js';

const TOKEN = 'glpat-cli-test-token-98765';
let api: TestApi;

function devflow(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const full = { PATH: process.env.PATH!, HOME: os.tmpdir(), DEVFLOW_API: api.base, DEVFLOW_TOKEN: api.adminToken, DEVFLOW_CONFIG: path.join(os.tmpdir(), 'devflow-no-credentials.json'), ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_ENTRY, ...args], { env: full }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  api = await startTestApi({
    deps: async (db, home) => {
      const secretKey = await loadSecretKey({ file: path.join(home, 'secret-key') });
      const config = { domain: 'localhost', httpPort: 8080, port: 7070 };
      const bus = new EventBus(db.url, db.sql);
      const reporter = new HostReporter({ sql: db.sql, bus, secretKey, config, publicUrl: 'http://devflow.test', allowHosts: [], log: () => {} });
      // connect, info and webhook read and write the store only: no deploy is queued, no repository
      // fetched, no preview made, so the queue, the repositories, the runtime and routes are never reached.
      const previews = new PreviewService({
        sql: db.sql, serverUrl: db.url, databases: new AppDatabases(db.sql, secretKey), secretKey, runtime: {} as RuntimeDriver,
        routes: {} as RouteRefresher, maxPreviews: 5, idleTtlMs: 60_000,
      }, {} as never, config, {} as GitReceiver);
      const git = new GitHostService({
        sql: db.sql, secretKey, enqueue: {} as never, repos: {} as GitReceiver, previews, reporter, allowHosts: [], publicUrl: 'http://devflow.test',
      });
      return { git };
    },
  });
  expect((await devflow(['apps:create', 'shop'])).code).toBe(0);
}, 60_000);
afterAll(async () => api?.close());

describe('devflow git:connect and git:webhook', () => {
  it('connects a repository with a branch, base dir and a token from the environment, shown masked', async () => {
    const connect = await devflow(['git:connect', 'shop', 'https://gitlab.com/acme/shop.git', '--branch', 'release', '--base-dir', 'services/web', '--token-from-env', 'GL_TOKEN'], { GL_TOKEN: TOKEN });
    expect(connect.code, connect.stderr).toBe(0);
    expect(connect.stdout).toContain('=== shop ← https://gitlab.com/acme/shop.git');
    expect(connect.stdout).toContain('Branch:     release (base dir services/web/)');
    expect(connect.stdout).toMatch(/Token:\s+••••8765/);
    expect(connect.stdout).toContain('Webhook:    http://devflow.test/hooks/shop/git');
    expect(connect.stdout).toContain('Next: devflow git:webhook shop');
    expect(connect.stdout).not.toContain(TOKEN);
    const info = await devflow(['git:info', 'shop', '--json']);
    expect(JSON.parse(info.stdout)).toMatchObject({ url: 'https://gitlab.com/acme/shop.git', branch: 'release', baseDir: 'services/web', provider: 'gitlab' });
  });

  it('refuses a local path and an unset token variable, with what to do', async () => {
    const local = await devflow(['git:connect', 'shop', 'file:///etc/passwd']);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toContain('file://');
    const unset = await devflow(['git:connect', 'shop', 'https://github.com/acme/shop.git', '--token-from-env', 'NOT_SET_HERE']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('NOT_SET_HERE is not set: export the access token in it first');
  });

  it('shows the webhook URL and secret, keeps the secret until --rotate, and --json gives both', async () => {
    const shown = await devflow(['git:webhook', 'shop']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Webhook URL: http://devflow.test/hooks/shop/git');
    const secret = /Secret:\s+(\S+)/.exec(shown.stdout)![1]!;
    const json = JSON.parse((await devflow(['git:webhook', 'shop', '--json'])).stdout) as { url: string; secret: string };
    expect(json).toEqual({ url: 'http://devflow.test/hooks/shop/git', secret });
    const rotated = JSON.parse((await devflow(['git:webhook', 'shop', '--rotate', '--json'])).stdout) as { secret: string };
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.secret.length).toBeGreaterThanOrEqual(secret.length);
  });
});
