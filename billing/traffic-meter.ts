/**
 * Requests and egress bytes per app and hour (issue 20). The embedded router already keeps
 * running counters per app (router/metrics.ts, the ones GET /metrics serves); once a minute the
 * meter takes a copy, and adds the difference from its last copy to the hour's row of each app.
 * The request path does nothing more than it did. Counters that went down belong to a
 * restarted router and count from zero. What was counted since the last flush is lost if
 * DevFlow dies (at most a minute); a clean stop flushes it.
 */
import { errorMessage } from '../core/errors.js';
import { runPeriodically, type Periodic } from '../core/periodic.js';
import type { Sql } from '../core/store/database.js';

const FLUSH_EVERY_MS = 60_000;

/** What the router's ProxyMetrics.snapshot() hands out, as far as billing reads it. */
export type TrafficCounts = Map<string, { count: number; bytes: number }>;

export interface TrafficCounters {
  snapshot(): TrafficCounts;
}

export interface TrafficDelta {
  requests: number;
  egressBytes: number;
}

export function trafficSince(before: TrafficCounts, after: TrafficCounts): Map<string, TrafficDelta> {
  const delta = new Map<string, TrafficDelta>();
  for (const [app, now] of after) {
    const was = before.get(app);
    const base = was === undefined || now.count < was.count || now.bytes < was.bytes ? { count: 0, bytes: 0 } : was;
    const d = { requests: now.count - base.count, egressBytes: now.bytes - base.bytes };
    if (d.requests > 0 || d.egressBytes > 0) delta.set(app, d);
  }
  return delta;
}

export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}

/** Adds to each app's row of the hour; names that are no app (`-`, unknown hosts) are dropped. */
export async function addTraffic(sql: Sql, hour: Date, delta: Map<string, TrafficDelta>): Promise<void> {
  if (delta.size === 0) return;
  const names = [...delta.keys()];
  const requests = names.map((n) => delta.get(n)!.requests);
  const bytes = names.map((n) => delta.get(n)!.egressBytes);
  await sql`
    INSERT INTO usage_traffic (app_id, app, team_id, hour, requests, egress_bytes)
    SELECT a.id, a.name, a.team_id, ${hour}, d.requests, d.bytes
    FROM unnest(${names}::text[], ${requests}::bigint[], ${bytes}::bigint[]) AS d(name, requests, bytes)
    JOIN apps a ON a.name = d.name
    ON CONFLICT (app_id, hour) DO UPDATE SET
      requests = usage_traffic.requests + EXCLUDED.requests,
      egress_bytes = usage_traffic.egress_bytes + EXCLUDED.egress_bytes`;
}

export class TrafficMeter {
  private last: TrafficCounts;
  private loop: Periodic | undefined;
  private lastError = '';

  constructor(private readonly deps: { sql: Sql; traffic: TrafficCounters; log(line: string): void }) {
    this.last = deps.traffic.snapshot();
  }

  start(everyMs = FLUSH_EVERY_MS): void {
    this.loop = runPeriodically(() => this.flush(), everyMs);
  }

  /** Stops the loop and flushes what was counted since the last flush. */
  async stop(): Promise<void> {
    await this.loop?.stop();
    await this.flush();
  }

  /**
   * Adds the traffic since the last flush to the hour of `now`. The copy moves on only once
   * the rows are written, so a failed write is retried, with the next minute's counts, later.
   */
  async flush(now = new Date()): Promise<void> {
    try {
      const current = this.deps.traffic.snapshot();
      await addTraffic(this.deps.sql, hourOf(now), trafficSince(this.last, current));
      this.last = current;
      this.lastError = '';
    } catch (err) {
      const message = errorMessage(err);
      if (message !== this.lastError) this.deps.log(`metering: could not store router traffic: ${message}`);
      this.lastError = message;
    }
  }
}
