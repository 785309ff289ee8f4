/**
 * Helpers for the runtime tests: waiting for a condition, and images with a Node runtime for
 * the docker driver. No registry is reachable, so the base image is made locally: from the
 * DevFlow stack run image when another part already built it, else from a debootstrap rootfs,
 * with this machine's own `node` binary added. It is cached as NODE_TEST_IMAGE across runs.
 */
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { imageExists } from '../../builder/docker-images.js';

export const NODE_TEST_IMAGE = 'devflow-test/node-base:latest';
export const STACK_RUN_IMAGE = 'devflow/stack-run:bookworm';
const SHARED_ROOTFS = '/tmp/stack/rootfs';
const DOCKER = '/usr/bin/docker';

/** Polls until `check` returns a value (not undefined/throwing), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: last });
    await sleep(100);
  }
}


/** The Debian mirror this machine's apt uses (deb822 sources), so debootstrap works offline-ish. */
async function debianMirror(): Promise<string> {
  const sources = await readFile('/etc/apt/sources.list.d/debian.sources', 'utf8').catch(() => '');
  const uri = /^URIs:\s*(\S+)/m.exec(sources)?.[1];
  return uri ?? 'http://deb.debian.org/debian';
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** Imports a bookworm rootfs with the host's node binary at /usr/bin/node, in one tar stream. */
async function importRootfsWithNode(rootfs: string): Promise<void> {
  await execa('tar', ['-C', rootfs, '-c', '.', '-C', '/', 'usr/bin/node']).pipe(DOCKER, [
    'import',
    '--change',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '-',
    NODE_TEST_IMAGE,
  ]);
}

async function buildFromStackImage(): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), 'devflow-node-base-'));
  try {
    await copyFile(process.execPath, join(context, 'node'));
    await writeFile(join(context, 'Dockerfile'), `FROM ${STACK_RUN_IMAGE}\nCOPY node /usr/bin/node\n`);
    await execa(DOCKER, ['build', '-q', '-t', NODE_TEST_IMAGE, context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

async function buildFromDebootstrap(): Promise<void> {
  if (await isDirectory(join(SHARED_ROOTFS, 'usr'))) return importRootfsWithNode(SHARED_ROOTFS);
  const rootfs = await mkdtemp(join(tmpdir(), 'devflow-rootfs-'));
  try {
    await execa('debootstrap', ['--variant=minbase', 'bookworm', rootfs, await debianMirror()]);
    await importRootfsWithNode(rootfs);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}

/** Makes NODE_TEST_IMAGE once per machine; later runs find it cached. */
export async function ensureNodeTestImage(docker: Docker): Promise<string> {
  if (await imageExists(docker, NODE_TEST_IMAGE)) return NODE_TEST_IMAGE;
  if (await imageExists(docker, STACK_RUN_IMAGE)) await buildFromStackImage();
  else await buildFromDebootstrap();
  return NODE_TEST_IMAGE;
}

/** Builds a throwaway image from a Dockerfile and files; the caller removes it. */
export async function buildTestImage(tag: string, dockerfile: string, files: Record<string, string>): Promise<string> {
  const context = await mkdtemp(join(tmpdir(), 'devflow-test-image-'));
  try {
    await writeFile(join(context, 'Dockerfile'), dockerfile);
    for (const [name, content] of Object.entries(files)) await writeFile(join(context, name), content);
    await execa(DOCKER, ['build', '-q', '-t', tag, context]);
    return tag;
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** A process that runs and is not a zombie: what "still running" means to a user. */
export async function isPidRunning(pid: number): Promise<boolean> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return false;
  const state = text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** A container's memory as `docker stats` prints it (rounded by the CLI), in bytes. */
export async function dockerStatsMemoryBytes(container: string): Promise<number> {
  const shown = (await execa(DOCKER, ['stats', '--no-stream', '--format', '{{.MemUsage}}', container])).stdout;
  const [, amount, unit] = /^([\d.]+)(KiB|MiB|GiB)/.exec(shown) ?? [];
  return Number(amount) * { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[unit as 'KiB' | 'MiB' | 'GiB'];
}

/**
 * A Docker socket in front of the engine's that passes every request through, except reads of a
 * swarm task's log: those get their head and a first line, then nothing more, the way the engine's
 * task log API sometimes answers (moby/moby#38640: output shown, then the call never ends).
 */
export interface StalledTaskLogs {
  socketPath: string;
  /** Task log reads answered so far (all of them stalled). */
  reads(): number;
  /** Stalled reads whose connection the client has not closed. */
  open(): number;
  close(): Promise<void>;
}

export async function dockerSocketWithStalledTaskLogs(engineSocket = '/var/run/docker.sock'): Promise<StalledTaskLogs> {
  const dir = await mkdtemp(join(tmpdir(), 'devflow-docker-socket-'));
  const socketPath = join(dir, 'docker.sock');
  const held = new Set<http.ServerResponse>();
  let reads = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && /^(\/v[\d.]+)?\/tasks\/[^/]+\/logs/.test(req.url ?? '')) {
      reads++;
      held.add(res);
      res.on('close', () => held.delete(res));
      res.writeHead(200, { 'content-type': 'application/vnd.docker.raw-stream' });
      // One stdout frame of the multiplexed stream (stream type, 3 zero bytes, big-endian size).
      const line = Buffer.from('first line\n');
      const frame = Buffer.alloc(8 + line.length);
      frame[0] = 1;
      frame.writeUInt32BE(line.length, 4);
      line.copy(frame, 8);
      res.write(frame);
      return;
    }
    const upstream = http.request({ socketPath: engineSocket, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => res.destroy(err));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    reads: () => reads,
    open: () => held.size,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
