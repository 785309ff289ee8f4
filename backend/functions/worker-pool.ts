/**
 * Warm workers: one per function version and environment, started on the first invocation,
 * reused by the next ones (a worker serves concurrent requests, as a Deno isolate does), and
 * stopped after `idleMs` without a request. A worker of an older version or environment of the
 * same function (a deploy, a changed secret) is stopped as soon as it is idle. At most
 * `maxWorkers` run at once (DEVFLOW_FUNCTIONS_MAX_WORKERS): a new one first stops the worker idle
 * longest, and when every worker is busy the call is refused (WorkerLimitError) rather than
 * letting processes pile up on the host.
 */
import { DevflowError } from '../../core/errors.js';
import { FunctionWorker, type LogRecord, type WorkerSpec } from './worker-process.js';

export class WorkerLimitError extends DevflowError {
  constructor(readonly max: number) {
    super('runtime_unavailable', `all ${max} function workers are busy: try again shortly`);
  }
}

/** What identifies a warm worker; `env` is a digest of the environment it was started with. */
export interface WorkerKey {
  /** The app the project is, for the log rows; the project's name says the same in the text. */
  appId: number;
  project: string;
  name: string;
  version: number;
  env: string;
}

export function keyText(key: WorkerKey): string {
  return `${key.project}/${key.name}/v${key.version}/${key.env}`;
}

/** The part shared by every worker of one function: others with it are stale once a new key is used. */
function functionPrefix(key: WorkerKey): string {
  return `${key.project}/${key.name}/`;
}

export class WorkerPool {
  private readonly workers = new Map<string, Promise<FunctionWorker>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly idleMs: number,
    private readonly onLog: (key: WorkerKey, record: LogRecord) => void,
    private readonly maxWorkers = Number.POSITIVE_INFINITY,
  ) {
    this.timer = setInterval(() => this.stopIdle(), Math.max(250, Math.floor(idleMs / 2))).unref();
  }

  /** A ready worker for `key`, started from `spec` when none is warm. The caller releases it. */
  async acquire(key: WorkerKey, spec: () => Promise<WorkerSpec>): Promise<FunctionWorker> {
    const text = keyText(key);
    let entry = this.workers.get(text);
    if (entry === undefined) {
      this.stopStale(key);
      await this.makeRoom();
      entry = this.workers.get(text);
    }
    if (entry === undefined) {
      entry = spec().then((s) => FunctionWorker.start(s, (record) => this.onLog(key, record)));
      this.workers.set(text, entry);
      entry.then((worker) => void worker.exited.then(() => this.forget(text, entry!)), () => this.forget(text, entry!));
    }
    const worker = await entry;
    worker.inFlight += 1;
    worker.lastUsed = Date.now();
    return worker;
  }

  release(worker: FunctionWorker): void {
    worker.inFlight -= 1;
    worker.lastUsed = Date.now();
  }

  /** The workers now running, for the CLI and tests. */
  get size(): number {
    return this.workers.size;
  }

  stopIdle(now = Date.now()): void {
    for (const entry of this.workers.values()) {
      void entry.then((worker) => {
        if (worker.inFlight === 0 && now - worker.lastUsed >= this.idleMs) worker.stop();
      }, () => {});
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const all = await Promise.allSettled(this.workers.values());
    for (const result of all) if (result.status === 'fulfilled') result.value.stop();
    await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.exited : undefined)));
  }

  /** Below the cap, or stops the worker idle longest; refuses when every worker is busy or starting. */
  private async makeRoom(): Promise<void> {
    if (this.workers.size < this.maxWorkers) return;
    const running = (await Promise.allSettled(this.workers.values()))
      .flatMap((r) => (r.status === 'fulfilled' && r.value.state !== 'stopped' ? [r.value] : []));
    const idle = running.filter((w) => w.inFlight === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (this.workers.size < this.maxWorkers) return;
    if (!idle) throw new WorkerLimitError(this.maxWorkers);
    idle.stop();
    await idle.exited;
  }

  private stopStale(key: WorkerKey): void {
    const prefix = functionPrefix(key);
    for (const [text, entry] of this.workers) {
      if (!text.startsWith(prefix)) continue;
      // A stale worker still serving requests is left to the idle check.
      void entry.then((worker) => { worker.lastUsed = 0; if (worker.inFlight === 0) worker.stop(); }, () => {});
    }
  }

  private forget(text: string, entry: Promise<FunctionWorker>): void {
    if (this.workers.get(text) === entry) this.workers.delete(text);
  }
}
