/**
 * The PgBouncer pool's files, planned as data (PgBouncer 1.18 "Configuration" and "auth_file"
 * docs): one pgbouncer for every pooled app, in transaction mode, each app's database listed on
 * its own with no `user=` (so every server connection logs in as the client's own role, and the
 * server's CONNECT rules keep each role to its database), each app's role in the auth file with
 * its password. Pure, so tests read the configuration without starting a server.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { appDatabaseUrl, type AppDatabaseCredentials, type DatabaseEndpoint } from '../../core/store/app-databases.js';

/** The console user DevFlow RELOADs through; app roles are all `app_…`, so it never clashes. */
export const POOL_ADMIN_USER = 'devflow_pool_admin';

export interface PoolLayout {
  dir: string;
  ini: string;
  authFile: string;
  pidFile: string;
  logFile: string;
  /** The port and console password, chosen at first start and kept (0600). */
  settingsFile: string;
}

export interface PoolSettings {
  port: number;
  adminPassword: string;
}

/** One pooled app: its database and role on the platform PostgreSQL. */
export type PoolMember = AppDatabaseCredentials;

/**
 * PgBouncer refuses to run as root, so as root it runs as the `postgres` system user, which
 * cannot enter a home such as /root (mode 0700): then its files live in /var/lib/devflow/<id>/
 * (as the embedded PostgreSQL's data does), keyed by DEVFLOW_HOME so two DevFlows never share.
 */
export function poolLayout(home: string, asRoot: boolean): PoolLayout {
  const id = createHash('sha256').update(path.resolve(home)).digest('hex').slice(0, 16);
  const dir = asRoot ? path.join('/var/lib/devflow', id, 'pgbouncer') : path.join(home, 'pgbouncer');
  return {
    dir,
    ini: path.join(dir, 'pgbouncer.ini'),
    authFile: path.join(dir, 'users.txt'),
    pidFile: path.join(dir, 'pgbouncer.pid'),
    logFile: path.join(dir, 'pgbouncer.log'),
    settingsFile: path.join(dir, 'settings.json'),
  };
}

export interface IniInput {
  layout: PoolLayout;
  port: number;
  /** Addresses besides 127.0.0.1 (the Docker bridge gateway on docker/swarm). */
  listen: readonly string[];
  /** Where pgbouncer reaches the platform PostgreSQL. */
  server: DatabaseEndpoint;
  members: readonly PoolMember[];
}

/**
 * pgbouncer.ini. Transaction mode: a server connection serves one transaction of a client, so
 * 200 clients share a few dozen server connections. No unix socket (its default folder may not
 * exist). `extra_float_digits` is ignored because JDBC and others send it at startup.
 */
export function renderPgBouncerIni({ layout, port, listen, server, members }: IniInput): string {
  const binds = ['127.0.0.1', ...listen.filter((a) => a !== '127.0.0.1')];
  const databases = [...members].sort((a, b) => a.database.localeCompare(b.database)).map((m) =>
    `${checkedKey(m.database)} = host=${quoteValue(server.host)} port=${server.port} dbname=${quoteValue(m.database)}`);
  return [
    '; Written by DevFlow whenever a pool add-on changes; edits are lost.',
    '[databases]',
    ...databases,
    '',
    '[pgbouncer]',
    `listen_addr = ${binds.join(',')}`,
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${layout.authFile}`,
    `admin_users = ${POOL_ADMIN_USER}`,
    'pool_mode = transaction',
    'max_client_conn = 1000',
    'default_pool_size = 20',
    'ignore_startup_parameters = extra_float_digits',
    `logfile = ${layout.logFile}`,
    `pidfile = ${layout.pidFile}`,
    '',
  ].join('\n');
}

/**
 * The auth file: `"user" "password"` lines, a `"` doubled inside. Plain passwords (not SCRAM
 * verifiers) so pgbouncer can log in to the server as the app's role whatever the server's
 * password method; the file is the pool user's alone (0600), like each app's DATABASE_URL.
 */
export function renderAuthFile(adminPassword: string, members: readonly PoolMember[]): string {
  const users = [{ role: POOL_ADMIN_USER, password: adminPassword }, ...members];
  return users.map((u) => `${quoteAuth(u.role)} ${quoteAuth(u.password)}\n`).join('');
}

/** DATABASE_POOL_URL: the app's own role and database, at the pool instead of the server. */
export function poolUrl(member: PoolMember, appHost: string, port: number): string {
  return appDatabaseUrl(member, { host: appHost, port });
}

function quoteAuth(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * Database names are generated (letters, digits, `_`, `-`) and pgbouncer's ini takes no quoted
 * keys, so anything else is refused rather than escaped.
 */
function checkedKey(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error(`pool: unexpected database name ${JSON.stringify(name)}`);
  return name;
}

function quoteValue(text: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,253}$/.test(text)) throw new Error(`pool: unexpected connection value ${JSON.stringify(text)}`);
  return `'${text}'`;
}
