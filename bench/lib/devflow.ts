/**
 * Benchmark helpers: run the built `devflow up` (bin/devflow.js, as users do) on free ports with
 * the embedded defaults, and time things with a monotonic clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { freePort } from '../../core/embedded-postgres/embedded.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface BenchDevflow {
  child: ChildProcess;
  home: string;
  port: number;
  httpPort: number;
  token: string;
  stop(): Promise<void>;
}

export async function startDevflow(runtime: 'docker' | 'process', env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchDevflow> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'devflow-bench-'));
  const [port, httpPort, httpsPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/devflow.js'), 'up', '--port', String(port),
    '--http-port', String(httpPort), '--https-port', String(httpsPort)], {
    env: { ...process.env, DEVFLOW_HOME: home, DEVFLOW_RUNTIME: runtime, DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 120_000;
  while (!output.includes('devflow ready:')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`devflow did not start:\n${output}`);
    await sleep(50);
  }
  const token = (await fs.readFile(path.join(home, 'admin-token'), 'utf8')).trim();
  return {
    child, home, port, httpPort, token,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function now(): number {
  return performance.now();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function getBody(port: number, host: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(''));
    req.setTimeout(5000, () => req.destroy());
  });
}

/** Resident memory of a process in MB, from /proc. */
export async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Every process whose parent chain reaches `root`, with the root itself. */
export async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parents.set(Number(entry), Number(fields[1]));
  }
  const tree = [root];
  for (let added = true; added; ) {
    added = false;
    for (const [pid, ppid] of parents) {
      if (!tree.includes(pid) && tree.includes(ppid)) {
        tree.push(pid);
        added = true;
      }
    }
  }
  return tree;
}

export async function commandOf(pid: number): Promise<string> {
  return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
}

export async function writeResult(name: string, markdown: string): Promise<void> {
  const dir = path.join(ROOT, 'bench', 'results');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, `${name}.md`), markdown);
  console.log(markdown);
}

/** `--name N` from the command line, or the default when the flag is absent (npm run bench passes none). */
export function numberFlag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a whole number above 0, got "${process.argv[at + 1] ?? ''}"`);
  return value;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** Stops DevFlow and removes what it ran: its containers and its host processes. */
export async function stopAndClean(devflow: BenchDevflow): Promise<void> {
  await devflow.stop();
  const ids = (await execa('/usr/bin/docker', ['ps', '-aq', '--filter', `label=devflow.home=${devflow.home}`], { reject: false }))
    .stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await execa('/usr/bin/docker', ['rm', '-f', ...ids], { reject: false });
  const dir = path.join(devflow.home, 'run', 'instances');
  for (const file of await fs.readdir(dir).catch(() => [] as string[])) {
    const state = JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')) as { pgid?: number; pid: number };
    try {
      process.kill(-(state.pgid ?? state.pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
