import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { EXECD_HELPER, renderEnvModification, renderLauncher, renderProcessScript } from './launcher.js';
import type { ProcessDef } from './processes.js';

const run = (script: string, env: Record<string, string> = {}) =>
  execa('/bin/sh', ['-c', `${script}\nenv`], { env: { PATH: '/usr/bin:/bin', ...env }, extendEnv: false });

describe('renderEnvModification', () => {
  it.each([
    [{ name: 'X', op: 'override', value: "it's", delim: '' }, {}, "it's"],
    [{ name: 'X', op: 'default', value: 'd', delim: '' }, { X: 'user' }, 'user'],
    [{ name: 'X', op: 'default', value: 'd', delim: '' }, {}, 'd'],
    [{ name: 'X', op: 'append', value: 'b', delim: ':' }, { X: 'a' }, 'a:b'],
    [{ name: 'X', op: 'append', value: 'b', delim: ':' }, {}, 'b'],
    [{ name: 'X', op: 'prepend', value: '$b', delim: ' ' }, { X: 'a' }, '$b a'],
  ] as const)('%j over %j gives %j at run time', async (mod, env, expected) => {
    const out = await run(renderEnvModification(mod), env);
    expect(out.stdout.split('\n')).toContain(`X=${expected}`);
  });
});

describe('process scripts and the launcher', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('runs a direct process in its working dir with env, exec.d output, and user args replacing args', async () => {
    const root = await mkdtemp(join(tmpdir(), 'devflow-launch-'));
    dirs.push(root);
    const layout = { cnbDir: join(root, 'cnb'), appDir: join(root, 'app') };
    await mkdir(join(layout.cnbDir, 'process'), { recursive: true });
    await mkdir(join(layout.appDir, 'sub'), { recursive: true });
    await writeFile(join(layout.cnbDir, 'execd.cjs'), EXECD_HELPER);
    await writeFile(join(layout.cnbDir, 'env.sh'), 'export FROM_ENV_SH=1\n');
    const execd = join(root, 'execd-prog');
    await writeFile(execd, '#!/bin/sh\necho "logs go to stderr"\necho \'FROM_EXECD = "a \\"quoted\\" value"\' >&3\n', { mode: 0o755 });
    const p: ProcessDef = { type: 'web', command: ['sh', '-c', 'echo "$(pwd) $GREETING $FROM_EXECD $0 $1"'], args: ['x', 'y'], direct: true, default: true, workingDir: 'sub', buildpackId: 'bp' };
    await writeFile(join(layout.cnbDir, 'process', 'web'), renderProcessScript(p, [{ name: 'GREETING', op: 'default', value: 'hi', delim: '' }], [execd], layout), { mode: 0o755 });
    await writeFile(join(layout.cnbDir, 'launcher'), renderLauncher(layout, 'web'), { mode: 0o755 });
    const env = { PATH: process.env.PATH ?? '' };
    const byDefault = await execa(join(layout.cnbDir, 'launcher'), [], { env, extendEnv: false });
    expect(byDefault.stdout).toBe(`${layout.appDir}/sub hi a "quoted" value x y`);
    const withArgs = await execa(join(layout.cnbDir, 'launcher'), ['web', 'p', 'q'], { env: { ...env, GREETING: 'hey' }, extendEnv: false });
    expect(withArgs.stdout).toBe(`${layout.appDir}/sub hey a "quoted" value p q`);
    const command = await execa(join(layout.cnbDir, 'launcher'), ['--', 'sh', '-c', 'echo "$FROM_ENV_SH $(pwd)"'], { env, extendEnv: false });
    expect(command.stdout).toBe(`1 ${layout.appDir}`);
    const missing = await execa(join(layout.cnbDir, 'launcher'), ['worker'], { env, extendEnv: false, reject: false });
    expect(missing.exitCode).not.toBe(0);
  });
});
