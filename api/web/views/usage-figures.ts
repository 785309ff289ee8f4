/**
 * The figures of the dashboard's Usage view (issue 20), pure so they are tested without a
 * browser: a month's totals as the rows a person reads (instance-hours, build minutes, egress,
 * requests, database and storage sizes), and the API's per-bucket points as chart points in
 * those same units (bytes as MB), one series per figure.
 */
import type { UsagePoint, UsageTotals } from '../../../billing/index.js';
import type { MetricPoint } from './chart-scale.js';

// The API's own shapes (type-only: the browser bundle carries none of billing/'s code).
export type UsageTotalsView = Omit<UsageTotals, 'month'>;
export type UsagePointView = UsagePoint;

/** The series the chart draws, in this order, with their labels. */
export const USAGE_SERIES: Array<[name: string, label: string]> = [
  ['instanceHours', 'Instance-hours'], ['buildMinutes', 'Build minutes'], ['egressMb', 'Egress (MB)'],
  ['requests', 'Requests'], ['databaseMb', 'Database (MB)'], ['storageMb', 'Storage (MB)'],
];

const sum = (byKey: Record<string, number>) => Object.values(byKey).reduce((n, v) => n + v, 0);
const mb = (bytes: number) => Math.round((bytes / 1e6) * 1000) / 1000;

function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

/** [key, label, text] per figure; the instance-hours line names the sizes that ran. */
export function usageRows(t: UsageTotalsView): Array<[key: string, label: string, text: string]> {
  const sizes = Object.entries(t.instanceSeconds).filter(([, s]) => s > 0).map(([size, s]) => `${size} ${(s / 3600).toFixed(2)}`);
  return [
    ['instanceHours', 'Instance-hours', `${(sum(t.instanceSeconds) / 3600).toFixed(2)} h${sizes.length > 0 ? ` (${sizes.join(', ')})` : ''}`],
    ['oneOffHours', 'One-off runs', `${(sum(t.oneOffSeconds) / 3600).toFixed(2)} h`],
    ['buildMinutes', 'Build minutes', `${(t.buildSeconds / 60).toFixed(1)} min`],
    ['egress', 'Egress', bytes(t.egressBytes)],
    ['requests', 'Requests', String(t.requests)],
    ['database', 'Database size', bytes(t.databaseBytes)],
    ['storage', 'Storage size', bytes(t.storageBytes)],
  ];
}

/** The API's points as chart points: bytes as MB, a size not sampled in a bucket left out (a gap). */
export function usageChartPoints(points: UsagePointView[]): MetricPoint[] {
  return points.map((p) => {
    const point: MetricPoint = { at: p.at, instanceHours: p.instanceHours, buildMinutes: p.buildMinutes, egressMb: mb(p.egressBytes), requests: p.requests };
    if (p.databaseBytes !== null) point.databaseMb = mb(p.databaseBytes);
    if (p.storageBytes !== null) point.storageMb = mb(p.storageBytes);
    return point;
  });
}
