/**
 * Workers' lines reach the control plane in batches: a line arrives over IPC at any time (a
 * console.log after the response was sent, a crash message), so lines are queued and written
 * every FLUSH_MS, and each function's log is pruned to its newest lines now and then.
 */
import type { Sql } from '../../core/store/database.js';
import { appendLogs, pruneLogs, type StoredLogRecord } from './store.js';

const FLUSH_MS = 200;
/** A function's log is pruned after this many new lines. */
const PRUNE_EVERY = 500;

export class LogWriter {
  private queue: StoredLogRecord[] = [];
  private readonly sinceprune = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly sql: Sql, private readonly onError: (err: unknown) => void) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  add(record: StoredLogRecord): void {
    this.queue.push(record);
  }

  /** Writes what is queued; resolves when it is stored (tests and close wait on it). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = this.queue;
      this.queue = [];
      if (batch.length === 0) return;
      try {
        await appendLogs(this.sql, batch);
        await this.pruneBusy(batch);
      } catch (err) {
        this.onError(err);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async pruneBusy(batch: StoredLogRecord[]): Promise<void> {
    for (const record of batch) {
      const key = `${record.appId}/${record.name}`;
      const count = (this.sinceprune.get(key) ?? 0) + 1;
      this.sinceprune.set(key, count);
      if (count >= PRUNE_EVERY) {
        this.sinceprune.set(key, 0);
        await pruneLogs(this.sql, record.appId, record.name);
      }
    }
  }
}
