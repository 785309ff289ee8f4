/**
 * Runs buildpack commands inside the stack's build image, so an image build uses the same OS and
 * Node as the image it produces. One long-lived container per build, kept warm for the app's
 * next build; each command goes through the container's command channel (command-channel.ts),
 * or is a `docker exec` (about 10x cheaper than a container per command) when the channel cannot
 * carry it.
 */
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import type Docker from 'dockerode';
import type { LogSink } from '../../core/types.js';
import { LineTail, teeLog } from '../run-command.js';
import { BUILD_IMAGE } from '../stack.js';
import type { ExecCommand, Executor, Workspace } from './executor.js';
import { channelCarries, prepareOutputs, runThroughChannel } from './command-channel.js';
import { acquireContainer, CHANNEL_VIEW, LEASE_VIEW, type WarmContainer } from './warm-containers.js';

export const CONTAINER_VIEW: Workspace = {
  appDir: '/workspace',
  layersDir: '/layers',
  buildpacksDir: '/cnb/buildpacks',
  platformDir: '/platform',
  scratchDir: '/cnb/scratch',
  caFile: '/cnb/ca.crt',
};

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Bind mounts: host workspace → the container's fixed layout. */
export function workspaceBinds(ws: Workspace): string[] {
  const binds = [
    `${ws.appDir}:${CONTAINER_VIEW.appDir}`,
    `${ws.layersDir}:${CONTAINER_VIEW.layersDir}`,
    `${ws.buildpacksDir}:${CONTAINER_VIEW.buildpacksDir}:ro`,
    `${ws.platformDir}:${CONTAINER_VIEW.platformDir}:ro`,
    `${ws.scratchDir}:${CONTAINER_VIEW.scratchDir}`,
  ];
  if (ws.caFile) binds.push(`${ws.caFile}:${CONTAINER_VIEW.caFile}:ro`);
  return binds;
}

/** Builds run as the host user, so every file they write in the workspace stays removable by it. */
function hostUser(): string {
  return `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
}

/** Host directories beside the workspace that outlive a build: the warm container's lease and command channel. */
export interface WarmDirs {
  leaseDir: string;
  channelDir: string;
}

/** Opens an executor in the app's warm build container (warm-containers.ts) or a fresh one. */
export async function openContainerExecutor(docker: Docker, ws: Workspace, dirs: WarmDirs, log: LogSink): Promise<Executor> {
  const user = hostUser();
  // The first commands' output FIFOs are made while the container is taken or started.
  prepareOutputs(dirs.channelDir);
  const binds = [...workspaceBinds(ws), `${dirs.leaseDir}:${LEASE_VIEW}:ro`, `${dirs.channelDir}:${CHANNEL_VIEW}`];
  const { warm, reused } = await acquireContainer(docker, { binds, ...dirs, user });
  log.line(`-----> Building inside ${BUILD_IMAGE}${reused ? ' (warm container)' : ''}`);
  const view = { ...CONTAINER_VIEW, caFile: ws.caFile ? CONTAINER_VIEW.caFile : null };
  let done: Promise<void> | undefined;
  return {
    kind: 'container',
    view,
    basePath: BASE_PATH,
    run: (command, sink) => runInContainer(docker, warm, command, sink),
    release: () => (done ??= warm.keep()),
    close: () => (done ??= warm.remove()),
  };
}

/** The environment every command starts from, its own variables on top. */
function commandEnv(command: ExecCommand): Record<string, string> {
  return { HOME: `${CONTAINER_VIEW.scratchDir}/home`, LANG: 'C.UTF-8', PATH: BASE_PATH, ...command.env };
}

async function runInContainer(docker: Docker, warm: WarmContainer, command: ExecCommand, log: LogSink): Promise<{ exitCode: number; tail: string[] }> {
  const tail = new LineTail();
  const sink = teeLog(log, tail);
  const full = { ...command, env: commandEnv(command) };
  if (!channelCarries(full)) return { exitCode: await execInContainer(docker, warm.container, full, sink), tail: tail.get() };
  const isAlive = async () => (await warm.container.inspect().catch(() => null))?.State.Running === true;
  return { exitCode: await runThroughChannel(warm.channel, full, sink, isAlive), tail: tail.get() };
}

/** `docker exec` of one command; `command.env` is the whole environment to add. */
async function execInContainer(docker: Docker, container: Docker.Container, command: ExecCommand, sink: LogSink): Promise<number> {
  const env = command.env;
  const exec = await container.exec({
    Cmd: [command.file, ...command.args],
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: command.cwd,
    User: hostUser(),
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const merged = new PassThrough();
  docker.modem.demuxStream(stream, merged, merged);
  const lines = createInterface({ input: merged, crlfDelay: Infinity });
  const reading = (async () => {
    for await (const line of lines) sink.line(line);
  })();
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  merged.end();
  await reading;
  const info = await exec.inspect();
  return info.ExitCode ?? 1;
}
