/**
 * The process runtime's memory on disk, so instances outlive DevFlow: one JSON state file per
 * instance under `<home>/run/instances/`, its output under `<home>/logs/instances/`, and what
 * the kernel says about processes (/proc, proc(5)).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readFile, readdir, rename, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseStoredAppName, parseProcessType, type AppName, type ProcessType } from '../../core/names.js';
import { splitLines, lastLines } from './log-lines.js';
import { parseProcStat, type ProcStat, type ProcessIdentity } from './process-plan.js';
import { parseProcUsage, type ProcUsage } from './usage.js';

export interface InstanceStateFile extends ProcessIdentity {
  id: string;
  app: AppName;
  release: number;
  processType: ProcessType;
  slot: number;
  port: number;
  /** ISO time DevFlow started it. */
  startedAt: string;
}

export class ProcessPaths {
  readonly runDir: string;
  readonly logDir: string;

  constructor(home: string) {
    this.runDir = join(home, 'run', 'instances');
    this.logDir = join(home, 'logs', 'instances');
  }

  stateFile(id: string): string {
    return join(this.runDir, `${id}.json`);
  }

  logFile(id: string): string {
    return join(this.logDir, `${id}.log`);
  }

  async ensure(): Promise<void> {
    await mkdir(this.runDir, { recursive: true });
    await mkdir(this.logDir, { recursive: true });
  }
}

/** Written to a temporary name then renamed, so a reader never sees half a file. */
export async function writeState(paths: ProcessPaths, state: InstanceStateFile): Promise<void> {
  const target = paths.stateFile(state.id);
  await writeFile(`${target}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${target}.tmp`, target);
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** Checks a parsed state file field by field; a file that fails is not ours to act on. */
function toState(data: unknown): InstanceStateFile | null {
  const d = data as Partial<Record<keyof InstanceStateFile, unknown>> | null;
  if (d === null || typeof d !== 'object') return null;
  const ints = [d.pid, d.pgid, d.release, d.slot, d.port];
  if (!ints.every((n) => Number.isInteger(n) && (n as number) > 0)) return null;
  if (typeof d.id !== 'string' || typeof d.startedAt !== 'string') return null;
  if (d.startTime !== null && typeof d.startTime !== 'string') return null;
  try {
    return {
      ...(d as InstanceStateFile),
      app: parseStoredAppName(d.app),
      processType: parseProcessType(d.processType),
    };
  } catch {
    return null;
  }
}

export async function readState(paths: ProcessPaths, id: string): Promise<InstanceStateFile | null> {
  try {
    return toState(JSON.parse(await readFile(paths.stateFile(id), 'utf8')));
  } catch (err) {
    if (isNotFound(err) || err instanceof SyntaxError) return null;
    throw err;
  }
}

/**
 * The last listing of a state directory: reused while the directory is unchanged (issue 23: the
 * log collector and the supervisor list the instances every second or two, and reading each
 * state file again was most of the process runtime's CPU at rest). State files are only ever
 * written whole under a temporary name and renamed, or removed, so every change to a state moves
 * the directory's modification time. A listing is reused only if that time is more than a second
 * older than the listing itself: a change in the same clock tick as the listing would not move
 * it visibly (the kernel stamps directories coarsely), so such a listing is read again.
 */
interface StateListing {
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  readAtMs: number;
  states: InstanceStateFile[];
}

const listings = new Map<string, StateListing>();
const SAME_TICK_MS = 1_000;

/** Whether a listing taken at `readAtMs` still stands for a directory now stamped `now` (pure; table-tested). */
export function listingStillValid(listing: Omit<StateListing, 'states'>, now: { mtimeMs: number; ctimeMs: number; ino: number }): boolean {
  return now.mtimeMs === listing.mtimeMs && now.ctimeMs === listing.ctimeMs && now.ino === listing.ino
    && listing.readAtMs - Math.max(listing.mtimeMs, listing.ctimeMs) > SAME_TICK_MS;
}

export async function readAllStates(paths: ProcessPaths): Promise<InstanceStateFile[]> {
  const readAtMs = Date.now();
  let dir;
  try {
    dir = await stat(paths.runDir);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const mark = { mtimeMs: dir.mtimeMs, ctimeMs: dir.ctimeMs, ino: dir.ino };
  const last = listings.get(paths.runDir);
  if (last !== undefined && listingStillValid(last, mark)) return [...last.states];
  let names: string[];
  try {
    names = await readdir(paths.runDir);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  const states = (await Promise.all(ids.map((id) => readState(paths, id)))).filter((state): state is InstanceStateFile => state !== null);
  listings.set(paths.runDir, { ...mark, readAtMs, states });
  return [...states];
}

export async function removeState(paths: ProcessPaths, id: string): Promise<void> {
  await rm(paths.stateFile(id), { force: true });
}

/** A /proc/<pid>/stat line is a few hundred bytes; a longer file still reads whole. */
const PROC_READ_BYTES = 2048;
/** Reused by every read: the reads are synchronous, so never two at once. */
let procBuffer = Buffer.allocUnsafe(PROC_READ_BYTES);

/**
 * Reads a /proc file. They report a size of 0, so fs.readFile reads each through a fresh 64 KiB
 * buffer (its path for files of unknown size): a scan of 200 processes held 12 MB of buffers at
 * once, every second on the process runtime (the log collector lists instances), and glibc kept
 * most of that memory after it was freed. This reads into one reused buffer of a line's size.
 * And synchronously (issue 23, CPU at rest): the kernel makes a /proc file when it is read and
 * never waits on a disk for it, while each step of an asynchronous read (open, read, read, close)
 * is a round trip through libuv's thread pool; at 10 idle apps those round trips were the larger
 * part of DevFlow's CPU at rest (the instances' liveness, asked every second).
 */
export async function readProcFile(file: string): Promise<string> {
  const fd = openSync(file, 'r');
  try {
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, procBuffer, length, procBuffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === procBuffer.length) procBuffer = Buffer.concat([procBuffer, Buffer.allocUnsafe(procBuffer.length)]);
    }
    return procBuffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

export async function readProcStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseProcStat(await readProcFile(`/proc/${pid}/stat`));
  } catch {
    return null; // gone, or raced with its exit
  }
}

/** Whether any process (a zombie too) has process group `pgid`: signal 0 checks without signalling. */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM: the group exists but belongs to someone else; the caller's scan decides.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Every process on the machine, by pid: liveness checks need the process groups too. */
export async function snapshotProcesses(): Promise<Map<number, ProcStat>> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = await Promise.all(pids.map(readProcStat));
  return new Map(stats.filter((s): s is ProcStat => s !== null).map((s) => [s.pid, s]));
}

/** CPU and memory of every process on the machine (usage.ts), for the instances' usage. */
export async function readAllProcUsage(): Promise<ProcUsage[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const read = await Promise.all(pids.map((pid) => readProcFile(`/proc/${pid}/stat`).then(parseProcUsage, () => null)));
  return read.filter((u): u is ProcUsage => u !== null);
}

const CHUNK_BYTES = 64 * 1024;

/** The last `tail` lines of a file, read backwards in chunks so big logs cost little. */
export async function readLastLines(file: string, tail: number): Promise<string[] | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let start = size;
    let newlines = 0;
    while (start > 0 && newlines <= tail) {
      const length = Math.min(CHUNK_BYTES, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, start);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 10) newlines += 1;
    }
    return lastLines(splitLines(Buffer.concat(chunks).toString('utf8')), tail);
  } finally {
    await handle.close();
  }
}
