/**
 * Issue 21 end to end on the docker runtime, with a real git push, the CLI and containers: a bad
 * app.json cron schedule fails the push with a `remote:` line naming the field; a redis add-on
 * rolls a release whose containers reach the DevFlow-supervised redis-server with their own ACL
 * user (and are refused another app's keys); a pgbouncer add-on rolls a release whose containers
 * reach the pool; `devflow run` streams a container's output and
 * exits with its exit code, `--detach` returns at once with `runs:logs` showing the output later,
 * `--tty` gives the CLI (on a real pseudo-terminal) an interactive shell; `devflow cron` lists the app's jobs; `pg:backups` captures, restores
 * (after a safety backup) and downloads the app's database; `apps:destroy` without `--confirm`
 * is refused and leaves all of it (and the serving app) in place. One pushed app for every test.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { execa } from 'execa';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../core/store/database.js';
import { getViaRouter, startDevflowProcess, type DevflowProcess } from '../support/devflow.js';
import { pushTo, repoFromExample, type Workdir } from '../support/git.js';
import { cleanupRuntime } from '../support/cleanup.js';
import { CLI_ENTRY } from '../support/compiled-cli.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/addons-app');
const APP = 'addons-e2e';

describe('add-ons, one-off runs and cron on the docker runtime', () => {
  let devflow: DevflowProcess;
  let repo: Workdir;
  let badPush: { exitCode: number; stderr: string };

  beforeAll(async () => {
    devflow = await startDevflowProcess({ runtime: 'docker' });
    repo = await repoFromExample(FIXTURE);
    await devflow.cli(['apps:create', APP]);
    await repo.write('app.json', '{ "cron": [ { "command": "echo cron-ran", "schedule": "0 25 * * *" } ] }\n');
    await repo.commit('a bad schedule');
    badPush = await pushTo(repo, devflow, APP);
    await repo.write('app.json', await fs.readFile(path.join(FIXTURE, 'app.json'), 'utf8'));
    await repo.commit('a good schedule');
    const push = await pushTo(repo, devflow, APP);
    if (push.exitCode !== 0) throw new Error(`push failed: ${push.stderr}`);
  }, 300_000);

  afterAll(async () => {
    await devflow?.stop();
    await cleanupRuntime(devflow?.home);
    const shas = repo ? (await repo.git(['rev-list', 'HEAD'])).stdout.split('\n').filter(Boolean) : [];
    for (const sha of shas) await execa('/usr/bin/docker', ['rmi', '-f', `devflow/${APP}:${sha.slice(0, 12)}`], { reject: false });
  });

  it('refuses a push whose app.json cron schedule is bad, naming the entry and the field', () => {
    expect(badPush.exitCode).not.toBe(0);
    expect(badPush.stderr).toMatch(/remote: .*cron\[0\]\.schedule "0 25 \* \* \*": hour field: 25 is out of range 0-23/);
  });

  it('creates a redis add-on: a new release whose containers reach their own keys only', async () => {
    const created = await devflow.cli(['addons:create', APP, 'redis', '--json']);
    expect(JSON.parse(created.stdout)).toMatchObject({ addon: { kind: 'redis', env: ['REDIS_URL'] }, release: 2 });
    const listed = JSON.parse((await devflow.cli(['addons', APP, '--json'])).stdout) as Array<{ connection: string }>;
    expect(listed[0]!.connection).toMatch(/^redis:\/\/app_addons-e2e:\*\*\*\*@\d+\.\d+\.\d+\.\d+:\d+$/);
    const run = await devflow.cli(['run', APP, '--', 'node redis-check.js'], { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toEqual(expect.arrayContaining(['+OK', 'hello from a container']));
    expect(run.stdout).toMatch(/-NOPERM/);
  });

  it("runs a one-off command in the current release: output streamed, its exit code the CLI's", async () => {
    const run = await devflow.cli(['run', APP, '--', 'echo "on $DEVFLOW_RELEASE"; echo oops >&2; exit 7'], { reject: false });
    expect(run.exitCode).toBe(7);
    expect(run.stdout.split('\n')).toEqual(expect.arrayContaining(['on v2', 'oops']));
    const runs = JSON.parse((await devflow.cli(['runs', APP, '--json'])).stdout) as Array<{ state: string; exitCode: number }>;
    expect(runs[0]).toMatchObject({ state: 'failed', exitCode: 7 });
    const missing = await devflow.cli(['run', '--app', APP], { reject: false });
    expect(missing.exitCode).not.toBe(0);
  });

  it('runs --detach: the CLI returns at once, runs:logs shows the output and exit code once it ends', async () => {
    const started = await devflow.cli(['run', APP, '--detach', '--', 'echo "detached on $DEVFLOW_RELEASE"; exit 2']);
    const id = /\(run (\d+), v2\), detached: devflow runs:logs/.exec(started.stdout)?.[1];
    expect(id, started.stdout).toBeDefined();
    let run: { state: string; exitCode: number | null; output: string[] } | undefined;
    for (let tries = 0; tries < 120 && (run === undefined || run.state === 'running'); tries += 1) {
      if (run) await new Promise((r) => setTimeout(r, 500));
      run = JSON.parse((await devflow.cli(['runs:logs', APP, id!, '--json'])).stdout) as typeof run;
    }
    expect(run).toMatchObject({ state: 'failed', exitCode: 2, output: ['detached on v2'] });
    const text = await devflow.cli(['runs:logs', APP, id!]);
    expect(text.stdout).toBe(`detached on v2\n(run ${id}: failed, exit 2)`);
  });

  it('runs --tty in a real terminal: typed commands answer, stty size follows the window, the exit code is the CLI\'s', async () => {
    // The CLI itself on a pseudo-terminal (node-pty), as a person types at it: raw stdin, SIGWINCH on resize.
    const pty = await import('node-pty');
    const cli = pty.spawn(process.execPath, [CLI_ENTRY, 'run', APP, '--tty', '--', 'sh'], {
      cols: 100, rows: 30, cwd: os.tmpdir(),
      env: { DEVFLOW_API: devflow.api, DEVFLOW_TOKEN: devflow.token, DEVFLOW_HOME: devflow.home, PATH: process.env.PATH ?? '' },
    });
    let screen = '';
    cli.onData((text) => (screen += text));
    const exited = new Promise<number>((resolve) => cli.onExit(({ exitCode }) => resolve(exitCode)));
    const shows = async (text: string) => {
      for (let tries = 0; tries < 300 && !screen.includes(text); tries += 1) await new Promise((r) => setTimeout(r, 100));
      expect(screen).toContain(text);
    };
    await shows('with a terminal');
    cli.write('echo "tty on $DEVFLOW_RELEASE"\r');
    await shows('tty on v2');
    cli.write('stty size\r');
    await shows('30 100');
    cli.resize(120, 40);
    for (let tries = 0; tries < 50 && !screen.includes('40 120'); tries += 1) {
      cli.write('stty size\r');
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(screen).toContain('40 120');
    cli.write('exit 3\r');
    expect(await exited).toBe(3);
    const runs = JSON.parse((await devflow.cli(['runs', APP, '--json'])).stdout) as Array<{ command: string; state: string; exitCode: number }>;
    expect(runs[0]).toMatchObject({ command: 'sh', state: 'failed', exitCode: 3 });
  });

  it('lists the cron jobs of the current release with their next run', async () => {
    const jobs = JSON.parse((await devflow.cli(['cron', APP, '--json'])).stdout) as Array<{ schedule: string; command: string; nextRun: string }>;
    expect(jobs).toEqual([expect.objectContaining({ schedule: '*/5 * * * *', command: 'echo cron-ran' })]);
    expect(new Date(jobs[0]!.nextRun).getUTCMinutes() % 5).toBe(0);
  });

  it('creates a pgbouncer add-on: a new release whose containers reach the pool, which runs queries as the app; destroying it unsets DATABASE_POOL_URL', async () => {
    const created = await devflow.cli(['addons:create', APP, 'pgbouncer', '--json']);
    expect(JSON.parse(created.stdout)).toMatchObject({ addon: { kind: 'pgbouncer', env: ['DATABASE_POOL_URL'] }, release: 3 });
    const check = await devflow.cli(['run', APP, '--', 'node pool-check.js'], { reject: false });
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdout.split('\n')).toContain('R 10');
    const vars = JSON.parse((await devflow.cli(['config', APP, '--json'])).stdout) as Record<string, string>;
    const pooled = new URL(vars.DATABASE_POOL_URL!);
    pooled.hostname = '127.0.0.1'; // the containers' address is the bridge's; from this test, loopback
    // Transaction mode keeps no named prepared statement: the client prepares none.
    const sql = postgres(pooled.toString(), { max: 1, prepare: false });
    expect(await sql`SELECT current_database() AS db`).toEqual([{ db: decodeURIComponent(pooled.pathname.slice(1)) }]);
    await sql.end();
    const destroyed = await devflow.cli(['addons:destroy', APP, 'pgbouncer', '--confirm', APP]);
    expect(destroyed.stdout).toContain(`Destroyed pgbouncer of ${APP}; released v4`);
    const after = await devflow.cli(['run', APP, '--', 'echo "pool: ${DATABASE_POOL_URL:-none}"']);
    expect(after.stdout.split('\n')).toContain('pool: none');
  });

  it("pg:backups: captures the app's database, restores it after the table is dropped (with a safety backup), downloads the file", async () => {
    const database = await fetch(`${devflow.api}/api/v1/apps/${APP}/config/database`, { headers: { authorization: `Bearer ${devflow.token}` } });
    const settings = (await database.json()) as { url: string; host: string };
    // The URL is the one containers use (the bridge's address); from this test, the loopback one.
    const url = settings.url.replace(`@${settings.host}:`, '@127.0.0.1:');
    const owner = connect(url, 1);
    await owner.unsafe("CREATE TABLE orders (id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'tea'), (2, 'cake')");
    await owner.end();

    const captured = JSON.parse((await devflow.cli(['pg:backups:capture', APP, '--json'])).stdout) as { name: string; sha256: string; bytes: number };
    expect(captured).toMatchObject({ name: 'b001', kind: 'manual', state: 'succeeded' });
    expect((await devflow.cli(['pg:backups', APP])).stdout).toMatch(/^b001 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +manual +succeeded +[\d.]+ kB$/m);

    const dropper = connect(url, 1);
    await dropper.unsafe('DROP TABLE orders');
    await dropper.end();
    const unconfirmed = await devflow.cli(['pg:backups:restore', APP, 'b001'], { reject: false });
    expect(unconfirmed.exitCode).toBe(2);
    expect(unconfirmed.stderr).toContain(`repeat its name to confirm: devflow pg:backups:restore ${APP} b001 --confirm ${APP}`);
    const restored = await devflow.cli(['pg:backups:restore', APP, 'b001', '--confirm', APP]);
    expect(restored.stdout).toContain(`Restored ${APP} b001 into ${APP}'s database.`);
    expect(restored.stdout).toContain(`kept as ${APP} b002`);
    const reader = connect(url, 1);
    expect(await reader`SELECT item FROM orders ORDER BY id`).toEqual([{ item: 'tea' }, { item: 'cake' }]);
    await reader.end();

    const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-backup-')), 'b001.dump');
    const downloaded = await devflow.cli(['pg:backups:download', APP, 'b001', '-o', file]);
    expect(downloaded.stdout).toContain(`Wrote ${file} (sha256 ${captured.sha256})`);
    const bytes = await fs.readFile(file);
    expect(bytes.subarray(0, 5).toString()).toBe('PGDMP');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(captured.sha256);
    const anonymous = await fetch(`${devflow.api}/api/v1/apps/${APP}/pg/backups/b001/download`);
    expect(anonymous.status).toBe(401);
  });

  it('refuses apps:destroy without --confirm (or with another name): the add-on, its backups and the serving app stay', async () => {
    for (const args of [[], ['--confirm', 'some-other-app']]) {
      const refused = await devflow.cli(['apps:destroy', APP, ...args], { reject: false });
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain(`repeat the name to confirm: devflow apps:destroy ${APP} --confirm ${APP}`);
    }
    const addons = JSON.parse((await devflow.cli(['addons', APP, '--json'])).stdout) as Array<{ kind: string }>;
    expect(addons.map((a) => a.kind)).toEqual(['redis']);
    expect((await devflow.cli(['pg:backups', APP])).stdout).toMatch(/^b001 .* manual +succeeded/m);
    expect(await fs.readFile(path.join(devflow.home, 'redis', 'users.acl'), 'utf8')).toMatch(/app_addons-e2e/);
    expect(await fs.readdir(path.join(devflow.home, 'backups', APP))).toEqual(expect.arrayContaining(['b001.dump']));
    expect(await getViaRouter(devflow.httpPort, `${APP}.localhost`)).toEqual({ status: 200, body: 'v4 redis=yes\n' });
  });

  it('removes the add-on and the backups with the app: its ACL user and backup files are gone', async () => {
    await devflow.cli(['apps:destroy', APP, '--confirm', APP]);
    const acl = await fs.readFile(path.join(devflow.home, 'redis', 'users.acl'), 'utf8');
    expect(acl).not.toMatch(/app_addons-e2e/);
    await expect(fs.stat(path.join(devflow.home, 'backups', APP))).rejects.toThrow(/ENOENT/);
  });
});
