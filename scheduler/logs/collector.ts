/**
 * The runtime log collector: once a second it reads every instance's new output through the
 * runtime driver (RuntimeDriver.readLogs) and appends it to the store with the instance, process type and release;
 * once a minute it prunes the store to DEVFLOW_LOG_MAX_DAYS and DEVFLOW_LOG_MAX_MB. Positions are
 * stored with the lines, so a restarted DevFlow carries on where it stopped.
 */
import { errorMessage } from '../../core/errors.js';
import { readLogLimits } from '../../core/settings.js';
import type { Sql } from '../../core/store/database.js';
import { appendRuntimeLogs, pruneRuntimeLogs, readPositions, type NewLogLine } from '../../core/store/runtime-logs.js';
import type { Instance } from '../../core/types.js';
import type { RuntimeDriver } from '../runtime/types.js';
import { runPeriodically, type Periodic } from '../../core/periodic.js';

export interface LogLimits {
  maxBytes: number;
  maxDays: number;
}

/** DEVFLOW_LOG_MAX_MB and DEVFLOW_LOG_MAX_DAYS (core/settings.ts). */
export function logLimitsFromEnv(env: NodeJS.ProcessEnv): LogLimits {
  return readLogLimits(env);
}

export interface CollectorDeps {
  sql: Sql;
  /** The runtime DevFlow runs on: its instances and each one's output. */
  runtime: Pick<RuntimeDriver, 'list' | 'readLogs'>;
  limits: LogLimits;
  log(line: string): void;
}

const COLLECT_EVERY_MS = 1000;
const PRUNE_EVERY = 60;

export class LogCollector {
  private loop: Periodic | undefined;
  private positions: Map<string, string> | undefined;
  private passes = 0;
  private lastError = '';

  constructor(private readonly deps: CollectorDeps) {}

  start(): void {
    this.loop = runPeriodically(() => this.pass(), COLLECT_EVERY_MS);
  }

  /** Waits for a pass in flight, so its queries end before the database closes. */
  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** One collection pass (exposed for tests). */
  async pass(): Promise<void> {
    try {
      this.positions ??= await readPositions(this.deps.sql);
      const apps = await this.appIds();
      for (const instance of await this.deps.runtime.list()) {
        const appId = apps.get(instance.app);
        if (appId !== undefined) await this.collect(instance, appId);
      }
      if (this.passes++ % PRUNE_EVERY === 0) await pruneRuntimeLogs(this.deps.sql, this.deps.limits);
      this.lastError = '';
    } catch (err) {
      // Say it once, not every second, and keep collecting.
      const message = errorMessage(err);
      if (message !== this.lastError) this.deps.log(`log collector: ${message}`);
      this.lastError = message;
    }
  }

  private async collect(instance: Instance, appId: number): Promise<void> {
    const before = this.positions!.get(instance.id);
    const { lines, position } = await this.deps.runtime.readLogs(instance.id, before);
    if (lines.length === 0 && position === before) return;
    const rows: NewLogLine[] = lines.map((l) => ({
      appId, instance: instance.id, processType: instance.processType, release: instance.release, line: l.text, at: l.at,
    }));
    await appendRuntimeLogs(this.deps.sql, instance.id, rows, position);
    this.positions!.set(instance.id, position);
  }

  private async appIds(): Promise<Map<string, number>> {
    const rows = await this.deps.sql<{ id: number; name: string }[]>`SELECT id, name FROM apps`;
    return new Map(rows.map((r) => [r.name, r.id]));
  }
}

/** Starts collecting the output of the runtime DevFlow runs on. */
export function startLogCollector(options: {
  sql: Sql;
  runtime: Pick<RuntimeDriver, 'list' | 'readLogs'>;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
}): LogCollector {
  const collector = new LogCollector({ sql: options.sql, runtime: options.runtime, limits: logLimitsFromEnv(options.env), log: options.log });
  collector.start();
  return collector;
}
