/**
 * The figures of the dashboard's metrics view beyond the router's (issue 18), pure so they are
 * tested without a browser: the app database's rows (GET /apps/{app}/metrics `database`) as chart
 * points in the units a person reads (MB, %), and the app's own metrics (GET
 * /apps/{app}/metrics/custom) as a label per series, chart points, and what the value means.
 */
import type { MetricPoint } from './chart-scale.js';

/** The API's own shapes (telemetry/metrics/database.ts, custom.ts), as JSON. */
export interface DatabasePointView { at: string; connections: number; sizeBytes: number; cacheHitRatio: number | null }
export type Reading = 'value' | 'rate' | 'mean';
export interface CustomSeriesView { attributes: Record<string, unknown>; points: Array<{ at: string; value: number }> }
export interface CustomMetricView {
  name: string; kind: string; unit: string; reading: Reading; since: string; until: string; stepSeconds: number;
  series: CustomSeriesView[]; seriesLeftOut: number;
}
export interface CustomMetricNamesView { metrics: Array<{ name: string; kind: string; unit: string; reading: Reading; points: number; lastAt: string }> }

/** The database charts, in this order, with their labels. */
export const DATABASE_SERIES: Array<[name: string, label: string]> = [
  ['connections', 'Connections'], ['sizeMb', 'Size (MB)'], ['cacheHitPercent', 'Cache hit ratio (%)'],
];

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One chart point per database row: size in MB (10⁶ bytes), the hit ratio in % (none before a block was read). */
export function databaseChartPoints(rows: readonly DatabasePointView[]): MetricPoint[] {
  return rows.map((r) => ({
    at: r.at, connections: r.connections, sizeMb: round(r.sizeBytes / 1e6, 3),
    cacheHitPercent: r.cacheHitRatio === null ? null : round(r.cacheHitRatio * 100, 2),
  }));
}

/** The attributes that tell series apart, shortest first: those every series shares say nothing. */
export function seriesLabels(series: readonly CustomSeriesView[]): string[] {
  const keys = [...new Set(series.flatMap((s) => Object.keys(s.attributes)))].sort();
  const varying = keys.filter((k) => new Set(series.map((s) => JSON.stringify(s.attributes[k] ?? null))).size > 1);
  return series.map((s) => {
    const shown = (varying.length > 0 ? varying : keys).filter((k) => k in s.attributes);
    return shown.map((k) => `${k}=${String(s.attributes[k])}`).join(' ') || 'all';
  });
}

/** A series as the chart's points, its values under `name`. */
export function customChartPoints(series: CustomSeriesView, name: string): MetricPoint[] {
  return series.points.map((p) => ({ at: p.at, [name]: p.value }));
}

/** What a custom metric's chart shows, e.g. "rate per second", "value (By)". */
export function readingLabel(metric: Pick<CustomMetricView, 'reading' | 'unit' | 'stepSeconds'>): string {
  const step = `${metric.stepSeconds / 60}-minute steps`;
  const unit = metric.unit === '' ? '' : ` (${metric.unit})`;
  if (metric.reading === 'rate') return `${metric.unit === '' ? 'rate' : `rate: ${metric.unit}`} per second, ${step}`;
  if (metric.reading === 'mean') return `mean of the observations${unit}, ${step}`;
  return `value${unit}, last of each step, ${step}`;
}
