/**
 * Issue 23 (DevFlow's CPU at rest): the log collector (scheduler/logs/collector.ts) asks every
 * instance for new output once a second. On the docker runtime each ask was an engine request
 * (`GET /containers/<id>/logs?since=…` over the socket, which the engine answers by reading the
 * container's log), made whether or not the container had written anything.
 *
 * When the engine keeps a container's log in a file this process can see (the json-file driver
 * of a local engine: `LogPath` in the container's inspect data), that file's size, time and inode
 * say whether anything new can be there; the engine is asked only when they moved since the last
 * read. Where the file cannot be seen (a remote engine, DevFlow itself in a container, another log
 * driver), every ask goes to the engine as before. What a read returns does not change: the same
 * engine request, only not made when it could only answer nothing new.
 */
import { stat } from 'node:fs/promises';

/** What a log file looked like at a read: a change in any of these may mean new output. */
export interface FileMark {
  size: number;
  mtimeMs: number;
  ino: number;
}

export type GateEntry =
  /** The file to watch, and its mark when the last read was asked of the engine. */
  | { kind: 'file'; path: string; mark: FileMark }
  /** No file to watch: always ask the engine. */
  | { kind: 'engine' };

/** Whether to ask the engine, given the entry of the last read and the file's mark now (null: no file there). */
export function shouldAskEngine(entry: GateEntry | undefined, now: FileMark | null): boolean {
  if (entry === undefined || entry.kind === 'engine' || now === null) return true;
  const { mark } = entry;
  return now.size !== mark.size || now.mtimeMs !== mark.mtimeMs || now.ino !== mark.ino;
}

export async function fileMark(path: string): Promise<FileMark | null> {
  const info = await stat(path).catch(() => null);
  return info === null ? null : { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}

export class DockerLogGate {
  private readonly entries = new Map<string, GateEntry>();

  /**
   * `read` asks the engine; `logPathOf` gives the container's LogPath (called once per
   * container, '' or a failure: no file to watch). `unchanged` is what a skipped read returns.
   */
  async read<T>(instanceId: string, logPathOf: () => Promise<string>, read: () => Promise<T>, unchanged: () => T): Promise<T> {
    let entry = this.entries.get(instanceId);
    if (entry === undefined) {
      const path = await logPathOf().catch(() => '');
      const mark = path === '' ? null : await fileMark(path);
      // The first read always goes to the engine; what the file looked like before it is kept.
      entry = mark === null ? { kind: 'engine' } : { kind: 'file', path, mark };
      this.entries.set(instanceId, entry);
      return read();
    }
    if (entry.kind === 'engine') return read();
    const now = await fileMark(entry.path);
    if (!shouldAskEngine(entry, now)) return unchanged();
    // The mark is taken before the read, so output written during the read moves it again.
    if (now === null) this.entries.delete(instanceId);
    else this.entries.set(instanceId, { ...entry, mark: now });
    return read();
  }

  /** Forgets a container (stopped or removed). */
  forget(instanceId: string): void {
    this.entries.delete(instanceId);
  }

  /** Forgets every container not in a full listing (removed behind DevFlow's back). */
  keepOnly(instanceIds: readonly string[]): void {
    const kept = new Set(instanceIds);
    for (const id of this.entries.keys()) if (!kept.has(id)) this.entries.delete(id);
  }

  /** Containers watched, for tests. */
  get size(): number {
    return this.entries.size;
  }
}
