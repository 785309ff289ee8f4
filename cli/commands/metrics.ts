/**
 * metrics: an app's request rate, latency percentiles and status classes per process type; with
 * --name, and metrics:custom, the app's own metrics (scraped or sent over OTLP) read back (issue 18).
 */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { formatTable, print, type OutputOptions } from '../output.js';

interface Summary {
  requests: number; requestsPerMinute: number; status: Record<string, number>; rate5xx?: number;
  p50Ms?: number; p95Ms?: number; p99Ms?: number; cpuPercent?: number; memoryMb?: number; restarts?: number;
}
interface InstanceUsage { instance: string; processType: string; at: string; cpuPercent: number | null; memoryMb: number | null }
interface MetricsView {
  resolution: string; since: string; until: string; processes: Array<{ processType: string; summary: Summary }>;
  instances?: InstanceUsage[];
  database?: Array<{ at: string; connections: number; sizeBytes: number; cacheHitRatio: number | null }>;
}

const num = (v: number | undefined, unit: string, digits = 0) => (v === undefined ? '-' : `${v.toFixed(digits)}${unit}`);

export function formatMetrics(app: string, m: MetricsView): string {
  if (m.processes.length === 0 && (m.instances ?? []).length === 0 && (m.database ?? []).length === 0) return `no metrics for ${app} between ${m.since} and ${m.until} (the router counts requests; rows appear a minute after traffic)`;
  const lines = [`${app}  ${m.since} .. ${m.until}  (${m.resolution} rows)`];
  for (const p of m.processes) {
    const s = p.summary;
    lines.push(
      `${p.processType}: ${s.requests} requests (${num(s.requestsPerMinute, '/min', 1)}), p50 ${num(s.p50Ms, 'ms')}, p95 ${num(s.p95Ms, 'ms')}, p99 ${num(s.p99Ms, 'ms')}, 5xx ${num(s.rate5xx, '%', 1)}`,
      `  status ${Object.entries(s.status).map(([cls, n]) => `${cls} ${n}`).join(', ')}${s.cpuPercent === undefined ? '' : `; cpu ${num(s.cpuPercent, '%', 1)}, memory ${num(s.memoryMb, 'MB')}`}${s.restarts ? `; ${s.restarts} restart${s.restarts === 1 ? '' : 's'}` : ''}`,
    );
  }
  for (const i of m.instances ?? []) {
    lines.push(`  ${i.instance}: cpu ${num(i.cpuPercent ?? undefined, '%', 1)}, memory ${num(i.memoryMb ?? undefined, 'MB')} (at ${i.at})`);
  }
  const db = m.database?.at(-1);
  if (db) {
    lines.push(`database: ${num(db.connections, ' connections', Number.isInteger(db.connections) ? 0 : 1)}, ${num(db.sizeBytes / 1_048_576, ' MB', 1)}, cache hit ${num(db.cacheHitRatio === null ? undefined : db.cacheHitRatio * 100, '%', 1)} (at ${db.at})`);
  }
  return lines.join('\n');
}

export async function showMetrics(input: CommandInput<OutputOptions & { since?: string; until?: string; name?: string }>): Promise<void> {
  const { app, opts } = input;
  if (opts.name !== undefined) return showCustomMetrics(input);
  const query = new URLSearchParams({ since: opts.since ?? '1h' });
  if (opts.until) query.set('until', opts.until);
  const metrics = await createClient(process.env).request<MetricsView>('GET', `/apps/${encodeURIComponent(app)}/metrics?${query}`);
  print(opts, metrics, () => formatMetrics(app, metrics));
}

type Reading = 'value' | 'rate' | 'mean';
interface CustomMetricNames { since: string; until: string; metrics: Array<{ name: string; kind: string; unit: string; reading: Reading; points: number; lastAt: string }> }
interface CustomMetricView {
  name: string; kind: string; unit: string; reading: Reading; since: string; until: string; stepSeconds: number; seriesLeftOut: number;
  series: Array<{ attributes: Record<string, unknown>; points: Array<{ at: string; value: number }> }>;
}

const READINGS: Record<Reading, string> = { rate: 'a rate per second', value: 'its value', mean: 'the mean of its observations' };

/** A figure with a few significant digits, and its unit (a rate's unit is per second). */
function figure(value: number, unit: string, reading: Reading): string {
  const shown = Math.abs(value) >= 100 ? value.toFixed(0) : Number(value.toPrecision(3)).toString();
  const per = reading === 'rate' ? '/s' : '';
  return `${shown}${unit === '' ? '' : ` ${unit}`}${per}`;
}

export function formatMetricNames(app: string, names: CustomMetricNames): string {
  if (names.metrics.length === 0) {
    return `${app} has sent no metrics of its own since ${names.since} (set DEVFLOW_METRICS_PATH to have its Prometheus endpoint scraped, or send OTLP metrics)`;
  }
  const rows = [['NAME', 'KIND', 'READ AS', 'UNIT', 'POINTS', 'LAST'], ...names.metrics.map((m) => [m.name, m.kind, m.reading, m.unit || '-', String(m.points), m.lastAt])];
  return formatTable(rows);
}

export function formatCustomMetric(app: string, m: CustomMetricView): string {
  const lines = [`${app} ${m.name} (${m.kind}, read as ${READINGS[m.reading]}; ${m.stepSeconds / 60}-minute steps)  ${m.since} .. ${m.until}`];
  if (m.series.every((s) => s.points.length === 0)) lines.push(`  no figures in this range${m.reading === 'rate' ? ' (a cumulative counter needs two points for a rate)' : ''}`);
  for (const s of m.series) {
    if (s.points.length === 0) continue;
    const values = s.points.map((p) => p.value);
    const labels = Object.keys(s.attributes).sort().map((k) => `${k}=${String(s.attributes[k])}`).join(' ') || '(no attributes)';
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    lines.push(`  ${labels}`, `    latest ${figure(values.at(-1)!, m.unit, m.reading)}, mean ${figure(mean, m.unit, m.reading)}, max ${figure(Math.max(...values), m.unit, m.reading)} over ${values.length} step${values.length === 1 ? '' : 's'} (last at ${s.points.at(-1)!.at})`);
  }
  if (m.seriesLeftOut > 0) lines.push(`  (${m.seriesLeftOut} older series left out)`);
  return lines.join('\n');
}

/** metrics:custom (and metrics --name): the names of the app's own metrics, or one of them as series. */
export async function showCustomMetrics({ app, opts }: CommandInput<OutputOptions & { since?: string; until?: string; name?: string }>): Promise<void> {
  const query = new URLSearchParams({ since: opts.since ?? '1h' });
  if (opts.until) query.set('until', opts.until);
  const client = createClient(process.env);
  const path = `/apps/${encodeURIComponent(app)}/metrics/custom`;
  if (opts.name) {
    const metric = await client.request<CustomMetricView>('GET', `${path}/${encodeURIComponent(opts.name)}?${query}`);
    print(opts, metric, () => formatCustomMetric(app, metric));
  } else {
    query.delete('until');
    const names = await client.request<CustomMetricNames>('GET', `${path}?${query}`);
    print(opts, names, () => formatMetricNames(app, names));
  }
}
