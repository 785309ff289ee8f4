/**
 * WAL archiving for point-in-time recovery (issue 21, addons/pitr/): the settings that make the
 * embedded server copy each finished WAL segment to DEVFLOW_HOME/wal, and the folders the server's
 * own user writes to. PostgreSQL manual, "Continuous Archiving and Point-in-Time Recovery" and
 * "basic_archive".
 *
 * Why basic_archive rather than an archive_command: the module ships with the server (contrib),
 * runs inside it with no shell, and does what a safe command has to: it writes each segment to a
 * temporary name, fsyncs, renames it into place, and refuses to replace an existing file whose
 * contents differ (an identical one counts as archived, which is what a retry after a crash
 * between copy and acknowledgement needs). The directory is DevFlow's own path, never user input.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A segment is archived when it is full, or after this long with any WAL written since the last
 * switch: the most a crash of the whole host can lose from the archive. Each switch writes a full
 * 16 MB segment, so a busy-but-small platform is not switched every minute.
 */
export const ARCHIVE_TIMEOUT_SECONDS = 3600;

/** The server flags that turn archiving on into `archiveDir` (a path the server's user can write). */
export function archiveFlags(archiveDir: string, timeoutSeconds = ARCHIVE_TIMEOUT_SECONDS): string[] {
  return [
    '-c', 'archive_mode=on',
    '-c', 'archive_library=basic_archive',
    '-c', `basic_archive.archive_directory=${archiveDir}`,
    '-c', `archive_timeout=${timeoutSeconds}`,
  ];
}

/**
 * A folder the PostgreSQL server's user can enter and write, for `inHome` (a path under
 * DEVFLOW_HOME). Not as root: `inHome` itself. As root the server runs as the data directory's
 * owner (postgres-server.ts), which cannot enter a home such as /root: then, as the data
 * directory does (embedded.ts), the folder lives under /var/lib/devflow and `inHome` links to it.
 * Returns the real path, which is what the server must be told.
 */
export async function serverDir(inHome: string, dataDir: string): Promise<string> {
  if (process.getuid?.() !== 0) {
    await fs.mkdir(inHome, { recursive: true, mode: 0o700 });
    return inHome;
  }
  const { uid, gid } = await fs.stat(dataDir);
  const linked = await fs.readlink(inHome).catch(() => undefined);
  let real = linked ?? inHome;
  if (!linked && !(await traversableByOthers(path.dirname(inHome)))) {
    const id = createHash('sha256').update(path.resolve(inHome)).digest('hex').slice(0, 16);
    real = path.join('/var/lib/devflow', id, path.basename(inHome));
    await fs.mkdir(path.dirname(inHome), { recursive: true });
    await fs.symlink(real, inHome);
  }
  await fs.mkdir(real, { recursive: true, mode: 0o700 });
  await fs.chown(real, uid, gid);
  return real;
}

async function traversableByOthers(dir: string): Promise<boolean> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const stat = await fs.stat(current).catch(() => undefined);
    if (stat && (stat.mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}
