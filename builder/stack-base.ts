/**
 * The stack's base image (Debian bookworm). Where a registry answers, it is the official
 * debian:bookworm-slim; where none does (air-gapped hosts, this project's CI) it is made
 * locally with debootstrap from the host's own apt mirror and imported with `docker import`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BuildError } from '../core/errors.js';
import type { LogSink } from '../core/types.js';
import { imageExists, tarDirectory } from './docker-images.js';
import { runCommand } from './run-command.js';

export const STACK_ID = 'bookworm';
export const BASE_IMAGE = `devflow/stack-base:${STACK_ID}`;
const UPSTREAM_IMAGE = 'debian:bookworm-slim';
const PULL_TIMEOUT_MS = 15_000;
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/**
 * Picks the Debian mirror for `suite` from apt source files, deb822 (`URIs:`/`Suites:`) or
 * one-line (`deb URI suite components`). Security mirrors are skipped: they hold no base system.
 */
export function parseAptMirror(text: string, suite = STACK_ID): string | null {
  for (const stanza of text.split(/\n\s*\n/)) {
    const uris = /^URIs:\s*(\S+)/im.exec(stanza)?.[1];
    const suites = /^Suites:\s*(.+)$/im.exec(stanza)?.[1]?.split(/\s+/) ?? [];
    if (uris && suites.includes(suite)) return uris;
  }
  for (const line of text.split('\n')) {
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line.trim());
    if (m?.[1] && m[2] === suite) return m[1];
  }
  return null;
}

async function hostAptMirror(): Promise<string> {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const mirror = parseAptMirror(text);
    if (mirror) return mirror;
  }
  return DEFAULT_MIRROR;
}

/** Pulls the upstream image, giving up quickly when no registry answers. */
async function tryPull(docker: Docker, log: LogSink): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), PULL_TIMEOUT_MS);
  try {
    const stream = await docker.pull(UPSTREAM_IMAGE, { abortSignal: abort.signal });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    await docker.getImage(UPSTREAM_IMAGE).tag({ repo: 'devflow/stack-base', tag: STACK_ID });
    log.line(`-----> Based the stack on ${UPSTREAM_IMAGE}`);
    return true;
  } catch (err) {
    log.line(`-----> No registry answered (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// Caches and documentation are dead weight in every image built on the stack.
const STRIP_PATHS = ['var/cache/apt', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info'];

async function debootstrapBase(docker: Docker, log: LogSink): Promise<void> {
  const mirror = await hostAptMirror();
  const root = await mkdtemp(join(tmpdir(), 'devflow-rootfs-'));
  try {
    log.line(`-----> Creating a ${STACK_ID} root file system with debootstrap from ${mirror}`);
    const args = ['--variant=minbase', STACK_ID, root, mirror];
    const outcome = await runCommand({ file: 'debootstrap', args }, log);
    if (outcome.exitCode !== 0) {
      throw new BuildError('stack', `debootstrap exited ${outcome.exitCode}; is the debootstrap package installed?`, outcome.tail);
    }
    for (const path of STRIP_PATHS) {
      await rm(join(root, path), { recursive: true, force: true });
    }
    log.line(`-----> Importing ${BASE_IMAGE}`);
    // The stack label is added by the run image's Dockerfile; `docker import` keeps this one bare.
    const stream = await docker.importImage(tarDirectory(root), { repo: 'devflow/stack-base', tag: STACK_ID });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Makes sure BASE_IMAGE exists, from a registry if one answers, else from debootstrap. */
export async function ensureBaseImage(docker: Docker, log: LogSink, force = false): Promise<void> {
  if (!force && (await imageExists(docker, BASE_IMAGE))) return;
  if (await tryPull(docker, log)) return;
  await debootstrapBase(docker, log);
  if (!(await imageExists(docker, BASE_IMAGE))) {
    throw new BuildError('stack', `docker import did not produce ${BASE_IMAGE}`);
  }
}
