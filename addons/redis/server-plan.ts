/**
 * The add-on Redis server's files, planned as data (Redis 7 "redis.conf" and "ACL" docs): one
 * redis-server for every app, its data and ACL file under DEVFLOW_HOME/redis, the default user
 * holding the operator's password and each app its own ACL user (acl-rules.ts). Pure, so tests
 * read the configuration without starting a server.
 */
import path from 'node:path';

export interface RedisServerLayout {
  dir: string;
  conf: string;
  aclFile: string;
  dataDir: string;
  pidFile: string;
  logFile: string;
  /** The port and admin password, chosen at first start and kept (0600). */
  settingsFile: string;
}

export interface RedisServerSettings {
  port: number;
  password: string;
}

export function redisLayout(home: string): RedisServerLayout {
  const dir = path.join(home, 'redis');
  return {
    dir,
    conf: path.join(dir, 'redis.conf'),
    aclFile: path.join(dir, 'users.acl'),
    dataDir: path.join(dir, 'data'),
    pidFile: path.join(dir, 'redis.pid'),
    logFile: path.join(dir, 'server.log'),
    settingsFile: path.join(dir, 'settings.json'),
  };
}

/**
 * redis.conf for the server. It listens on loopback and on the addresses containers reach the
 * host at (the Docker bridge gateway, as the embedded PostgreSQL does), never on every address.
 * Append-only persistence with one fsync a second: a crash loses at most a second of writes.
 */
export function renderRedisConf(layout: RedisServerLayout, port: number, listen: readonly string[]): string {
  const binds = ['127.0.0.1', ...listen.filter((a) => a !== '127.0.0.1')];
  return [
    '# Written by DevFlow at each start of the add-on Redis server; edits are lost.',
    `port ${port}`,
    `bind ${binds.join(' ')}`,
    'protected-mode no',
    'daemonize no',
    `dir ${layout.dataDir}`,
    `pidfile ${layout.pidFile}`,
    `logfile ${layout.logFile}`,
    `aclfile ${layout.aclFile}`,
    'appendonly yes',
    'appendfsync everysec',
    'save 3600 1 300 100 60 10000',
    '',
  ].join('\n');
}

/** The ACL file a new server starts from: only the operator's default user, with every right. */
export function initialAclFile(password: string): string {
  return `user default on >${password} ~* &* +@all\n`;
}
