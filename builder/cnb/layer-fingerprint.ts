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

/** Every entry under `dir` (itself first as "."), depth first in byte order of names; directories are read side by side. */
async function walk(dir: string): Promise<Entry[]> {
  const visit = async (path: string, rel: string): Promise<Entry[]> => {
    const names = (await readdir(path)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const children = await Promise.all(names.map(async (name): Promise<Entry> => {
      const child = join(path, name);
      return { rel: `${rel}/${name}`, path: child, stat: await lstat(child, { bigint: true }) };
    }));
    const below = await Promise.all(children.map((c) => (c.stat.isDirectory() ? visit(c.path, c.rel) : [])));
    return children.flatMap((c, i) => [c, ...below[i]!]);
  };
  return [{ rel: '.', path: dir, stat: await lstat(dir, { bigint: true }) }, ...(await visit(dir, '.'))];
}

/** One entry's line in each of the fingerprints being taken. */
type EntryLines = unknown[][];

/**
 * Fingerprints of the tree at `dir` (sha256 hex strings), one for each time in `nows` taken as
 * "now", from one walk: a file is read by its time for the fingerprints whose now is well past
 * it, by its content (read once) for the others. Null for a time whose recent files are too
 * large to read.
 */
export async function treeFingerprints(dir: string, nows: readonly number[], options: FingerprintOptions = {}): Promise<(string | null)[]> {
  const racySince = nows.map((now) => BigInt(Math.floor(now - (options.racyMs ?? RACY_MS))) * 1_000_000n);
  const budget = BigInt(options.racyBytes ?? RACY_BYTES);
  const hashes = nows.map(() => createHash('sha256'));
  const live = nows.map(() => true);
  const firstLink = new Map<string, string>();
  let racyBytes = 0n;
  for (const entry of await walk(dir)) {
    const { stat, rel } = entry;
    let lines: EntryLines;
    if (stat.isDirectory()) lines = nows.map(() => ['d', rel, `${stat.mode}`]);
    else if (stat.isSymbolicLink()) {
      const target = await readlink(entry.path);
      lines = nows.map(() => ['l', rel, target]);
    } else if (stat.isFile()) {
      // tar stores the second path of a hard-linked file as a link to the first.
      const inode = `${stat.dev}:${stat.ino}`;
      const linkedTo = stat.nlink > 1n ? firstLink.get(inode) : undefined;
      if (stat.nlink > 1n && linkedTo === undefined) firstLink.set(inode, rel);
      const racy = racySince.map((since) => stat.mtimeNs >= since);
      let content = '';
      if (racy.includes(true)) {
        if (stat.size > budget - racyBytes) racy.forEach((isRacy, i) => { if (isRacy) live[i] = false; });
        else {
          const bytes = await readFile(entry.path);
          racyBytes += BigInt(bytes.length);
          content = createHash('sha256').update(bytes).digest('hex');
        }
      }
      lines = racy.map((isRacy) => ['f', rel, `${stat.mode}`, `${stat.size}`, isRacy ? `h:${content}` : `m:${stat.mtimeNs}`, linkedTo ?? '']);
    } else lines = nows.map(() => ['o', rel, `${stat.mode}`, `${stat.rdev}`]);
    for (const [i, line] of lines.entries()) hashes[i]!.update(`${JSON.stringify(line)}\n`);
  }
  return hashes.map((hash, i) => (live[i] ? hash.digest('hex') : null));
}

/** The fingerprint of the tree at `dir` as of `options.now` (default: now); see treeFingerprints. */
export async function treeFingerprint(dir: string, options: FingerprintOptions = {}): Promise<string | null> {
  const [fingerprint] = await treeFingerprints(dir, [options.now ?? Date.now()], options);
  return fingerprint ?? null;
}
