/**
 * Build containers kept warm per app between image builds. Starting and removing a container
 * costs about 0.3 s, the largest fixed cost of a warm build, so a successful build hands its
 * container back and the app's next build runs its commands in it (the workspace sits at stable
 * paths in the app's cache dir, so the bind mounts are the same). It stays as clean as a fresh
 * one: the root file system is read-only (only the bound workspace, which the lifecycle empties,
 * and a tmpfs /tmp are writable), and on hand-back every process the build left is killed and
 * /tmp emptied. A failed build's container is removed. A container nobody takes exits by itself
 * IDLE_SECONDS after its last build, and the engine removes it (AutoRemove): its first process
 * watches a lease file in the workspace that the host marks busy or idle.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { BUILD_IMAGE } from '../stack.js';
import { waitForReader, type Channel } from './command-channel.js';

export const IDLE_SECONDS = 600;
/** A container is only taken well before its watcher could decide to exit. */
const TAKE_MARGIN_SECONDS = 60;
/** Where the lease directory is mounted in the container. */
export const LEASE_VIEW = '/cnb/lease';

/** How long a fresh container's first process may take to open its request FIFO (a loaded machine is slow). */
const CHANNEL_OPEN_MS = 30_000;

/** Where the command channel directory (command-channel.ts) is mounted in the container. */
export const CHANNEL_VIEW = '/cnb/channel';

/**
 * The first process (bash): stays while its lease says busy or was written less than
 * IDLE_SECONDS ago. A removed lease (the app's cache is gone) ends it too: stat fails and the
 * arithmetic with it. Between lease checks it waits up to 2 s for a line on its request FIFO
 * (held open read-write, so it never sees an end of file), then starts every job the host has
 * written (`<id>.job`, taken by renaming it `<id>.run`) in the background (command-channel.ts):
 * commands of a build then cost no `docker exec`. What the line says does not matter, and a line
 * cut by the timeout loses no job.
 */
export const WATCH_SCRIPT = [
  'lease="$1"',
  'channel="$2"',
  'exec 3<>"$channel/$3"',
  'while [ "$(cat "$lease")" = busy ] || [ $(( $(date +%s) - $(stat -c %Y "$lease") )) -lt ' + String(IDLE_SECONDS) + ' ]; do',
  '  read -r -t 2 _ <&3',
  '  for job in "$channel"/*.job; do',
  '    run="${job%.job}.run"',
  '    [ -f "$job" ] && mv "$job" "$run" 2>/dev/null && { bash "$run" 3<&- & }',
  '  done',
  'done',
].join('\n');

/** Kills whatever a build left running (the watcher, process 1, cannot be killed from inside) and empties /tmp. */
export const SCRUB_COMMAND = ['sh', '-c', 'kill -9 -1 2>/dev/null; rm -rf /tmp/* /tmp/.[!.]* 2>/dev/null; exit 0'];

export interface WarmSpec {
  /** Bind mounts, the lease and channel directories' included; the same binds mean the same app workspace. */
  binds: string[];
  /** Host directory mounted at LEASE_VIEW. */
  leaseDir: string;
  /** Host directory mounted read-write at CHANNEL_VIEW. */
  channelDir: string;
  user: string;
}

interface Idle {
  container: Docker.Container;
  imageId: string;
  leaseFile: string;
  idleSince: number;
  channel: Channel;
}

export interface WarmContainer {
  container: Docker.Container;
  /** Where its commands go without a `docker exec` (command-channel.ts). */
  channel: Channel;
  /** Hands the container back for the app's next build. */
  keep(): Promise<void>;
  remove(): Promise<void>;
}

const idle = new Map<string, Idle>();

const keyOf = (spec: WarmSpec) => JSON.stringify([spec.binds, spec.user]);

/** Pure: may an idle container be taken now? */
export function takeable(entry: { imageId: string; idleSince: number }, imageId: string, now: number): boolean {
  return entry.imageId === imageId && now - entry.idleSince < (IDLE_SECONDS - TAKE_MARGIN_SECONDS) * 1000;
}

async function takeIdle(docker: Docker, key: string): Promise<Idle | null> {
  const entry = idle.get(key);
  if (!entry) return null;
  idle.delete(key);
  const [image, state] = await Promise.all([
    docker.getImage(BUILD_IMAGE).inspect(),
    entry.container.inspect().catch(() => null),
  ]);
  // A lease that is gone means the workspace was removed (the app too, maybe): its mounts are stale.
  if (state?.State.Running && existsSync(entry.leaseFile) && takeable(entry, image.Id, Date.now())) {
    await writeFile(entry.leaseFile, 'busy');
    return entry;
  }
  await removeEntry(entry);
  return null;
}

/** A request FIFO of its own per container, so a container being removed never reads another's jobs. */
async function makeChannel(channelDir: string, name: string): Promise<Channel> {
  await mkdir(channelDir, { recursive: true });
  const requests = `requests-${name}`;
  await rm(join(channelDir, requests), { force: true });
  await execa('mkfifo', ['-m', '600', join(channelDir, requests)]);
  return { hostDir: channelDir, viewDir: CHANNEL_VIEW, requests };
}

async function startFresh(docker: Docker, spec: WarmSpec): Promise<Idle> {
  await mkdir(spec.leaseDir, { recursive: true });
  const name = randomBytes(8).toString('hex');
  const leaseFile = join(spec.leaseDir, name);
  await writeFile(leaseFile, 'busy');
  const channel = await makeChannel(spec.channelDir, name);
  const container = await docker.createContainer({
    Image: BUILD_IMAGE,
    Cmd: ['bash', '-c', WATCH_SCRIPT, 'watch', `${LEASE_VIEW}/${name}`, CHANNEL_VIEW, channel.requests],
    User: spec.user,
    Labels: { 'devflow.role': 'build' },
    HostConfig: { Binds: spec.binds, AutoRemove: true, ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,exec,mode=1777' } },
  });
  try {
    await container.start();
    await waitForReader(channel, CHANNEL_OPEN_MS);
  } catch (err) {
    await container.remove({ force: true }).catch(() => undefined);
    throw err;
  }
  return { container, imageId: (await container.inspect()).Image, leaseFile, idleSince: 0, channel };
}

/** Scrubs the container and marks its lease idle; a container that cannot be scrubbed is removed. */
async function handBack(docker: Docker, key: string, entry: Idle, spec: WarmSpec): Promise<void> {
  try {
    const exec = await entry.container.exec({ Cmd: SCRUB_COMMAND, User: spec.user });
    await new Promise<void>((resolve, reject) => {
      exec.start({ hijack: true, stdin: false }).then((stream) => {
        stream.on('end', resolve).on('close', resolve).on('error', reject);
        stream.resume();
      }, reject);
    });
    await writeFile(entry.leaseFile, 'idle');
    const previous = idle.get(key);
    idle.set(key, { ...entry, idleSince: Date.now() });
    if (previous) await removeEntry(previous);
  } catch {
    await removeEntry(entry);
  }
}

async function removeEntry(entry: Idle): Promise<void> {
  await entry.container.remove({ force: true }).catch(() => undefined);
  await rm(entry.leaseFile, { force: true });
  await rm(join(entry.channel.hostDir, entry.channel.requests), { force: true });
}

/** The app's warm container when it has one that may be taken, else a freshly started one. */
export async function acquireContainer(docker: Docker, spec: WarmSpec): Promise<{ warm: WarmContainer; reused: boolean }> {
  const key = keyOf(spec);
  const taken = await takeIdle(docker, key);
  const entry = taken ?? (await startFresh(docker, spec));
  return {
    reused: taken !== null,
    warm: {
      container: entry.container,
      channel: entry.channel,
      keep: () => handBack(docker, key, entry, spec),
      remove: () => removeEntry(entry),
    },
  };
}

/** Removes the idle warm containers (DevFlow is stopping); one in use stays with its build. */
export async function removeWarmContainers(): Promise<void> {
  const entries = [...idle.values()];
  idle.clear();
  await Promise.all(entries.map(removeEntry));
}
