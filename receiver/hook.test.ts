/**
 * The two pre-receive hook programs, hook.mjs (Node) and hook.sh (bash, no Node start), run as
 * git runs them: ref updates on stdin, the channel in the environment. Each case runs against
 * both, and against a real HookChannel, so they cannot drift apart: what the server receives,
 * what the pusher reads on stderr, the exit code.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HookChannel, type RefUpdate } from './hook-channel.js';
import type { PushOutcome } from './contract.js';
import { app } from './test-support.js';

const HOOK_MJS = fileURLToPath(new URL('./hook.mjs', import.meta.url));
const HOOK_SH = fileURLToPath(new URL('./hook.sh', import.meta.url));
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

interface Run {
  code: number;
  stderr: string;
}

const programs: [string, (env: NodeJS.ProcessEnv, stdin: string, cwd?: string) => Promise<Run>][] = [
  ['hook.mjs', (env, stdin, cwd) => run(process.execPath, [HOOK_MJS], env, stdin, cwd)],
  ['hook.sh', (env, stdin, cwd) => run('bash', [HOOK_SH, process.execPath, HOOK_MJS], env, stdin, cwd)],
];

function run(file: string, args: string[], env: NodeJS.ProcessEnv, stdin: string, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env: { PATH: process.env.PATH, ...env }, cwd }, (err, _stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stderr });
    });
    child.stdin!.end(stdin);
  });
}

/** A channel whose pushes answer from `answers` in turn, recording each update it got. */
async function channelWith(answers: ((log: (line: string) => void) => PushOutcome)[]) {
  const received: RefUpdate[] = [];
  const channel = new HookChannel(async (_pusher, update, log) => {
    received.push(update);
    return answers[received.length - 1]!((line) => log.line(line));
  });
  const session = await channel.open(app('hello'), 'tester');
  return {
    received,
    env: session.env,
    async close() {
      await session.dispose();
      await channel.close();
    },
  };
}

const scratch = await mkdtemp(join(tmpdir(), 'devflow-hook-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe.each(programs)('%s', (_name, hook) => {
  it('sends the update with the quarantine path, relays the log, and accepts on ok', async () => {
    const c = await channelWith([(log) => {
      log('-----> Building');
      log('');
      log('  indented, with "quotes" and $dollars');
      return { ok: true, message: 'deployed v3' };
    }]);
    try {
      const result = await hook({ ...c.env, GIT_QUARANTINE_PATH: '/r/hello.git/objects/incoming-x' }, `${Z} ${A} refs/heads/main\n`);
      expect(result).toEqual({ code: 0, stderr: '-----> Building\n\n  indented, with "quotes" and $dollars\ndeployed v3\n' });
      expect(c.received).toEqual([{ oldSha: Z, newSha: A, ref: 'refs/heads/main', quarantine: '/r/hello.git/objects/incoming-x' }]);
    } finally {
      await c.close();
    }
  });

  it('rejects the push on fail, with the reason after "!"', async () => {
    const c = await channelWith([() => ({ ok: false, message: 'build failed: npm ci exited 1' })]);
    try {
      expect(await hook(c.env, `${A} ${B} refs/heads/main\n`)).toEqual({ code: 1, stderr: '! build failed: npm ci exited 1\n' });
    } finally {
      await c.close();
    }
  });

  it('sends updates one by one and stops at the first refused', async () => {
    const c = await channelWith([() => ({ ok: true, message: '' }), () => ({ ok: false, message: 'no' }), () => ({ ok: true, message: '' })]);
    try {
      const stdin = `${Z} ${A} refs/heads/one\n${Z} ${A} refs/heads/two\n${Z} ${A} refs/heads/three\n`;
      expect(await hook(c.env, stdin)).toEqual({ code: 1, stderr: '! no\n' });
      expect(c.received.map((u) => u.ref)).toEqual(['refs/heads/one', 'refs/heads/two']);
    } finally {
      await c.close();
    }
  });

  it('carries a ref name with a quote, and makes a relative quarantine path absolute', async () => {
    const c = await channelWith([() => ({ ok: true, message: 'received' })]);
    try {
      const result = await hook({ ...c.env, GIT_QUARANTINE_PATH: 'objects/incoming-y' }, `${Z} ${A} refs/heads/say-"hi"\n`, scratch);
      expect(result).toEqual({ code: 0, stderr: 'received\n' });
      expect(c.received).toEqual([{ oldSha: Z, newSha: A, ref: 'refs/heads/say-"hi"', quarantine: join(scratch, 'objects/incoming-y') }]);
    } finally {
      await c.close();
    }
  });

  it('refuses a push that does not come through DevFlow', async () => {
    expect(await hook({}, `${Z} ${A} refs/heads/main\n`)).toEqual({ code: 1, stderr: '! this repository only accepts pushes through DevFlow\n' });
  });

  it('rejects the push when the service ends without a verdict', async () => {
    const server = http.createServer((_req, res) => res.end('log half a deploy\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const env = { DEVFLOW_HOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/push/abc`, DEVFLOW_HOOK_SECRET: 'f'.repeat(64) };
      expect(await hook(env, `${Z} ${A} refs/heads/main\n`)).toEqual({
        code: 1, stderr: 'half a deploy\n! the deploy service ended without a verdict\n',
      });
    } finally {
      server.close();
    }
  });
});

describe('hook.sh hands over to the Node program', () => {
  /** A stand-in for hook.mjs that shows it ran and what it was given. */
  async function fallback(): Promise<string> {
    const file = join(scratch, 'fallback.sh');
    await writeFile(file, 'printf "fallback got: %s\\n" "$(cat)" >&2\nexit 3\n');
    return file;
  }

  it.each([
    ['a channel URL of another form', { DEVFLOW_HOOK_URL: 'http://localhost:1/push/abc', DEVFLOW_HOOK_SECRET: 'x' }, `${Z} ${A} refs/heads/main`],
    ['a value with a control character', { DEVFLOW_HOOK_URL: 'http://127.0.0.1:1/push/abc', DEVFLOW_HOOK_SECRET: 'x', GIT_QUARANTINE_PATH: '/r/a\tb' }, `${Z} ${A} refs/heads/main`],
    ['a channel that cannot be reached', { DEVFLOW_HOOK_URL: 'http://127.0.0.1:1/push/abc', DEVFLOW_HOOK_SECRET: 'x' }, `${Z} ${A} refs/heads/main`],
  ])('on %s, with every update', async (_case, env, line) => {
    const result = await run('bash', [HOOK_SH, '/bin/sh', await fallback()], env, `${line}\n${line}\n`);
    expect(result).toEqual({ code: 3, stderr: `fallback got: ${line}\n${line}\n` });
  });
});
