/**
 * What a window of rolled-up metrics says (issue 18), pure: request rate, status classes, the
 * 5xx and 4xx shares, and latency percentiles estimated from the router's histogram buckets the
 * way Prometheus's histogram_quantile does (linear within the bucket the rank falls in).
 */

/** Upper bounds (seconds) of the router's latency buckets (router/metrics.ts LATENCY_BUCKETS). */
export type Buckets = readonly number[];

export interface MetricRow {
  at: Date;
  requests: number;
  status: { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  /** Cumulative counts per bucket bound (≤ bound), as the router keeps them. */
  latencyBuckets: number[] | null;
  latencySum: number;
  cpuPercent: number | null;
  memoryMb: number | null;
  instances: number | null;
  /** Restarts of the process type in the row's span (restarts.ts); 0 when none were written. */
  restarts?: number;
}

export interface MetricSummary {
  requests: number;
  requestsPerMinute: number;
  status: MetricRow['status'];
  rate5xx: number | undefined;
  rate4xx: number | undefined;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  cpuPercent: number | undefined;
  memoryMb: number | undefined;
  restarts: number;
}

/** The q-quantile (0..1) in milliseconds from cumulative bucket counts, or undefined with no requests. */
export function histogramQuantile(q: number, bounds: Buckets, cumulative: readonly number[], total: number): number | undefined {
  if (total === 0) return undefined;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (cumulative[i]! >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const below = i === 0 ? 0 : cumulative[i - 1]!;
      const inBucket = cumulative[i]! - below;
      const share = inBucket === 0 ? 1 : (rank - below) / inBucket;
      return (lower + (bounds[i]! - lower) * share) * 1000;
    }
  }
  // Beyond the last bound: Prometheus answers the highest finite bound.
  return bounds.at(-1)! * 1000;
}

export function summarise(rows: readonly MetricRow[], bounds: Buckets, minutes: number): MetricSummary {
  const status = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  let requests = 0;
  let restarts = 0;
  const cumulative = bounds.map(() => 0);
  for (const row of rows) {
    requests += row.requests;
    restarts += row.restarts ?? 0;
    for (const cls of Object.keys(status) as Array<keyof typeof status>) status[cls] += row.status[cls];
    row.latencyBuckets?.forEach((n, i) => (cumulative[i] = (cumulative[i] ?? 0) + n));
  }
  const cpu = rows.map((r) => r.cpuPercent).filter((v): v is number => v !== null);
  const memory = rows.map((r) => r.memoryMb).filter((v): v is number => v !== null);
  const share = (n: number) => (requests === 0 ? undefined : (n / requests) * 100);
  return {
    requests,
    requestsPerMinute: minutes > 0 ? requests / minutes : 0,
    status,
    rate5xx: share(status['5xx']),
    rate4xx: share(status['4xx']),
    p50Ms: histogramQuantile(0.5, bounds, cumulative, requests),
    p95Ms: histogramQuantile(0.95, bounds, cumulative, requests),
    p99Ms: histogramQuantile(0.99, bounds, cumulative, requests),
    cpuPercent: cpu.length === 0 ? undefined : cpu.reduce((a, b) => a + b, 0) / cpu.length,
    memoryMb: memory.length === 0 ? undefined : Math.max(...memory),
    restarts,
  };
}
