/**
 * Issue 14 end to end: the built CLI (bin/devflow.js, as users run it) against a real DevFlow on
 * the process runtime. Exit codes from the one table (cli/errors.ts) for usage errors, unknown
 * apps, refused tokens, conflicts and an unreachable server; the API's error code in `--json`
 * error output; `-a/--app` after the command's own arguments; the app from the git remote.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupRuntime } from '../support/cleanup.js';
import { startDevflowProcess, type DevflowProcess } from '../support/devflow.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILT = path.join(ROOT, 'dist/cli/main.js');

let devflow: DevflowProcess;

/** Builds dist/ when a CLI or core source is newer than the built CLI, so the test runs the code as it is. */
async function ensureBuilt(): Promise<void> {
  const builtAt = fs.existsSync(BUILT) ? fs.statSync(BUILT).mtimeMs : 0;
  const sources = ['cli', 'core'].flatMap((dir) => fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(ROOT, dir, f)).filter((f) => f.endsWith('.ts')));
  if (sources.some((f) => fs.statSync(f).mtimeMs > builtAt)) {
    await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  }
}

async function devflowCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const r = await execa(process.execPath, [path.join(ROOT, 'bin/devflow.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', DEVFLOW_API: devflow.api, DEVFLOW_TOKEN: devflow.token, DEVFLOW_HOME: '/nonexistent', ...options.env },
    extendEnv: false, reject: false, cwd: options.cwd ?? ROOT,
  });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const jsonError = (stderr: string) => JSON.parse(stderr) as { error: { code: string; message: string } };

beforeAll(async () => {
  await ensureBuilt();
  devflow = await startDevflowProcess({ runtime: 'process' });
}, 300_000);
afterAll(async () => {
  await devflow?.stop();
  await cleanupRuntime(devflow?.home);
});

describe('the built CLI against DevFlow', () => {
  it('exits 2 on usage errors, before asking the API', async () => {
    const cases = [
      { args: ['apps:create'], stderr: "missing required argument 'name'" },
      { args: ['no-such-command'], stderr: "unknown command 'no-such-command'" },
      { args: ['ps:scale', 'web', '--app', 'shop'], stderr: '"web" is not TYPE=COUNT[:SIZE]' },
      { args: ['ps', 'other', '--app', 'shop'], stderr: 'too many arguments: "other"' },
      { args: ['logs', '--app', 'shop', '-n', 'many'], stderr: '--num must be a number of lines' },
    ];
    for (const { args, stderr } of cases) {
      const result = await devflowCli(args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(stderr);
    }
    const asJson = await devflowCli(['apps:create', '--json']);
    expect(asJson.exitCode).toBe(2);
    expect(jsonError(asJson.stderr).error).toEqual({ code: 'usage', message: "missing required argument 'name'" });
  });

  it('exits 3 for an app that does not exist, with the code in --json error output', async () => {
    const human = await devflowCli(['apps:info', 'nope']);
    expect(human.exitCode).toBe(3);
    expect(human.stderr).toContain('nope');
    const asJson = await devflowCli(['releases', '--app', 'nope', '--json']);
    expect(asJson.exitCode).toBe(3);
    expect(asJson.stdout).toBe('');
    expect(jsonError(asJson.stderr).error).toMatchObject({ code: 'not_found', message: expect.stringContaining('nope') });
  });

  it('exits 2 for input the API refuses, 5 for a conflict, 4 for a refused token, 6 when DevFlow is not there', async () => {
    const invalid = await devflowCli(['apps:create', 'Not_An_App', '--json']);
    expect(invalid.exitCode).toBe(2);
    expect(jsonError(invalid.stderr).error.code).toBe('invalid_input');
    expect((await devflowCli(['apps:create', 'shop'])).exitCode).toBe(0);
    const again = await devflowCli(['apps:create', 'shop', '--json']);
    expect(again.exitCode).toBe(5);
    expect(jsonError(again.stderr).error.code).toBe('conflict');
    const wrongToken = await devflowCli(['apps', '--json'], { env: { DEVFLOW_TOKEN: 'dfl_wrong' } });
    expect(wrongToken.exitCode).toBe(4);
    expect(jsonError(wrongToken.stderr).error.code).toBe('unauthorized');
    const nobody = await devflowCli(['apps'], { env: { DEVFLOW_API: 'http://127.0.0.1:1' } });
    expect(nobody.exitCode).toBe(6);
    expect(nobody.stderr).toContain('cannot reach DevFlow at http://127.0.0.1:1');
  });

  it('takes -a/--app after the command\'s own arguments, the positional app, or the git remote', async () => {
    expect((await devflowCli(['config:set', 'GREETING=hi', '--app', 'shop'])).exitCode).toBe(0);
    expect((await devflowCli(['config:set', 'shop', 'OTHER=1'])).exitCode).toBe(0);
    // Scaling needs a release; the refusal names the app that --app gave.
    const scaled = await devflowCli(['ps:scale', 'web=2', '--app', 'shop']);
    expect(scaled.exitCode).toBe(3);
    expect(scaled.stderr).toContain('shop has no release yet');
    const repo = await fsp.mkdtemp(path.join(os.tmpdir(), 'devflow-cli-repo-'));
    await execa('git', ['init', '-q', repo]);
    await execa('git', ['remote', 'add', 'devflow', `${devflow.api}/shop.git`], { cwd: repo });
    const fromRemote = await devflowCli(['config', '--json'], { cwd: repo });
    expect(fromRemote.exitCode, fromRemote.stderr).toBe(0);
    expect(JSON.parse(fromRemote.stdout)).toEqual({ GREETING: 'hi', OTHER: '1' });
    const unset = await devflowCli(['config:unset', 'OTHER'], { cwd: repo });
    expect(unset.exitCode, unset.stderr).toBe(0);
    expect(JSON.parse((await devflowCli(['config', '-a', 'shop', '--json'])).stdout)).toEqual({ GREETING: 'hi' });
    await fsp.rm(repo, { recursive: true, force: true });
  });
});
