/**
 * The base backup driver: pg_basebackup of the whole platform PostgreSQL in tar format (base.tar,
 * pg_wal.tar with the WAL streamed during the copy, and backup_manifest), run with an argument
 * array and the password in its environment (core/store/pg-tools.ts). The manifest's WAL range
 * tells where replay from this backup starts, so retention knows which archived WAL it needs.
 * PostgreSQL manual: "pg_basebackup", "Backup Manifest Format".
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DevflowError } from '../../core/errors.js';
import { clientBinary, clientConnection } from '../../core/store/pg-tools.js';
import { walFileName } from './plan.js';

export interface BaseBackupResult {
  timeline: number;
  startLsn: string;
  startWal: string;
  bytes: number;
}

/** Writes a base backup into `dir` (which must not exist yet), readable by DevFlow's user only. */
export async function takeBaseBackup(serverUrl: string, dir: string): Promise<BaseBackupResult> {
  await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  const { args, env } = clientConnection(serverUrl);
  // A fast checkpoint starts the copy at once instead of after the next scheduled checkpoint.
  await execa(clientBinary('pg_basebackup'), [
    ...args, '--no-password', '--pgdata', dir, '--format', 'tar', '--wal-method', 'stream', '--checkpoint', 'fast',
  ], { env });
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'backup_manifest'), 'utf8')) as { 'WAL-Ranges'?: { Timeline: number; 'Start-LSN': string }[] };
  const range = manifest['WAL-Ranges']?.[0];
  if (!range) throw new DevflowError('internal', `the base backup in ${dir} has no WAL range in its manifest`);
  let bytes = 0;
  for (const file of await fs.readdir(dir)) bytes += (await fs.stat(path.join(dir, file))).size;
  return { timeline: range.Timeline, startLsn: range['Start-LSN'], startWal: walFileName(range.Timeline, range['Start-LSN']), bytes };
}
