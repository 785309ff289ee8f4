/**
 * The user function workers run as. DevFlow often runs as root (it drives Docker), and a worker
 * of root can open any socket on the host: Docker's, to begin with, which is the host itself.
 * Node's permission model does not cover sockets in Node 20, so workers of a root DevFlow run as
 * their own unprivileged uid (DEVFLOW_FUNCTIONS_UID): the kernel then keeps them from root's
 * sockets and files, and the firewall (firewall.ts) matches their packets by that uid.
 *
 * Such a worker cannot read DevFlow's home (often `/root/...`, mode 0700), so its entry script
 * and bundle are copied to a folder only that uid reads, once per bundle (versions never change).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DevflowError } from '../../core/errors.js';

export interface WorkerUser {
  uid: number;
  gid: number;
}

/** Where a worker reads from: the script and bundle, possibly copied for the worker's user. */
export interface WorkerFiles {
  script: string;
  bundlePath: string;
}

export class WorkerUserError extends DevflowError {
  constructor(message: string) {
    super('runtime_unavailable', message);
  }
}

/** The user workers run as: `uid` when DevFlow may switch to it (it is root), else none. */
export function workerUser(uid: number | undefined, runningAs = process.getuid?.()): WorkerUser | undefined {
  if (uid === undefined || runningAs !== 0) return undefined;
  return { uid, gid: uid };
}

/** `<tmp>/devflow-functions-<uid>`, owned by that uid, mode 0700; anything else there is refused. */
async function stageRoot(user: WorkerUser): Promise<string> {
  const root = path.join(os.tmpdir(), `devflow-functions-${user.uid}`);
  await fs.mkdir(root, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
  const stat = await fs.lstat(root);
  if (!stat.isDirectory() || (stat.uid !== user.uid && stat.uid !== 0)) {
    throw new WorkerUserError(`${root} exists and is not a folder of uid ${user.uid}: remove it so function workers can start`);
  }
  await fs.chown(root, user.uid, user.gid);
  await fs.chmod(root, 0o700);
  return root;
}

async function chownTree(dir: string, user: WorkerUser): Promise<void> {
  await fs.chown(dir, user.uid, user.gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, user);
    else await fs.chown(full, user.uid, user.gid);
  }
}

/** The files a worker of `user` reads: copies under its own folder, made on first use. */
export async function stageWorkerFiles(user: WorkerUser, files: WorkerFiles): Promise<WorkerFiles> {
  const root = await stageRoot(user);
  const bundleDir = path.dirname(files.bundlePath);
  const name = createHash('sha256').update(`${files.script}\0${bundleDir}`).digest('hex').slice(0, 20);
  const staged = path.join(root, name);
  const result = { script: path.join(staged, 'worker.mjs'), bundlePath: path.join(staged, 'dist', path.basename(files.bundlePath)) };
  if (await fs.stat(staged).then(() => true, () => false)) return result;
  const partial = `${staged}.${process.pid}.tmp`;
  await fs.rm(partial, { recursive: true, force: true });
  await fs.mkdir(partial, { recursive: true });
  await fs.copyFile(files.script, path.join(partial, 'worker.mjs'));
  await fs.cp(bundleDir, path.join(partial, 'dist'), { recursive: true });
  await chownTree(partial, user);
  await fs.rename(partial, staged).catch(async (err: NodeJS.ErrnoException) => {
    // Another DevFlow staged the same bundle meanwhile: theirs is as good.
    await fs.rm(partial, { recursive: true, force: true });
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
  });
  return result;
}
