/**
 * Traffic metrics of the embedded proxy in the Prometheus text exposition format (version 0.0.4):
 * requests per app and status class, and a latency histogram per app, from the request's
 * arrival to the end of its response. Labels are app names only (never raw Host headers), so a
 * flood of random hosts cannot blow up the series count.
 */

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** Seconds; the usual web latency buckets, with finer steps below 10 ms where a proxy lives. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Requests that matched no app are counted under this label. */
export const NO_APP = '-';

interface AppSeries {
  counts: Map<StatusClass, number>;
  buckets: number[];
  sum: number;
  count: number;
  /** Response body bytes sent to clients: the app's egress, which billing meters (issue 20). */
  bytes: number;
}

export function statusClass(status: number): StatusClass {
  if (status < 200) return '1xx';
  if (status < 300) return '2xx';
  if (status < 400) return '3xx';
  if (status < 500) return '4xx';
  return '5xx';
}

/** Prometheus label values escape backslash, double quote and newline. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class ProxyMetrics {
  private readonly apps = new Map<string, AppSeries>();
  /** The router's span buffer, when it traces (tracing/span-buffer.ts). */
  spans: { written: number; dropped: number } | undefined;

  record(app: string, status: number, seconds: number, bytes = 0): void {
    let series = this.apps.get(app);
    if (series === undefined) {
      series = { counts: new Map(), buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0, bytes: 0 };
      this.apps.set(app, series);
    }
    const cls = statusClass(status);
    series.counts.set(cls, (series.counts.get(cls) ?? 0) + 1);
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) series.buckets[i]!++;
    series.sum += seconds;
    series.count++;
    series.bytes += bytes;
  }

  /**
   * The counters as they stand, per app: what telemetry's per-minute rollup (issue 18,
   * telemetry/metrics/) and billing's traffic meter (issue 20) diff off the request path. Copies, so the caller may keep them.
   */
  snapshot(): Map<string, { counts: Record<StatusClass, number>; buckets: number[]; sum: number; count: number; bytes: number }> {
    const copy = new Map<string, { counts: Record<StatusClass, number>; buckets: number[]; sum: number; count: number; bytes: number }>();
    for (const [app, series] of this.apps) {
      const counts = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
      for (const [cls, n] of series.counts) counts[cls] = n;
      copy.set(app, { counts, buckets: [...series.buckets], sum: series.sum, count: series.count, bytes: series.bytes });
    }
    return copy;
  }

  render(): string {
    const lines = [
      '# HELP devflow_router_requests_total Requests served by the embedded router, by app and status class.',
      '# TYPE devflow_router_requests_total counter',
    ];
    const names = [...this.apps.keys()].sort();
    for (const name of names) {
      for (const [cls, n] of [...this.apps.get(name)!.counts].sort()) {
        lines.push(`devflow_router_requests_total{app="${labelValue(name)}",class="${cls}"} ${n}`);
      }
    }
    lines.push(
      '# HELP devflow_router_request_duration_seconds Time from a request\'s arrival to the end of its response.',
      '# TYPE devflow_router_request_duration_seconds histogram',
    );
    for (const name of names) {
      const series = this.apps.get(name)!;
      const app = `app="${labelValue(name)}"`;
      LATENCY_BUCKETS.forEach((le, i) => lines.push(`devflow_router_request_duration_seconds_bucket{${app},le="${le}"} ${series.buckets[i]}`));
      lines.push(`devflow_router_request_duration_seconds_bucket{${app},le="+Inf"} ${series.count}`);
      lines.push(`devflow_router_request_duration_seconds_sum{${app}} ${series.sum}`);
      lines.push(`devflow_router_request_duration_seconds_count{${app}} ${series.count}`);
    }
    if (this.spans !== undefined) {
      lines.push(
        '# HELP devflow_router_spans_written_total Router spans written to the span store.',
        '# TYPE devflow_router_spans_written_total counter',
        `devflow_router_spans_written_total ${this.spans.written}`,
        '# HELP devflow_router_spans_dropped_total Router spans dropped: the buffer was full or the store refused a batch.',
        '# TYPE devflow_router_spans_dropped_total counter',
        `devflow_router_spans_dropped_total ${this.spans.dropped}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
