/**
 * bcrypt off the event loop: bcryptjs is pure JavaScript and a cost-10 hash takes tens to
 * hundreds of milliseconds of CPU, which on the main thread would stall every other request the
 * process serves (REST, the router, other projects) during each sign-in. A few worker threads
 * (one per core, at most four) run the hashes and comparisons; the main thread only waits.
 * The worker is a small CommonJS script given as text, loading bcryptjs by its resolved path, so
 * it runs the same from TypeScript sources (tsx, vitest) and from the built dist/.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', (job) => {
  try {
    const result = job.op === 'hash' ? bcrypt.hashSync(job.password, job.cost) : bcrypt.compareSync(job.password, job.hash);
    parentPort.postMessage({ id: job.id, result });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String(error) });
  }
});
`;

type Job = { op: 'hash'; password: string; cost: number } | { op: 'compare'; password: string; hash: string };

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve(value: unknown): void; reject(error: Error): void }>;
}

export class BcryptPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;

  constructor(private readonly size = Math.min(4, Math.max(1, os.availableParallelism()))) {}

  hash(password: string, cost: number): Promise<string> {
    return this.run({ op: 'hash', password, cost }) as Promise<string>;
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.run({ op: 'compare', password, hash }) as Promise<boolean>;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private run(job: Job): Promise<unknown> {
    const slot = this.leastBusy();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      // A busy worker keeps the process alive; an idle one does not hold it open.
      slot.worker.ref();
      slot.worker.postMessage({ id, ...job });
    });
  }

  private leastBusy(): Slot {
    if (this.slots.length < this.size && this.slots.every((s) => s.pending.size > 0)) this.slots.push(this.startSlot());
    return this.slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
  }

  private startSlot(): Slot {
    const bcryptPath = createRequire(import.meta.url).resolve('bcryptjs');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const waiter = slot.pending.get(message.id);
      slot.pending.delete(message.id);
      if (slot.pending.size === 0) worker.unref();
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
    worker.on('error', (error) => this.fail(slot, error));
    worker.on('exit', () => this.fail(slot, new Error('bcrypt worker exited')));
    return slot;
  }

  /** A dead worker fails its jobs and leaves the pool; the next job starts a fresh one. */
  private fail(slot: Slot, error: Error): void {
    for (const waiter of slot.pending.values()) waiter.reject(error);
    slot.pending.clear();
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
  }
}
