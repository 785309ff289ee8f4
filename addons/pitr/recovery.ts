/**
 * The temporary recovery server (issue 21): a copy of the platform cluster made from a base
 * backup, replayed from the WAL archive up to a time, then promoted, so one app's database can be
 * dumped as it was then. PostgreSQL manual, "Recovering Using a Continuous Archive Backup" and
 * "Recovery Target".
 *
 * It never touches the live server or its archive: it listens on a Unix socket in its own 0700
 * folder only (no TCP), archives nothing (archive_mode off: its new timeline must not reach the
 * live archive), and is removed with its folder when stop() is called. hot_standby is off, so
 * replay does not demand the live server's connection limits, and the server is ready only once
 * it has reached the target and promoted. A target past the archived WAL makes PostgreSQL stop
 * with "recovery ended before configured recovery target was reached", which the caller reports.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DevflowError } from '../../core/errors.js';
import { freePort } from '../../core/embedded-postgres/embedded.js';
import { startPostgresServer } from '../../core/embedded-postgres/postgres-server.js';
import { clientBinary } from '../../core/store/pg-tools.js';

export interface RecoveryOptions {
  /** A folder takeBaseBackup wrote: base.tar, pg_wal.tar. */
  baseBackupDir: string;
  /** The WAL archive's real path (the recovery server's user reads it). */
  walArchive: string;
  /** Where the temporary cluster goes: a folder the server's user can enter (wal-archive.ts serverDir). */
  workDir: string;
  target: Date;
  /** The cluster's superuser and password: the copy has the live cluster's roles. */
  user: string;
  password: string;
}

export interface RecoveredServer {
  /** Client-program arguments that reach it (socket folder, port, user) and their environment. */
  client: { args: string[]; env: Record<string, string> };
  /** A private folder for files made from it (dumps), removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

export async function startRecoveredServer(options: RecoveryOptions): Promise<RecoveredServer> {
  await fs.mkdir(options.workDir, { recursive: true, mode: 0o700 });
  const dir = await fs.mkdtemp(path.join(options.workDir, 'restore-'));
  const dataDir = path.join(dir, 'data');
  const remove = () => fs.rm(dir, { recursive: true, force: true });
  try {
    await fs.mkdir(dataDir, { mode: 0o700 });
    await execa('tar', ['-x', '-f', path.join(options.baseBackupDir, 'base.tar'), '-C', dataDir]);
    await execa('tar', ['-x', '-f', path.join(options.baseBackupDir, 'pg_wal.tar'), '-C', path.join(dataDir, 'pg_wal')]);
    await fs.writeFile(path.join(dataDir, 'recovery.signal'), '');
    // Only the Unix socket in this 0700 folder, with the cluster's own password.
    const hba = path.join(dir, 'pg_hba.conf');
    await fs.writeFile(hba, 'local all all scram-sha-256\n');
    await giveToServerUser(dir, options.walArchive);
    const port = await freePort();
    if (options.walArchive.includes("'")) throw new DevflowError('internal', `the WAL archive path ${options.walArchive} holds a quote`);
    const server = await startPostgresServer({
      dataDir, port, logFile: path.join(dir, 'server.log'),
      flags: [
        '-c', "listen_addresses=", '-c', `unix_socket_directories=${dir}`, '-c', `hba_file=${hba}`,
        '-c', 'archive_mode=off', '-c', 'hot_standby=off', '-c', 'max_connections=20',
        // DevFlow's own path (never user input), quoted; %f and %p are PostgreSQL's.
        '-c', `restore_command=cp '${options.walArchive}/%f' '%p'`,
        // A numeric offset: PostgreSQL refuses zone abbreviations (`Z`) in recovery_target_time.
        '-c', `recovery_target_time=${options.target.toISOString().replace('T', ' ').replace('Z', '+00')}`, '-c', 'recovery_target_action=promote',
      ],
    });
    return {
      client: { args: ['--host', dir, '--port', String(port), '--username', options.user], env: { PGPASSWORD: options.password } },
      dir,
      async stop() {
        await server.stop();
        await remove();
      },
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** pg_dump's custom format of `database` on the recovered server, into its private folder. */
export async function dumpFromRecovered(server: RecoveredServer, database: string): Promise<string> {
  const file = path.join(server.dir, 'app.dump');
  await execa(clientBinary('pg_dump'), [...server.client.args, '--no-password', '--format', 'custom', '--file', file, '--dbname', database], { env: server.client.env });
  return file;
}

/**
 * As root the server runs as the data directory's owner (postgres-server.ts): the folder goes to
 * the user the WAL archive belongs to (the live server's user, wal-archive.ts serverDir).
 */
async function giveToServerUser(dir: string, walArchive: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = await fs.stat(walArchive);
  await execa('chown', ['-R', `${uid}:${gid}`, dir]);
}
