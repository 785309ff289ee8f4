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
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { freePort } from '../../core/embedded-postgres/embedded.js';
import { SupervisedProcess, stopLeftover } from '../supervised-process.js';
import { initialAclFile, redisLayout, renderRedisConf, type RedisServerLayout, type RedisServerSettings } from './server-plan.js';

export const REDIS_SERVER_BIN = '/usr/bin/redis-server';

export interface RedisServerOptions {
  home: string;
  /** Addresses besides 127.0.0.1 to listen on (the Docker bridge gateway on docker/swarm). */
  listen: readonly string[];
  log: (line: string) => void;
  binary?: string;
}

export class ManagedRedisServer {
  readonly layout: RedisServerLayout;
  private readonly process: SupervisedProcess;
  private starting: Promise<RedisServerSettings> | undefined;

  constructor(private readonly options: RedisServerOptions) {
    this.layout = redisLayout(options.home);
    this.process = new SupervisedProcess({
      name: 'redis add-on server', binary: options.binary ?? REDIS_SERVER_BIN, args: [this.layout.conf], logFile: this.layout.logFile, log: options.log,
    });
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
    return this.process.running;
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  private async start(): Promise<RedisServerSettings> {
    const { layout } = this;
    await fs.mkdir(layout.dataDir, { recursive: true, mode: 0o700 });
    const settings = await this.settings();
    await stopLeftover(layout.pidFile, 'redis-server');
    await fs.writeFile(layout.conf, renderRedisConf(layout, settings.port, this.options.listen), { mode: 0o600 });
    // The ACL file holds the app users DevFlow made (ACL SAVE); only a first start writes it.
    await fs.writeFile(layout.aclFile, initialAclFile(settings.password), { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    this.process.start();
    await this.process.waitUntil(() => answers(settings.port, settings.password), 'is the redis-server package installed?');
    return settings;
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
