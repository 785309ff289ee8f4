/**
 * The per-minute metrics rollup (issue 18): once a minute, the router's traffic since the last
 * minute becomes each app's `web` row (traffic.ts), and the hour rows of the last two hours are
 * folded again from the minute rows (store.ts), which also drops rows past their keeping time.
 * The same pass reads the runtime's instances' CPU and memory (usage.ts, usage-store.ts), and
 * counts the restarts since the last pass from the supervisor's crash records (restarts.ts), and
 * samples each app's own database (database.ts) and scrapes the apps' own Prometheus endpoints
 * where they asked for it (scrape.ts).
 * Off the request path: the router only counts, as it did for GET /metrics.
 * The pass runs every DEVFLOW_METRICS_EVERY_SECONDS (60 by default); the rows stay per minute.
 */
import { errorMessage } from '../../core/errors.js';
import type { Sql } from '../../core/store/database.js';
import { runPeriodically, type Periodic } from '../../core/periodic.js';
import type { UsageReading } from '../../scheduler/index.js';
import { listAllCrashes } from '../../core/store/crashes.js';
import { rollUpDatabaseHours, sampleDatabases } from './database.js';
import { prunePoints } from './points.js';
import { restartsSince, type CrashState } from './restarts.js';
import { scrapeApps, type ScrapeOptions } from './scrape.js';
import { addMetricRows, rollUpHours, type NewMetricRow } from './store.js';
import { foldUsage } from './usage.js';
import { pruneUsage, writeUsage } from './usage-store.js';
import { trafficDelta, type TrafficCounters, type TrafficSnapshot } from './traffic.js';

const MINUTE_MS = 60_000;

/**
 * The minute whose row a pass at `now` adds to: the one its period began in (the last pass's
 * time, when the passes keep their period). Every 60 s that is the minute before `now`'s; every
 * 10 s, mostly `now`'s own minute, so its row fills up as the minute goes.
 */
export function passMinute(now: Date, everyMs: number): Date {
  return new Date(Math.floor((now.getTime() - everyMs) / MINUTE_MS) * MINUTE_MS);
}

export interface SamplerOptions {
  sql: Sql;
  traffic: TrafficCounters;
  /** The runtime driver: CPU and memory of its running instances, when it can read them. */
  usage?: { readUsage?(): Promise<UsageReading[]> };
  /** The runtime's instance list, for apps that asked their own /metrics endpoint to be scraped (scrape.ts). */
  scrape?: ScrapeOptions['runtime'];
  log(line: string): void;
  /** How often start() runs a pass (DEVFLOW_METRICS_EVERY_SECONDS); 60 s when not given. */
  everyMs?: number;
}

export class MetricsSampler {
  private last: TrafficSnapshot;
  private loop: Periodic | undefined;
  private lastError = '';
  private lastUsage = new Map<string, UsageReading>();
  private lastCrashes = new Map<string, CrashState>();
  private lastPassAt: Date | undefined;
  private lastScrapeFailures = '';

  constructor(private readonly options: SamplerOptions) {
    this.last = options.traffic.snapshot();
  }

  start(): void {
    this.loop = runPeriodically(() => this.pass(), this.everyMs);
  }

  private get everyMs(): number {
    return this.options.everyMs ?? MINUTE_MS;
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** Adds the traffic since the last pass to its minute's row (passMinute); rolls up hours. */
  async pass(now = new Date()): Promise<void> {
    try {
      const current = this.options.traffic.snapshot();
      const delta = trafficDelta(this.last, current);
      this.last = current;
      const minute = passMinute(now, this.everyMs);
      await addMetricRows(this.options.sql, await this.rows(delta, minute));
      await this.sampleUsage(minute);
      await this.countRestarts(minute, now);
      await rollUpHours(this.options.sql, new Date(now.getTime() - 2 * 3_600_000), now);
      await pruneUsage(this.options.sql, now);
      await prunePoints(this.options.sql, now);
      await this.scrape(now);
      // Last: reading another database's size needs CONNECT on it (or pg_read_all_stats), which a
      // control role on a server DevFlow does not own may lack; the figures above are kept then.
      await sampleDatabases(this.options.sql, minute);
      await rollUpDatabaseHours(this.options.sql, new Date(now.getTime() - 2 * 3_600_000), now);
      this.lastError = '';
    } catch (err) {
      const message = errorMessage(err);
      if (message !== this.lastError) this.options.log(`metrics rollup: ${message}`);
      this.lastError = message;
    }
  }

  /** Apps' own Prometheus endpoints; failures said once until they change. */
  private async scrape(now: Date): Promise<void> {
    if (this.options.scrape === undefined) return;
    const { failures } = await scrapeApps({ sql: this.options.sql, runtime: this.options.scrape }, now);
    const said = failures.join('; ');
    if (said !== '' && said !== this.lastScrapeFailures) this.options.log(`metrics scrape: ${said}`);
    this.lastScrapeFailures = said;
  }

  /** Restarts recorded since the last pass (the first pass: since the minute just ended began), as the minute's rows. */
  private async countRestarts(minute: Date, now: Date): Promise<void> {
    const { counts, next } = restartsSince(this.lastCrashes, await listAllCrashes(this.options.sql), this.lastPassAt ?? minute);
    this.lastCrashes = next;
    this.lastPassAt = now;
    await addMetricRows(this.options.sql, counts.map((c) => ({
      appId: c.appId, processType: c.processType, resolution: '1m' as const, at: minute, requests: 0,
      status: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, latencyBuckets: null, latencySum: 0,
      cpuPercent: null, memoryMb: null, instances: null, restarts: c.restarts,
    })));
  }

  /** The instances' CPU over the minute just ended (from the last pass's readings) and memory now. */
  private async sampleUsage(minute: Date): Promise<void> {
    const readings = (await this.options.usage?.readUsage?.()) ?? [];
    const { instances, next } = foldUsage(this.lastUsage, readings);
    this.lastUsage = next;
    await writeUsage(this.options.sql, instances, minute);
  }

  private async rows(delta: TrafficSnapshot, at: Date): Promise<NewMetricRow[]> {
    if (delta.size === 0) return [];
    const apps = await this.options.sql<{ id: number; name: string }[]>`SELECT id, name FROM apps WHERE name IN ${this.options.sql([...delta.keys()])}`;
    return apps.map(({ id, name }) => {
      const d = delta.get(name)!;
      return {
        appId: id, processType: 'web', resolution: '1m', at, requests: d.count, status: d.counts,
        latencyBuckets: d.buckets, latencySum: d.sum, cpuPercent: null, memoryMb: null, instances: null,
      };
    });
  }
}
