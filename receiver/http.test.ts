import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ZERO_SHA } from './contract.js';
import { pktLine } from './routes.js';
import { app, makeWorkRepo, recordingOnPush, startHarness, TOKEN, type Harness } from './test-support.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const basic = (password: string): string => `Basic ${Buffer.from(`devflow:${password}`).toString('base64')}`;

/** A real receive-pack request body: one ref command, then a pack of everything on main. */
async function receivePackBody(h: Harness, dir: string): Promise<{ body: Uint8Array<ArrayBuffer>; sha: string }> {
  const sha = (await h.git(['rev-parse', 'HEAD'], dir)).stdout.trim();
  const command = pktLine(`${ZERO_SHA} ${sha} refs/heads/main\0report-status\n`);
  const pack = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', ['pack-objects', '--revs', '--stdout', '--quiet'], { cwd: dir });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`pack-objects ${code}`))));
    child.stdin.end('main\n');
  });
  return { body: new Uint8Array(Buffer.concat([Buffer.from(command + '0000'), pack])), sha };
}

function url(h: Harness, path: string): string {
  return `http://127.0.0.1:${h.port}${path}`;
}

async function objectCount(h: Harness, app: string): Promise<string> {
  return (await h.git(['count-objects', '-v'], join(h.reposDir, `${app}.git`))).stdout;
}

describe('GitReceiver over HTTP', () => {
  it('answers 401 with a Basic challenge on every git request without a valid token', async () => {
    harness = await startHarness(['hello'], recordingOnPush().onPush);
    const requests: [string, string][] = [
      ['GET', '/hello.git/info/refs?service=git-upload-pack'],
      ['GET', '/hello.git/info/refs?service=git-receive-pack'],
      ['POST', '/hello.git/git-upload-pack'],
      ['POST', '/hello.git/git-receive-pack'],
    ];
    for (const [method, path] of requests) {
      for (const authorization of [undefined, basic('wrong-token')]) {
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const res = await fetch(url(harness, path), { method, headers, body: method === 'POST' ? 'x' : undefined });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="DevFlow"');
      }
    }
    expect(existsSync(join(harness.reposDir, 'hello.git'))).toBe(false); // no repo created
  });

  it('writes nothing for an unauthenticated push, and the same request with the token pushes', async () => {
    const recorder = recordingOnPush();
    harness = await startHarness(['hello'], recorder.onPush);
    await harness.receiver.ensureRepo(app('hello'));
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'a\n' });
    const { body, sha } = await receivePackBody(harness, dir);
    const headers = { 'content-type': 'application/x-git-receive-pack-request' };
    for (const auth of [{}, { authorization: basic('wrong') }] as Record<string, string>[]) {
      const res = await fetch(url(harness, '/hello.git/git-receive-pack'), { method: 'POST', headers: { ...headers, ...auth }, body });
      expect(res.status).toBe(401);
    }
    expect(await objectCount(harness, 'hello')).toMatch(/^count: 0\n[\s\S]*in-pack: 0\n/);
    expect(recorder.pushes).toHaveLength(0);

    const ok = await fetch(url(harness, '/hello.git/git-receive-pack'), {
      method: 'POST',
      headers: { ...headers, authorization: basic(TOKEN) },
      body,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/x-git-receive-pack-result');
    expect(await ok.text()).toContain('ok refs/heads/main');
    expect(recorder.pushes.map((p) => p.push.newSha)).toEqual([sha]);
  });

  it('accepts a gzip-encoded request body', async () => {
    const recorder = recordingOnPush();
    harness = await startHarness(['hello'], recorder.onPush);
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'zipped\n' });
    const { body, sha } = await receivePackBody(harness, dir);
    const res = await fetch(url(harness, '/hello.git/git-receive-pack'), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-git-receive-pack-request',
        'content-encoding': 'gzip',
        authorization: basic(TOKEN),
      },
      body: new Uint8Array(gzipSync(body)),
    });
    expect(await res.text()).toContain('ok refs/heads/main');
    expect(recorder.pushes[0]?.files).toEqual({ 'a.txt': 'zipped\n' });
    expect((await harness.git(['ls-remote', harness.remote('hello')])).stdout).toContain(sha);
  });

  it('refuses the git client with a wrong token: nothing pushed', async () => {
    const recorder = recordingOnPush();
    harness = await startHarness(['hello'], recorder.onPush);
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'a\n' });
    const push = await harness.git(['push', harness.remote('hello', 'wrong'), 'main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('Authentication failed');
    const clone = await harness.git(['clone', harness.remote('hello', 'wrong'), 'copy'], harness.root);
    expect(clone.code).not.toBe(0);
    expect(recorder.pushes).toHaveLength(0);
    expect(existsSync(join(harness.reposDir, 'hello.git'))).toBe(false);
  });

  it('serves the advertisement with git content types and no caching', async () => {
    harness = await startHarness(['hello'], recordingOnPush().onPush);
    const headers = { authorization: basic(TOKEN) };
    for (const service of ['git-upload-pack', 'git-receive-pack']) {
      const res = await fetch(url(harness, `/hello.git/info/refs?service=${service}`), { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(`application/x-${service}-advertisement`);
      expect(res.headers.get('cache-control')).toContain('no-cache');
      expect(await res.text()).toMatch(new RegExp(`^[0-9a-f]{4}# service=${service}\\n0000`));
    }
  });

  it('serves no dumb-protocol paths and leaves non-git URLs to the caller', async () => {
    harness = await startHarness(['hello'], recordingOnPush().onPush);
    await harness.receiver.ensureRepo(app('hello'));
    const headers = { authorization: basic(TOKEN) };
    for (const path of ['/hello.git/HEAD', '/hello.git/info/refs', '/hello.git/objects/info/packs', '/hello.git']) {
      expect((await fetch(url(harness, path), { headers })).status, path).toBe(404);
    }
    expect((await fetch(url(harness, '/api/v1/apps'), { headers })).status).toBe(418); // the harness's fallback
  });

  it('aborts onPush when the pusher disconnects', async () => {
    let aborted: (() => void) | null = null;
    const abortSeen = new Promise<void>((resolve) => (aborted = resolve));
    harness = await startHarness(['hello'], async (_push, log, signal) => {
      log.line('waiting for the build');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      aborted?.();
      return { ok: false, message: 'aborted' };
    });
    const dir = await makeWorkRepo(harness, 'work', { 'a.txt': 'a\n' });
    let killed = false;
    const push = harness.spawnGit(['push', harness.remote('hello'), 'main'], dir, (stderr, kill) => {
      if (!killed && stderr.includes('remote: waiting for the build')) {
        killed = true;
        kill();
      }
    });
    await abortSeen;
    expect((await push).code).not.toBe(0);
    expect((await harness.git(['ls-remote', harness.remote('hello')])).stdout).toBe('');
  });
});
