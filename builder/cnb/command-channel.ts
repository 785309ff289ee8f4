/**
 * Commands for the warm build container without a `docker exec` each (issue 15). An exec costs
 * the engine a runc start inside the container, 35-45 ms on a quiet machine and 0.3-0.9 s on a
 * loaded one, and a warm build runs two in a row (detect, build) before its export. The warm
 * container's first process (warm-containers.ts) is a bash loop that also reads job names from
 * a FIFO in a channel directory shared with the host and starts each job in the background: the
 * host writes the job (a bash script made here from the argument array, `<id>.job`), a FIFO for
 * its output, and the job's name on the request FIFO, which only wakes the watcher: it takes every
 * `*.job` it finds (renaming it `<id>.run`), so a name it read in part (bash's `read -t` can drop
 * the bytes it read when its timeout fires: a build then waited for ever) loses nothing. The job runs the command with stdout and stderr into that FIFO and ends it
 * with a marker line carrying the exit status. Commands stay argument arrays: every word is
 * single-quoted, never parsed by a shell from user input. What the channel cannot carry (an
 * environment name that is not a shell identifier) and a container without a channel go through
 * `docker exec` as before (container-executor.ts). A job's output FIFO is made ahead of it (see
 * takeOutput), as `mkfifo` is a process start of its own.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, open as openFd } from 'node:fs';
import { open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import type { LogSink } from '../../core/types.js';
import type { ExecCommand } from './executor.js';

/** The channel directory as the host and the container see it, and the container's request FIFO. */
export interface Channel {
  hostDir: string;
  viewDir: string;
  /** File name of the FIFO the container's first process reads job names from. */
  requests: string;
}

/** How often a running job checks that its container still runs (a killed container writes no marker). */
const ALIVE_CHECK_MS = 2000;

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quotes one word for bash (pure). */
export function quoteWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Whether the channel can carry this command exactly (pure): every env name must be a shell name. */
export function channelCarries(command: ExecCommand): boolean {
  return Object.keys(command.env).every((name) => SHELL_NAME.test(name));
}

/**
 * The job script (pure): output FIFO held open on fd 4 for the whole job, so the reader sees
 * the marker even when a process the command left behind keeps the FIFO open; stdin from
 * /dev/null as `docker exec` without stdin gives; the marker is the last line.
 */
export function renderJob(command: ExecCommand, outView: string, marker: string): string {
  const exports = Object.entries(command.env).map(([k, v]) => `export ${quoteWord(`${k}=${v}`)}`);
  const argv = [command.file, ...command.args].map(quoteWord).join(' ');
  return [
    `exec 4>${quoteWord(outView)}`,
    `( cd ${quoteWord(command.cwd)} || exit 126`,
    ...exports.map((line) => `  ${line}`),
    `  exec ${argv}`,
    ') </dev/null >&4 2>&4',
    `printf '%s %d\\n' ${quoteWord(marker)} "$?" >&4`,
    '',
  ].join('\n');
}

/**
 * Reads one output line (pure): the marker ends the job with its status; text before the marker
 * on the same line is the command's last line, written without a newline.
 */
export function readMarker(line: string, marker: string): { text: string | null; exitCode: number | null } {
  const at = line.indexOf(`${marker} `);
  if (at < 0) return { text: line, exitCode: null };
  const exitCode = Number(line.slice(at + marker.length + 1));
  return { text: at > 0 ? line.slice(0, at) : null, exitCode: Number.isInteger(exitCode) ? exitCode : 1 };
}

/** The channel's request FIFO could not be opened: nothing reads it (the container is gone). */
export class ChannelClosedError extends Error {}

/**
 * The build's own processes can write in the channel directory, so the host opens only FIFOs
 * there and never follows a link: a request FIFO swapped for a link would otherwise have the
 * host write into a file of its own choosing.
 */
const FIFO_ONLY = constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Non-blocking: with no reader the open fails (ENXIO) instead of waiting forever. */
async function openRequests(channel: Channel) {
  const handle = await open(join(channel.hostDir, channel.requests), constants.O_WRONLY | FIFO_ONLY);
  if (!(await handle.stat()).isFIFO()) {
    await handle.close();
    throw new ChannelClosedError(`the build container's request FIFO ${channel.requests} was replaced`);
  }
  return handle;
}

/**
 * Waits until the container's first process holds its request FIFO open: a container that has
 * just started may not have got that far, and a job name sent before would find no reader.
 */
export async function waitForReader(channel: Channel, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const handle = await openRequests(channel).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > deadline) {
        throw new ChannelClosedError(`the build container's command channel did not open (${(err as Error).message})`);
      }
      return null;
    });
    if (handle !== null) return handle.close();
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function sendJobName(channel: Channel, id: string): Promise<void> {
  const handle = await openRequests(channel).catch((err: unknown) => {
    throw new ChannelClosedError(`the build container's command channel is closed (${(err as Error).message})`);
  });
  try {
    await handle.write(`${id}\n`);
  } finally {
    await handle.close();
  }
}

/**
 * Output FIFOs made ahead (issue 15): `mkfifo` is a process start, 5-20 ms, which every command
 * of a build waited for before it could run (twice on the critical path of a warm build: detect,
 * then build). Each channel directory keeps SPARE_OUTPUTS made, replaced in the background as
 * they are taken. A spare that went missing is made again on the spot; the spares a previous
 * DevFlow process left (it kept their names in memory only) are removed before the first job.
 */
const SPARE_OUTPUTS = 2;
const OUTPUT_PREFIX = 'out-';
const spares = new Map<string, string[]>();
const refilling = new Set<string>();
const tidied = new Map<string, Promise<void>>();

const outputName = (id: string) => `${OUTPUT_PREFIX}${id}`;
const newJobId = () => randomBytes(8).toString('hex');

async function makeOutput(hostDir: string, id: string): Promise<void> {
  await execa('mkfifo', ['-m', '600', join(hostDir, outputName(id))]);
}

function tidyOnce(hostDir: string): Promise<void> {
  let done = tidied.get(hostDir);
  if (done === undefined) {
    done = readdir(hostDir).then(async (names) => {
      for (const name of names.filter((n) => n.startsWith(OUTPUT_PREFIX))) await rm(join(hostDir, name), { force: true });
    }, () => undefined);
    tidied.set(hostDir, done);
  }
  return done;
}

function refill(hostDir: string): void {
  if (refilling.has(hostDir)) return;
  refilling.add(hostDir);
  const ready = spares.get(hostDir) ?? [];
  spares.set(hostDir, ready);
  void (async () => {
    while (ready.length < SPARE_OUTPUTS) {
      const id = newJobId();
      await makeOutput(hostDir, id);
      ready.push(id);
    }
  })().catch(() => undefined).finally(() => refilling.delete(hostDir));
}

/** Makes the spare output FIFOs of a channel directory in the background (an executor opening calls it). */
export function prepareOutputs(hostDir: string): void {
  void tidyOnce(hostDir).then(() => refill(hostDir));
}

/** A job id whose output FIFO exists: a spare when one is ready, else made now. */
async function takeOutput(hostDir: string): Promise<{ id: string; fresh: boolean }> {
  await tidyOnce(hostDir);
  const spare = spares.get(hostDir)?.shift();
  refill(hostDir);
  if (spare !== undefined) return { id: spare, fresh: false };
  const id = newJobId();
  await makeOutput(hostDir, id);
  return { id, fresh: true };
}

/**
 * Runs one command through the channel; resolves with its exit status once its marker line
 * arrives. `isAlive` is asked every ALIVE_CHECK_MS; a job whose container stopped fails.
 */
export async function runThroughChannel(
  channel: Channel,
  command: ExecCommand,
  sink: LogSink,
  isAlive: () => Promise<boolean>,
): Promise<number> {
  const marker = `devflow-exit-${randomBytes(8).toString('hex')}`;
  const { id, fresh } = await takeOutput(channel.hostDir);
  const [script, out] = [join(channel.hostDir, `${id}.job`), join(channel.hostDir, outputName(id))];
  const removeJobFiles = async () => {
    // The job as written, as renamed by the watcher when it took it (`.run`), and its output.
    for (const file of [`${script}.tmp`, script, join(channel.hostDir, `${id}.run`), out]) await rm(file, { force: true });
  };
  const job = renderJob(command, `${channel.viewDir}/${outputName(id)}`, marker);
  const fd = await openOutput(script, out, job, fresh).catch(async (err: unknown) => {
    await removeJobFiles();
    throw err;
  });
  // The socket owns the descriptor from here and closes it when destroyed.
  const socket = new net.Socket({ fd, readable: true, writable: false });
  let timer: NodeJS.Timeout | undefined;
  try {
    await sendJobName(channel, id);
    const died = new Promise<number>((_, reject) => {
      const check = () => {
        timer = setTimeout(() => {
          isAlive().then((alive) => (alive ? check() : reject(new ChannelClosedError('the build container stopped while a command ran'))), reject);
        }, ALIVE_CHECK_MS);
      };
      check();
    });
    return await Promise.race([readUntilMarker(socket, marker, sink), died]);
  } finally {
    clearTimeout(timer);
    socket.destroy();
    await removeJobFiles();
  }
}

function openFifo(out: string): Promise<number> {
  // Read-write: the open does not wait for the job, and the reader never sees an early EOF.
  return new Promise<number>((resolve, reject) => {
    openFd(out, constants.O_RDWR | FIFO_ONLY, (err, opened) => (err ? reject(err) : resolve(opened)));
  });
}

/**
 * Writes the job (a new file: never through a link left there) and opens its output FIFO (made
 * again when a spare went missing); returns the FIFO's descriptor.
 */
async function openOutput(script: string, out: string, job: string, fresh: boolean): Promise<number> {
  // Whole before the watcher can see it: it takes any `*.job` it finds, whenever it looks.
  await writeFile(`${script}.tmp`, job, { flag: 'wx' });
  await rename(`${script}.tmp`, script);
  const fd = await openFifo(out).catch(async (err: NodeJS.ErrnoException) => {
    if (fresh || err.code !== 'ENOENT') throw err;
    await execa('mkfifo', ['-m', '600', out]);
    return openFifo(out);
  });
  if (!fstatSync(fd).isFIFO()) {
    closeSync(fd);
    throw new ChannelClosedError(`the output FIFO ${out} was replaced`);
  }
  return fd;
}

async function readUntilMarker(socket: net.Socket, marker: string, sink: LogSink): Promise<number> {
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const { text, exitCode } = readMarker(line, marker);
      if (text !== null) sink.line(text);
      if (exitCode !== null) return exitCode;
    }
  } finally {
    lines.close();
  }
  throw new ChannelClosedError('the command channel closed before the command ended');
}
