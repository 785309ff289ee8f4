/**
 * The router's traffic per minute (issue 18): the embedded router keeps running counters per
 * app (router/metrics.ts, what GET /metrics serves); once a minute the sampler takes a copy and
 * stores the difference from the last one as the minute's row, so the request path does no more
 * than it did. `trafficDelta` is the pure part. Counters that went down (a restarted DevFlow)
 * start again from zero.
 */
import type { Buckets } from './summary.js';

export type StatusCounts = { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };

export interface AppTraffic {
  counts: StatusCounts;
  /** Cumulative counts per latency bound. */
  buckets: number[];
  sum: number;
  count: number;
}

export type TrafficSnapshot = Map<string, AppTraffic>;

/** Anything that hands out the router's counters: the router's ProxyMetrics. */
export interface TrafficCounters {
  snapshot(): TrafficSnapshot;
}

export function trafficDelta(before: TrafficSnapshot, after: TrafficSnapshot): TrafficSnapshot {
  const delta: TrafficSnapshot = new Map();
  for (const [app, now] of after) {
    const was = before.get(app);
    const reset = was === undefined || now.count < was.count;
    const base = reset ? undefined : was;
    const counts = { ...now.counts };
    for (const cls of Object.keys(counts) as Array<keyof StatusCounts>) counts[cls] -= base?.counts[cls] ?? 0;
    const d: AppTraffic = {
      counts, buckets: now.buckets.map((n, i) => n - (base?.buckets[i] ?? 0)), sum: now.sum - (base?.sum ?? 0), count: now.count - (base?.count ?? 0),
    };
    if (d.count > 0) delta.set(app, d);
  }
  return delta;
}

export type { Buckets };
