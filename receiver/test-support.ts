/**
 * Helpers for the receiver's tests: a real HTTP server around GitReceiver, and the real git
 * client run with a throwaway HOME so the developer's own git config never leaks in.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseAppName, type AppName } from '../core/names.js';
import { isZeroId, type PushOutcome, type PushRequest, type ReceiverOptions } from './contract.js';
import { GitReceiver } from './receiver.js';

export const TOKEN = 'secret-token-123';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real git client; never throws, so tests can assert on what the user would see. */
function clientEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' };
}

export function runGit(home: string, args: string[], cwd?: string): Promise<GitResult> {
  const env = clientEnv(home);
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export type StderrWatcher = (all: string, kill: () => void) => void;

/** Runs git and reports its stderr as it grows; `kill` ends git and its helpers (remote-http). */
export function watchGit(home: string, args: string[], cwd: string | undefined, onStderr: StderrWatcher): Promise<GitResult> {
  const child = spawn('git', args, { cwd, env: clientEnv(home), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const kill = (): void => {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  };
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr(stderr, kill);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

export interface Harness {
  root: string;
  home: string;
  reposDir: string;
  receiver: GitReceiver;
  port: number;
  remote(app: string, token?: string | null): string;
  git(args: string[], cwd?: string): Promise<GitResult>;
  spawnGit(args: string[], cwd: string | undefined, onStderr: StderrWatcher): Promise<GitResult>;
  close(): Promise<void>;
}

export type OnPush = ReceiverOptions['onPush'];

export async function startHarness(apps: string[], onPush: OnPush, extra: Partial<ReceiverOptions> = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'devflow-receiver-test-'));
  const home = join(root, 'home');
  await mkdir(home);
  await writeFile(join(home, '.gitconfig'), '[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n');
  const known = new Set<string>(apps);
  const receiver = new GitReceiver({
    reposDir: join(root, 'repos'),
    authenticate: async (_user, password) => (password === TOKEN ? 'tester' : undefined),
    appExists: async (app) => known.has(app),
    onPush,
    ...extra,
  });
  const server = http.createServer((req, res) => {
    if (!receiver.handle(req, res)) res.writeHead(418).end('not git\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    root,
    home,
    reposDir: join(root, 'repos'),
    receiver,
    port,
    remote: (app, token = TOKEN) => `http://${token === null ? '' : `devflow:${token}@`}127.0.0.1:${port}/${app}.git`,
    git: (args, cwd) => runGit(home, args, cwd),
    spawnGit: (args, cwd, onStderr) => watchGit(home, args, cwd, onStderr),
    close: async () => {
      await receiver.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A work tree with one commit on main holding `files`. */
export async function makeWorkRepo(h: Harness, name: string, files: Record<string, string>): Promise<string> {
  const dir = join(h.root, name);
  await mkdir(dir, { recursive: true });
  await h.git(['init', '--quiet', '--initial-branch=main'], dir);
  await writeFiles(dir, files);
  await h.git(['add', '--all'], dir);
  const commit = await h.git(['commit', '--quiet', '-m', 'first'], dir);
  if (commit.code !== 0) throw new Error(`commit failed: ${commit.stderr}`);
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** Every regular file under dir, as relative path -> content. */
export async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full)] = await readFile(full, 'utf8');
  }
  return out;
}

/** Extracts a tar with the system tar into a fresh folder and returns its files. */
export async function extractTar(tar: string, into: string): Promise<Record<string, string>> {
  await mkdir(into, { recursive: true });
  await new Promise<void>((resolve, reject) =>
    execFile('tar', ['-xf', tar, '-C', into], (err) => (err ? reject(err) : resolve())),
  );
  return readTree(into);
}

/** An onPush that records each push and the files of its tree (exportable only while the push runs). */
export function recordingOnPush(decide: (push: PushRequest) => PushOutcome = () => ({ ok: true, message: 'deployed' })) {
  const pushes: { push: PushRequest; files: Record<string, string> | null }[] = [];
  const onPush: OnPush = async (push, log) => {
    const files = isZeroId(push.newSha) ? null : await exportedFiles(push);
    pushes.push({ push, files });
    log.line(`received ${push.ref} at ${push.newSha.slice(0, 7)}`);
    return decide(push);
  };
  return { pushes, onPush };
}

async function exportedFiles(push: PushRequest): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'devflow-export-'));
  try {
    await push.exportTree(join(dir, 'source.tar'));
    return await extractTar(join(dir, 'source.tar'), join(dir, 'files'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function app(name: string): AppName {
  return parseAppName(name);
}
