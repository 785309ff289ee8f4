import { constants } from 'node:fs';
import { mkdtemp, open, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from '../stack.js';
import { channelCarries, prepareOutputs, readMarker, runThroughChannel, waitForReader } from './command-channel.js';
import type { ExecCommand } from './executor.js';
import { acquireContainer, CHANNEL_VIEW, LEASE_VIEW, type WarmContainer } from './warm-containers.js';

const MARK = 'devflow-exit-0123456789abcdef';

describe('readMarker', () => {
  it.each([
    ['a plain line', 'hello', { text: 'hello', exitCode: null }],
    ['the marker alone', `${MARK} 0`, { text: null, exitCode: 0 }],
    ['a last line without newline, then the marker', `partial${MARK} 3`, { text: 'partial', exitCode: 3 }],
    ['an exit status from a signal', `${MARK} 137`, { text: null, exitCode: 137 }],
    ['another job\'s marker is output', 'devflow-exit-ffffffffffffffff 1', { text: 'devflow-exit-ffffffffffffffff 1', exitCode: null }],
  ])('%s', (_, line, expected) => {
    expect(readMarker(line, MARK)).toEqual(expected);
  });
});

describe('channelCarries', () => {
  const command = (env: Record<string, string>): ExecCommand => ({ file: '/bin/true', args: [], cwd: '/', env });
  it.each([
    ['shell names with any values', { PATH: '/a b', npm_config_x: "it's\n$(x)" }, true],
    ['a name with a dot', { 'a.b': '1' }, false],
    ['a name starting with a digit', { '1A': '1' }, false],
  ])('%s -> %s', (_, env, expected) => {
    expect(channelCarries(command(env))).toBe(expected);
  });
});

describe('waitForReader', () => {
  it('waits for the first process to open its request FIFO, and gives up after the timeout', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'devflow-channel-fifo-'));
    try {
      await execa('mkfifo', [join(hostDir, 'requests-x')]);
      const channel = { hostDir, viewDir: '/x', requests: 'requests-x' };
      await expect(waitForReader(channel, 100)).rejects.toThrow(/did not open/);
      const waiting = waitForReader(channel, 5000);
      await new Promise((r) => setTimeout(r, 200));
      const reader = await open(join(hostDir, 'requests-x'), constants.O_RDONLY | constants.O_NONBLOCK);
      await expect(waiting).resolves.toBeUndefined();
      await reader.close();
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });
});

/** Waits until `dir` holds `count` output FIFOs (made in the background). */
async function outputsIn(dir: string, count: number): Promise<string[]> {
  for (let i = 0; i < 500; i++) {
    const outputs = (await readdir(dir)).filter((f) => f.startsWith('out-'));
    if (outputs.length === count) return outputs.sort();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no ${count} output FIFOs in ${dir}`);
}

describe('prepareOutputs', () => {
  it('makes two spare output FIFOs ahead, after removing those a previous process left', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'devflow-channel-spares-'));
    try {
      await execa('mkfifo', [join(hostDir, 'out-00000000deadbeef')]);
      await writeFile(join(hostDir, 'requests-x'), '');
      prepareOutputs(hostDir);
      const spares = await outputsIn(hostDir, 2);
      expect(spares).not.toContain('out-00000000deadbeef');
      for (const name of spares) expect((await stat(join(hostDir, name))).isFIFO()).toBe(true);
      expect(await readdir(hostDir)).toContain('requests-x');
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });
});

describe('runThroughChannel, a channel the build tampered with', () => {
  it('writes nothing through a request FIFO replaced by a link to a host file', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'devflow-channel-link-'));
    try {
      const victim = join(hostDir, 'victim.txt');
      await writeFile(victim, 'precious');
      await symlink(victim, join(hostDir, 'requests-x'));
      const channel = { hostDir, viewDir: '/x', requests: 'requests-x' };
      await expect(runThroughChannel(channel, { file: 'true', args: [], cwd: '/', env: {} }, { line: () => undefined }, async () => true)).rejects.toThrow();
      expect(await readFile(victim, 'utf8')).toBe('precious');
      // Only the spare output FIFOs made ahead for the next jobs may be there besides.
      expect((await readdir(hostDir)).filter((f) => !f.startsWith('out-')).sort()).toEqual(['requests-x', 'victim.txt']);
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });
});

describe('runThroughChannel in a warm build container', () => {
  const docker = new Docker();
  let root: string;
  let warm: WarmContainer;
  const isAlive = async () => (await warm.container.inspect().catch(() => null))?.State.Running === true;

  beforeAll(async () => {
    await buildStack({ docker, log: { line: () => undefined } });
    root = await mkdtemp(join(tmpdir(), 'devflow-channel-'));
    const [leaseDir, channelDir] = [join(root, 'lease'), join(root, 'channel')];
    const binds = [`${root}:/workspace`, `${leaseDir}:${LEASE_VIEW}:ro`, `${channelDir}:${CHANNEL_VIEW}`];
    warm = (await acquireContainer(docker, { binds, leaseDir, channelDir, user: '0:0' })).warm;
  });
  afterAll(async () => {
    await warm?.remove();
    await rm(root, { recursive: true, force: true });
  });

  async function run(command: ExecCommand): Promise<{ exitCode: number; lines: string[] }> {
    const lines: string[] = [];
    const exitCode = await runThroughChannel(warm.channel, command, { line: (l) => lines.push(l) }, isAlive);
    return { exitCode, lines };
  }

  it('runs an argument array with its env and cwd, words kept whole, and returns the exit status and output', async () => {
    const result = await run({
      file: 'bash',
      args: ['-c', 'echo "cwd=$PWD"; printf "%s|" "$@"; echo; echo "v=$V"; echo err >&2; printf last; exit 3', 'x', "it's", 'a b', '$(touch /tmp/no)'],
      cwd: '/workspace',
      env: { V: "quote ' and $HOME", PATH: '/usr/bin:/bin' },
    });
    expect(result).toEqual({
      exitCode: 3,
      lines: ['cwd=/workspace', "it's|a b|$(touch /tmp/no)|", "v=quote ' and $HOME", 'err', 'last'],
    });
  });

  it('runs jobs side by side, and ends a job whose leftover process keeps its output open', async () => {
    const [slow, fast] = await Promise.all([
      run({ file: 'sh', args: ['-c', 'sleep 0.5; echo slow'], cwd: '/', env: {} }),
      run({ file: 'sh', args: ['-c', '(sleep 30 &) ; echo fast'], cwd: '/', env: {} }),
    ]);
    expect(slow).toEqual({ exitCode: 0, lines: ['slow'] });
    expect(fast).toEqual({ exitCode: 0, lines: ['fast'] });
    // The job files are removed once the job ended; at most the spare output FIFOs made ahead stay.
    const left = (await readdir(join(root, 'channel'))).filter((f) => !f.startsWith('requests-'));
    expect(left.every((f) => /^out-[0-9a-f]{16}$/.test(f))).toBe(true);
    expect(left.length).toBeLessThanOrEqual(2);
  });

  it('runs jobs on the spare output FIFOs, and makes one again when a spare went missing', async () => {
    const channelDir = join(root, 'channel');
    await outputsIn(channelDir, 2);
    expect(await run({ file: 'echo', args: ['on a spare'], cwd: '/', env: {} })).toEqual({ exitCode: 0, lines: ['on a spare'] });
    for (const name of await outputsIn(channelDir, 2)) await rm(join(channelDir, name));
    expect(await run({ file: 'echo', args: ['made again'], cwd: '/', env: {} })).toEqual({ exitCode: 0, lines: ['made again'] });
  });

  it('runs a job though the watcher read part of a line before it (a read cut by its timeout)', async () => {
    // What `read -t` left when its timeout fired in the middle of a job name: the start of a line.
    // The watcher read the name that came next as "3f2a<name>" and never ran that job.
    const requests = await open(join(warm.channel.hostDir, warm.channel.requests), constants.O_WRONLY | constants.O_NONBLOCK);
    await requests.write('3f2a');
    await requests.close();
    expect(await run({ file: 'echo', args: ['still ran'], cwd: '/', env: {} })).toEqual({ exitCode: 0, lines: ['still ran'] });
  });

  it('gives 127 for a command that does not exist, as a shell does', async () => {
    expect((await run({ file: '/no/such/program', args: [], cwd: '/', env: {} })).exitCode).toBe(127);
  });

  it('fails a command whose container stops while it runs', async () => {
    const running = run({ file: 'sleep', args: ['60'], cwd: '/', env: {} });
    await new Promise((r) => setTimeout(r, 300));
    await warm.container.kill().catch(() => undefined);
    await expect(running).rejects.toThrow(/stopped while a command ran/);
  });
});
