/**
 * The PgBouncer pool (Debian's pgbouncer), started and supervised by DevFlow on the embedded
 * default: one pgbouncer for every pooled app (plan.ts), started with the first pool add-on (or
 * at boot when one exists) and stopped with DevFlow. Each change of the pooled apps rewrites its
 * ini and auth file (written whole, then renamed into place) and is taken by the running
 * pgbouncer through its admin console's RELOAD, which answers once the files are read, so a
 * new DATABASE_POOL_URL works as soon as its add-on exists; other apps' connections stay up.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DevflowError } from '../../core/errors.js';
import { freePort } from '../../core/embedded-postgres/embedded.js';
import type { DatabaseEndpoint } from '../../core/store/app-databases.js';
import { SupervisedProcess, stopLeftover } from '../supervised-process.js';
import { POOL_ADMIN_USER, poolLayout, renderAuthFile, renderPgBouncerIni, type PoolLayout, type PoolMember, type PoolSettings } from './plan.js';

export const PGBOUNCER_BIN = '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  home: string;
  /** Addresses besides 127.0.0.1 to listen on (the Docker bridge gateway on docker/swarm). */
  listen: readonly string[];
  /** Where pgbouncer reaches the platform PostgreSQL. */
  server: DatabaseEndpoint;
  log: (line: string) => void;
  binary?: string;
}

type User = { uid: number; gid: number };

export class ManagedPgBouncer {
  readonly layout: PoolLayout;
  private process: SupervisedProcess | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly runAs: Promise<User | undefined>;

  constructor(private readonly options: PgBouncerOptions) {
    const asRoot = process.getuid?.() === 0;
    this.layout = poolLayout(options.home, asRoot);
    this.runAs = asRoot ? systemUser('postgres') : Promise.resolve(undefined);
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  /**
   * Writes the configuration for exactly these members and has pgbouncer take it (starting it
   * first when it is not running). Calls run one at a time, in order.
   */
  apply(members: readonly PoolMember[]): Promise<PoolSettings> {
    const next = this.queue.then(() => this.applyNow(members));
    this.queue = next.catch(() => {});
    return next;
  }

  async stop(): Promise<void> {
    await this.queue;
    await this.process?.stop();
  }

  private async applyNow(members: readonly PoolMember[]): Promise<PoolSettings> {
    const user = await this.runAs;
    // The pool's user must pass through the parent folders (/var/lib/devflow/<id>) to its own.
    if (user) await fs.mkdir(path.dirname(this.layout.dir), { recursive: true, mode: 0o755 });
    await fs.mkdir(this.layout.dir, { recursive: true, mode: 0o700 });
    if (user) await fs.chown(this.layout.dir, user.uid, user.gid);
    const settings = await this.settings(user);
    const { layout, options } = this;
    await writePrivate(layout.authFile, renderAuthFile(settings.adminPassword, members), user);
    await writePrivate(layout.ini, renderPgBouncerIni({ layout, port: settings.port, listen: options.listen, server: options.server, members }), user);
    if (this.process?.running) {
      await this.console(settings, 'RELOAD');
    } else {
      await stopLeftover(layout.pidFile, 'pgbouncer');
      this.process ??= new SupervisedProcess({
        name: 'PgBouncer pool', binary: options.binary ?? PGBOUNCER_BIN, args: [layout.ini], logFile: layout.logFile, log: options.log, ...(user ? { user } : {}),
      });
      this.process.start();
      await this.process.waitUntil(() => this.console(settings, 'SHOW VERSION').then(() => true, () => false), 'is the pgbouncer package installed?');
    }
    return settings;
  }

  /** One command on pgbouncer's admin console (simple protocol only, no type lookups). */
  private async console(settings: PoolSettings, command: string): Promise<void> {
    const { default: postgres } = await import('postgres');
    const sql = postgres({
      host: '127.0.0.1', port: settings.port, user: POOL_ADMIN_USER, password: settings.adminPassword, database: 'pgbouncer',
      fetch_types: false, max: 1, connect_timeout: 5, onnotice: () => {},
    });
    try {
      await sql.unsafe(command).simple();
    } finally {
      await sql.end({ timeout: 1 });
    }
  }

  private async settings(user: User | undefined): Promise<PoolSettings> {
    try {
      return JSON.parse(await fs.readFile(this.layout.settingsFile, 'utf8')) as PoolSettings;
    } catch {
      const settings: PoolSettings = { port: await freePort(), adminPassword: randomBytes(32).toString('base64url') };
      await writePrivate(this.layout.settingsFile, JSON.stringify(settings), user);
      return settings;
    }
  }
}

/** Written whole under another name, then renamed: pgbouncer never reads half a file. */
async function writePrivate(file: string, text: string, user: User | undefined): Promise<void> {
  const partial = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(partial, text, { mode: 0o600 });
  if (user) await fs.chown(partial, user.uid, user.gid);
  await fs.rename(partial, file);
}

/** The uid and gid of a system user, from /etc/passwd (Debian's pgbouncer package makes `postgres`). */
async function systemUser(name: string): Promise<User> {
  const passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
  const fields = passwd.split('\n').map((l) => l.split(':')).find((f) => f[0] === name);
  if (!fields) {
    throw new DevflowError('runtime_unavailable', `PgBouncer does not run as root and there is no "${name}" user to run it as: install the pgbouncer package (it makes one)`);
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}
