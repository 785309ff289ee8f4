/**
 * The add-on Redis server (Debian's redis-server), started and supervised by DevFlow on the
 * embedded default: one server for every app's Redis add-on, data and ACL file under
 * DEVFLOW_HOME/redis (server-plan.ts). It starts when the first Redis add-on needs it (or at
 * boot when one exists), runs in its own process group so a terminal's Ctrl-C reaches only
 * DevFlow, is restarted with a growing delay when it exits, and is stopped with DevFlow. One
 * left running by a killed DevFlow is stopped first (its pid file names it).
 *
 * This is not DevFlow's own REDIS_URL (the deploy queue's server, if any): that one is the
 * operator's and never reaches apps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { DevflowError } from '../../core/errors.js';
import { freePort } from '../../core/embedded-postgres/embedded.js';
import { initialAclFile, redisLayout, renderRedisConf, type RedisServerLayout, type RedisServerSettings } from './server-plan.js';

export const REDIS_SERVER_BIN = '/usr/bin/redis-server';
const READY_TIMEOUT_MS = 20_000;
const MAX_RESTART_DELAY_MS = 30_000;

export interface RedisServerOptions {
  home: string;
  /** Addresses besides 127.0.0.1 to listen on (the Docker bridge gateway on docker/swarm). */
  listen: readonly string[];
  log: (line: string) => void;
  binary?: string;
}

export class ManagedRedisServer {
  readonly layout: RedisServerLayout;
  private child: ChildProcess | undefined;
  private starting: Promise<RedisServerSettings> | undefined;
  private stopping = false;
  private restartDelayMs = 1_000;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RedisServerOptions) {
    this.layout = redisLayout(options.home);
  }

  /** Starts the server once (later calls wait for the same start); resolves when it answers. */
  ensureStarted(): Promise<RedisServerSettings> {
    this.starting ??= this.start().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async start(): Promise<RedisServerSettings> {
    const { layout } = this;
    await fs.mkdir(layout.dataDir, { recursive: true, mode: 0o700 });
    const settings = await this.settings();
    await stopLeftover(layout.pidFile);
    await fs.writeFile(layout.conf, renderRedisConf(layout, settings.port, this.options.listen), { mode: 0o600 });
    // The ACL file holds the app users DevFlow made (ACL SAVE); only a first start writes it.
    await fs.writeFile(layout.aclFile, initialAclFile(settings.password), { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    this.spawnServer();
    await waitUntilAnswering(settings, () => this.child?.exitCode !== null, layout.logFile);
    return settings;
  }

  private spawnServer(): void {
    const child = spawn(this.options.binary ?? REDIS_SERVER_BIN, [this.layout.conf], { detached: true, stdio: 'ignore' });
    child.on('error', (err) => this.options.log(`redis add-on server: ${err.message}`));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    this.child = child;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || this.child !== child) return;
    this.options.log(`redis add-on server exited (${signal ?? `code ${code}`}); restarting in ${this.restartDelayMs / 1000} s (see ${this.layout.logFile})`);
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) this.spawnServer();
    }, this.restartDelayMs);
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, MAX_RESTART_DELAY_MS);
  }

  private async settings(): Promise<RedisServerSettings> {
    try {
      return JSON.parse(await fs.readFile(this.layout.settingsFile, 'utf8')) as RedisServerSettings;
    } catch {
      const settings = { port: await freePort(), password: randomBytes(32).toString('base64url') };
      await fs.writeFile(this.layout.settingsFile, JSON.stringify(settings), { mode: 0o600 });
      return settings;
    }
  }
}

async function stopLeftover(pidFile: string): Promise<void> {
  const pid = Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('redis-server')) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && (await fs.access(`/proc/${pid}`).then(() => true, () => false)); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitUntilAnswering({ port, password }: RedisServerSettings, exited: () => boolean, logFile: string): Promise<void> {
  const started = Date.now();
  while (!(await answers(port, password))) {
    if (exited() || Date.now() - started > READY_TIMEOUT_MS) {
      const tail = (await fs.readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
      throw new DevflowError('runtime_unavailable', `the add-on Redis server did not start${tail ? `: ${tail}` : ''} (is the redis-server package installed?)`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Ready means PING answers PONG after AUTH: a server that accepts connections while it still
 * loads its append-only file answers every command with -LOADING until the data is in.
 */
function answers(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n*1\r\n$4\r\nPING\r\n`);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (reply.split('\r\n').length < 3) return; // two replies: AUTH's, then PING's
      socket.destroy();
      resolve(reply.includes('+PONG\r\n'));
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}
