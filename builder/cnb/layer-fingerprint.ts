/**
 * A fingerprint of a layer directory's tree, to tell whether the layer tar written from it last
 * time (image-archive.ts) would come out the same (issue 15: a warm build re-tarred and re-hashed
 * every launch layer, though only the app had changed). The tar holds names, types, modes, file
 * contents, symlink targets and hard links, with owners and times normalised; the fingerprint
 * covers each of those, reading a file's modification time (ns) and size in place of its content,
 * as git's index and make do.
 *
 * A time is only a stand-in for content when a later write must change it. File systems stamp
 * times from a coarse clock (a kernel tick, a second or two on some), so a file written again
 * within the same tick as the fingerprint was taken could keep its time ("racy git"). A file
 * whose time is that recent is fingerprinted by its content instead; when such recent files are
 * too large to read cheaply, there is no fingerprint and the layer is simply tarred again.
 * Directory times are left out: the tar stamps directories with the normalised time, and an added,
 * removed or renamed entry shows in the list of paths itself.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, readlink, lstat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';

export interface FingerprintOptions {
  /** The time the fingerprint is taken (ms since the epoch); tests fix it. */
  now?: number;
  /** A file modified less than this long before `now` is fingerprinted by its content. */
  racyMs?: number;
  /** Most bytes of such recent files read before giving up (no fingerprint). */
  racyBytes?: number;
}

/** Two seconds covers the coarsest common time stamps (FAT, ext3 and NFS servers: 1-2 s). */
export const RACY_MS = 2000;
const RACY_BYTES = 4 * 1024 * 1024;

interface Entry {
  rel: string;
  path: string;
  stat: BigIntStats;
}

/** Every entry under `dir` (itself first as "."), depth first in byte order of names. */
async function walk(dir: string): Promise<Entry[]> {
  const entries: Entry[] = [{ rel: '.', path: dir, stat: await lstat(dir, { bigint: true }) }];
  const visit = async (path: string, rel: string): Promise<void> => {
    const names = (await readdir(path)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const stats = await Promise.all(names.map((name) => lstat(join(path, name), { bigint: true })));
    for (const [i, name] of names.entries()) {
      const child = { rel: `${rel}/${name}`, path: join(path, name), stat: stats[i]! };
      entries.push(child);
      if (child.stat.isDirectory()) await visit(child.path, child.rel);
    }
  };
  await visit(dir, '.');
  return entries;
}

/** What stands for a file's content: its time when that is old enough, else its bytes' hash. */
async function contentToken(entry: Entry, racySince: bigint): Promise<{ token: string; racyBytes: number }> {
  if (entry.stat.mtimeNs < racySince) return { token: `m:${entry.stat.mtimeNs}`, racyBytes: 0 };
  const bytes = await readFile(entry.path);
  return { token: `h:${createHash('sha256').update(bytes).digest('hex')}`, racyBytes: bytes.length };
}

/**
 * The fingerprint (a sha256 hex string) of the tree at `dir`, or null when recent files are too
 * large to read (the caller then treats the layer as changed).
 */
export async function treeFingerprint(dir: string, options: FingerprintOptions = {}): Promise<string | null> {
  const now = options.now ?? Date.now();
  const racySince = BigInt(Math.floor(now - (options.racyMs ?? RACY_MS))) * 1_000_000n;
  const budget = options.racyBytes ?? RACY_BYTES;
  const hash = createHash('sha256');
  const firstLink = new Map<string, string>();
  let racyBytes = 0;
  for (const entry of await walk(dir)) {
    const { stat, rel } = entry;
    let line: unknown[];
    if (stat.isDirectory()) line = ['d', rel, `${stat.mode}`];
    else if (stat.isSymbolicLink()) line = ['l', rel, await readlink(entry.path)];
    else if (stat.isFile()) {
      // tar stores the second path of a hard-linked file as a link to the first.
      const inode = `${stat.dev}:${stat.ino}`;
      const linkedTo = stat.nlink > 1n ? firstLink.get(inode) : undefined;
      if (stat.nlink > 1n && linkedTo === undefined) firstLink.set(inode, rel);
      if (stat.size > BigInt(budget - racyBytes) && stat.mtimeNs >= racySince) return null;
      const content = await contentToken(entry, racySince);
      racyBytes += content.racyBytes;
      line = ['f', rel, `${stat.mode}`, `${stat.size}`, content.token, linkedTo ?? ''];
    } else line = ['o', rel, `${stat.mode}`, `${stat.rdev}`];
    hash.update(`${JSON.stringify(line)}\n`);
  }
  return hash.digest('hex');
}
