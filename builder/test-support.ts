/**
 * Helpers for the builder's tests: start what a build produced (a slug process on the host, an
 * image as a container) the way a runtime would, and read its body over HTTP.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { execa } from 'execa';
import type { Artifact } from '../core/types.js';

export interface Running {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls until the app answers (apps take a moment to bind), then returns the body. */
export async function fetchBody(url: string, attempts = 100): Promise<string> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(url);
      return await res.text();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered: ${String(last)}`);
}

/** Starts a slug's process type the way the process runtime does: sh -c in the slug dir. */
export async function startSlug(artifact: Artifact, type = 'web'): Promise<Running> {
  if (artifact.kind !== 'slug') throw new Error('not a slug');
  const command = artifact.processes[type];
  if (!command) throw new Error(`no ${type} process`);
  const port = await freePort();
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: artifact.dir,
    env: { ...process.env, ...artifact.env, PORT: String(port) },
    detached: true,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
}

/** Runs an image as the docker runtime would, publishing port 5000 on loopback. */
export async function runImage(image: string): Promise<Running> {
  const run = await execa('/usr/bin/docker', ['run', '-d', '-p', '127.0.0.1::5000', '-e', 'PORT=5000', image]);
  const id = run.stdout.trim();
  const port = await execa('/usr/bin/docker', ['port', id, '5000/tcp']);
  const hostPort = /:(\d+)\s*$/m.exec(port.stdout.split('\n')[0] ?? '')?.[1];
  return {
    url: `http://127.0.0.1:${hostPort}/`,
    stop: async () => {
      await execa('/usr/bin/docker', ['rm', '-f', id], { reject: false });
    },
  };
}

export async function removeImages(images: string[]): Promise<void> {
  if (images.length > 0) await execa('/usr/bin/docker', ['rmi', '-f', ...images], { reject: false });
}

export function collectLog(): { lines: string[]; log: { line(text: string): void } } {
  const lines: string[] = [];
  return { lines, log: { line: (text) => lines.push(text) } };
}
