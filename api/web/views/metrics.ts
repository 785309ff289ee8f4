/// <reference lib="dom" />
/**
 * An app's metrics (issue 18, GET /apps/{app}/metrics): the summary of the range per process
 * type (request rate, latency percentiles, status classes, CPU and memory), and one chart per
 * series the API returns, with a marker at each release. Redrawn every 30 seconds.
 */
import { api } from '../client.js';
import { h, replace } from '../dom.js';
import { lineChart, formatValue, type ReleaseMarker } from './chart.js';
import { seriesNames, type MetricPoint } from './chart-scale.js';
import { attempt, every, rangePicker, titledCard, type Panel } from './panel.js';

interface ProcessMetrics { processType: string; summary: Record<string, unknown>; points: MetricPoint[] }
interface AppMetrics { resolution: string; since: string; until: string; processes: ProcessMetrics[] }

const RANGES = ['15m', '1h', '6h', '24h', '7d'];
const LABELS: Record<string, string> = {
  requests: 'Requests', requestsPerMinute: 'Requests / min', rate5xx: '5xx rate (%)', rate4xx: '4xx rate (%)',
  p50Ms: 'Latency p50 (ms)', p95Ms: 'Latency p95 (ms)', p99Ms: 'Latency p99 (ms)', cpuPercent: 'CPU (%)', memoryMb: 'Memory (MB)',
};
const label = (name: string) => LABELS[name] ?? name;

export function metricsPanel(root: HTMLElement, app: string): Panel {
  const range = rangePicker('metrics-range', RANGES, '1h', (r) => `last ${r}`, () => void draw());
  const body = h('div', {});
  const card = titledCard('Metrics', range, body);
  replace(root, card);
  const draw = () => attempt(card, async () => {
    const [metrics, releases] = await Promise.all([
      api<AppMetrics>('GET', `/apps/${app}/metrics?since=${range.value}`),
      api<Array<{ version: number; createdAt: string }>>('GET', `/apps/${app}/releases?limit=50`).catch(() => []),
    ]);
    const markers: ReleaseMarker[] = releases.map((r) => ({ version: r.version, at: Date.parse(r.createdAt) }));
    if (metrics.processes.length === 0) {
      replace(body, h('p', { className: 'muted', 'data-testid': 'no-metrics' }, 'No traffic in this range yet: metrics are rolled up every minute from the router.'));
      return;
    }
    replace(body, ...metrics.processes.map((p) => processSection(p, metrics, markers)));
  });
  return { dispose: every(30_000, draw) };
}

function processSection(p: ProcessMetrics, metrics: AppMetrics, releases: ReleaseMarker[]): HTMLElement {
  const summary = Object.entries(p.summary).filter(([, v]) => typeof v === 'number');
  const from = Date.parse(metrics.since);
  const to = Date.parse(metrics.until);
  return h('section', { 'data-process-metrics': p.processType, style: 'margin-bottom:16px' },
    h('h3', { style: 'font-size:14px;margin:8px 0' }, p.processType, ' ', h('span', { className: 'muted' }, `(${metrics.resolution} resolution)`)),
    h('table', { 'data-testid': 'metrics-summary' }, h('tbody', {}, h('tr', {}, ...summary.map(([k]) => h('th', {}, label(k)))),
      h('tr', {}, ...summary.map(([k, v]) => h('td', { 'data-summary': k }, formatValue(k, v as number)))))),
    h('div', { style: 'display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:12px' },
      ...seriesNames(p.points).map((name) => lineChart({ name, label: label(name), points: p.points, from, to, releases }))));
}
