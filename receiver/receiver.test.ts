import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ZERO_SHA, type PushRequest } from './contract.js';
import { makeWorkRepo, readTree, recordingOnPush, startHarness, writeFiles, type Harness } from './test-support.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function lsRemote(h: Harness, app: string): Promise<string> {
  const result = await h.git(['ls-remote', h.remote(app)]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function headSha(h: Harness, dir: string): Promise<string> {
  return (await h.git(['rev-parse', 'HEAD'], dir)).stdout.trim();
}

describe('git push to GitReceiver', () => {
  it('streams onPush log lines live as remote: lines, hands over the tree and updates the ref', async () => {
    const seen: PushRequest[] = [];
    harness = await startHarness(['hello'], async (push, log) => {
      seen.push(push);
      log.line('-----> Building hello');
      await sleep(300);
      log.line('-----> Released v1');
      return { ok: true, message: 'https://hello.localhost deployed' };
    });
    const dir = await makeWorkRepo(harness, 'work', { 'index.js': 'console.log(1)\n' });
    const push = await harness.git(['push', harness.remote('hello'), 'main'], dir);
    expect(push.code, push.stderr).toBe(0);
    const building = push.stderr.indexOf('remote: -----> Building hello');
    const released = push.stderr.indexOf('remote: -----> Released v1');
    expect(building).toBeGreaterThanOrEqual(0);
    expect(released).toBeGreaterThan(building);
    expect(push.stderr).toContain('remote: https://hello.localhost deployed');
    const sha = await headSha(harness, dir);
    expect(seen).toEqual([
      expect.objectContaining({ app: 'hello', ref: 'refs/heads/main', oldSha: ZERO_SHA, newSha: sha, deploy: true, actor: 'tester' }),
    ]);
    expect(await lsRemote(harness, 'hello')).toContain(`${sha}\trefs/heads/main`);
  });

  it('hands onPush a tar of exactly the pushed tree', async () => {
    const recorder = recordingOnPush();
    harness = await startHarness(['hello'], recorder.onPush);
    const files = { 'index.js': 'console.log(1)\n', 'lib/a.txt': 'alpha\n', 'Procfile': 'web: node index.js\n' };
    const dir = await makeWorkRepo(harness, 'work', files);
    const push = await harness.git(['push', harness.remote('hello'), 'main'], dir);
    expect(push.code, push.stderr).toBe(0);
    expect(recorder.pushes).toHaveLength(1);
    expect(recorder.pushes[0]?.files).toEqual(files);
    expect(push.stderr).toMatch(/remote: received refs\/heads\/main at [0-9a-f]{7}/);
  });

  it('streams each line as it is written: the second line waits until git has printed the first', async () => {
    let printed: (() => void) | null = null;
    const firstPrinted = new Promise<void>((resolve) => (printed = resolve));
    harness = await startHarness(['hello'], async (_push, log) => {
      log.line('step one');
      await firstPrinted; // never resolves unless the line reached the pusher while onPush still runs
      log.line('step two');
      return { ok: true, message: 'done' };
    });
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'a\n' });
    const push = harness.spawnGit(['push', harness.remote('hello'), 'main'], dir, (stderr) => {
      if (stderr.includes('remote: step one')) printed?.();
    });
    const result = await push;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.indexOf('remote: step one')).toBeLessThan(result.stderr.indexOf('remote: step two'));
  });

  it('rejects the push natively when onPush fails: reason shown, ref not updated', async () => {
    const recorder = recordingOnPush(() => ({ ok: false, message: 'build failed: npm ci exited 1' }));
    harness = await startHarness(['hello'], recorder.onPush);
    const dir = await makeWorkRepo(harness, 'work', { 'package.json': '{}\n' });
    const push = await harness.git(['push', harness.remote('hello'), 'main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: ! build failed: npm ci exited 1');
    expect(push.stderr).toContain('[remote rejected] main -> main (pre-receive hook declined)');
    expect(await lsRemote(harness, 'hello')).toBe('');
  });

  it('rejects the push when onPush throws, with the error message', async () => {
    harness = await startHarness(['hello'], async () => {
      throw new Error('the build queue is unavailable');
    });
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'a\n' });
    const push = await harness.git(['push', harness.remote('hello'), 'main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: ! the build queue is unavailable');
    expect(await lsRemote(harness, 'hello')).toBe('');
  });

  it('tells the user how to create an unknown app', async () => {
    harness = await startHarness(['hello'], recordingOnPush().onPush);
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'a\n' });
    const push = await harness.git(['push', harness.remote('nope'), 'main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain("app 'nope' does not exist: create it with devflow apps:create nope");
  });

  it('explains an invalid app name', async () => {
    harness = await startHarness(['hello'], recordingOnPush().onPush);
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'a\n' });
    const push = await harness.git(['push', harness.remote('Bad_Name'), 'main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('app name "Bad_Name" is invalid');
  });

  it('clones and fetches with auth', async () => {
    harness = await startHarness(['hello'], recordingOnPush().onPush);
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'one\n' });
    expect((await harness.git(['push', harness.remote('hello'), 'main'], dir)).code).toBe(0);
    const clone = await harness.git(['clone', '--quiet', harness.remote('hello'), 'copy'], harness.root);
    expect(clone.code, clone.stderr).toBe(0);
    const copy = `${harness.root}/copy`;
    expect(await readTree(copy).then((t) => t['a.txt'])).toBe('one\n');
    await writeFiles(dir, { 'a.txt': 'two\n' });
    await harness.git(['commit', '--quiet', '-am', 'second'], dir);
    expect((await harness.git(['push', harness.remote('hello'), 'main'], dir)).code).toBe(0);
    const pull = await harness.git(['pull', '--quiet', '--ff-only'], copy);
    expect(pull.code, pull.stderr).toBe(0);
    expect(await readTree(copy).then((t) => t['a.txt'])).toBe('two\n');
    // protocol v0 as well as git's default v2
    const v0 = await harness.git(['-c', 'protocol.version=0', 'fetch', '--quiet', 'origin'], copy);
    expect(v0.code, v0.stderr).toBe(0);
  });

  it('accepts a 2,000-file push and exports every file', async () => {
    const recorder = recordingOnPush();
    harness = await startHarness(['hello'], recorder.onPush);
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`src/dir${i % 40}/file${i}.txt`] = `content of file ${i}\n`;
    const dir = await makeWorkRepo(harness, 'work', files);
    const push = await harness.git(['push', harness.remote('hello'), 'main'], dir);
    expect(push.code, push.stderr).toBe(0);
    expect(recorder.pushes[0]?.files).toEqual(files);
  });

  it('passes other branches and branch deletions to onPush (deletions with the zero sha)', async () => {
    const recorder = recordingOnPush();
    harness = await startHarness(['hello'], recorder.onPush);
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'a\n' });
    const sha = await headSha(harness, dir);
    expect((await harness.git(['push', harness.remote('hello'), 'main:feature-x'], dir)).code).toBe(0);
    const del = await harness.git(['push', harness.remote('hello'), ':feature-x'], dir);
    expect(del.code, del.stderr).toBe(0);
    expect(recorder.pushes.map((p) => p.push)).toEqual([
      expect.objectContaining({ ref: 'refs/heads/feature-x', oldSha: ZERO_SHA, newSha: sha, deploy: false }),
      expect.objectContaining({ ref: 'refs/heads/feature-x', oldSha: sha, newSha: ZERO_SHA, deploy: false }),
    ]);
    // A branch push hands over its tree; a deletion has none.
    expect(recorder.pushes.map((p) => p.files)).toEqual([{ 'a.txt': 'a\n' }, null]);
    await expect(recorder.pushes[1]!.push.exportTree(join(tmpdir(), 'never.tar'))).rejects.toThrow('there is no tree to export');
    expect(await lsRemote(harness, 'hello')).toBe('');
  });

  it('refuses a pack larger than maxPushBytes with a clear message', async () => {
    harness = await startHarness(['hello'], recordingOnPush().onPush, { maxPushBytes: 50_000 });
    const big: Record<string, string> = {};
    for (let i = 0; i < 20; i++) big[`blob${i}.bin`] = randomText(10_000);
    const dir = await makeWorkRepo(harness, 'work', big);
    const push = await harness.git(['push', harness.remote('hello'), 'main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('pack exceeds maximum allowed size');
    expect(await lsRemote(harness, 'hello')).toBe('');
  });
});

function randomText(length: number): string {
  return randomBytes(length).toString('base64').slice(0, length);
}
