/// <reference lib="dom" />
/**
 * An app's metrics (issue 18, GET /apps/{app}/metrics): the summary of the range per process
 * type (request rate, latency percentiles, status classes, CPU and memory), and one chart per
 * series the API returns (restarts among them), with a marker at each release; the app
 * database's connections, size and cache hit ratio; and one of the app's own metrics, chosen
 * from a list (GET /apps/{app}/metrics/custom, …/custom/{name}), one chart per series. Redrawn
 * every 30 seconds.
 */
import { api } from '../client.js';
import { h, replace } from '../dom.js';
import { lineChart, formatValue, type ReleaseMarker } from './chart.js';
import { seriesNames, type MetricPoint } from './chart-scale.js';
import {
  DATABASE_SERIES, customChartPoints, databaseChartPoints, readingLabel, seriesLabels,
  type CustomMetricNamesView, type CustomMetricView, type DatabasePointView,
} from './metric-figures.js';
import { attempt, every, rangePicker, titledCard, type Panel } from './panel.js';

interface ProcessMetrics { processType: string; summary: Record<string, unknown>; points: MetricPoint[] }
interface AppMetrics { resolution: string; since: string; until: string; processes: ProcessMetrics[]; database?: DatabasePointView[] }
/** Series of one custom metric drawn at most (the API gives up to 20). */
const CUSTOM_CHARTS = 8;

const RANGES = ['15m', '1h', '6h', '24h', '7d'];
const LABELS: Record<string, string> = {
  requests: 'Requests', requestsPerMinute: 'Requests / min', rate5xx: '5xx rate (%)', rate4xx: '4xx rate (%)',
  p50Ms: 'Latency p50 (ms)', p95Ms: 'Latency p95 (ms)', p99Ms: 'Latency p99 (ms)', cpuPercent: 'CPU (%)', memoryMb: 'Memory (MB)',
  restarts: 'Restarts',
};
const label = (name: string) => LABELS[name] ?? name;

export function metricsPanel(root: HTMLElement, app: string): Panel {
  const range = rangePicker('metrics-range', RANGES, '1h', (r) => `last ${r}`, () => void draw());
  const body = h('div', {});
  const database = h('section', { 'data-testid': 'database-metrics' });
  const custom = customMetricSection(app, () => range.value);
  const card = titledCard('Metrics', range, body, database, custom.element);
  replace(root, card);
  const draw = () => attempt(card, async () => {
    const [metrics, releases] = await Promise.all([
      api<AppMetrics>('GET', `/apps/${app}/metrics?since=${range.value}`),
      api<Array<{ version: number; createdAt: string }>>('GET', `/apps/${app}/releases?limit=50`).catch(() => []),
    ]);
    const markers: ReleaseMarker[] = releases.map((r) => ({ version: r.version, at: Date.parse(r.createdAt) }));
    const axis = { from: Date.parse(metrics.since), to: Date.parse(metrics.until), releases: markers };
    if (metrics.processes.length === 0) {
      replace(body, h('p', { className: 'muted', 'data-testid': 'no-metrics' }, 'No traffic in this range yet: metrics are rolled up every minute from the router.'));
    } else {
      replace(body, ...metrics.processes.map((p) => processSection(p, metrics, markers)));
    }
    replace(database, ...databaseCharts(metrics.database ?? [], axis));
    // Its own errors (a metric gone from the list) stay in its own section.
    await attempt(custom.element, () => custom.draw(axis));
  });
  return { dispose: every(30_000, draw) };
}

interface Axis { from: number; to: number; releases: ReleaseMarker[] }

const grid = (...charts: HTMLElement[]) => h('div', { style: 'display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:12px' }, ...charts);

/** The app database's figures (sampled each minute), or nothing before its database exists. */
function databaseCharts(rows: DatabasePointView[], axis: Axis): HTMLElement[] {
  if (rows.length === 0) return [];
  const points = databaseChartPoints(rows);
  return [
    h('h3', { style: 'font-size:14px;margin:16px 0 8px' }, 'Database'),
    grid(...DATABASE_SERIES.map(([name, chartLabel]) => lineChart({ name, label: chartLabel, points, ...axis }))),
  ];
}

/** A list of the app's own metrics; the chosen one drawn as a chart per series. */
function customMetricSection(app: string, since: () => string): { element: HTMLElement; draw(axis: Axis): Promise<void> } {
  let axis: Axis | undefined;
  const charts = h('div', { 'data-testid': 'custom-metric' });
  const select: HTMLSelectElement = h('select', { name: 'custom-metric', 'aria-label': 'custom metric', onchange: () => void attempt(element, drawChosen) });
  const element = h('section', { 'data-testid': 'custom-metrics' },
    h('h3', { style: 'font-size:14px;margin:16px 0 8px' }, "The app's own metrics ", select), charts);
  const drawChosen = async () => {
    if (select.value === '' || axis === undefined) {
      replace(charts, h('p', { className: 'muted' }, 'Choose one of the metrics the app sends (OTLP) or has scraped (DEVFLOW_METRICS_PATH).'));
      return;
    }
    const metric = await api<CustomMetricView>('GET', `/apps/${app}/metrics/custom/${encodeURIComponent(select.value)}?since=${since()}`);
    const labels = seriesLabels(metric.series);
    const shown = metric.series.slice(0, CUSTOM_CHARTS);
    replace(charts,
      h('p', { className: 'muted', 'data-testid': 'custom-reading' }, `${metric.name} (${metric.kind}): ${readingLabel(metric)}`),
      shown.length === 0 ? h('p', { className: 'muted' }, 'No points in this range.') : grid(...shown.map((s, i) => lineChart({
        name: `custom-${i}`, label: labels[i]!, points: customChartPoints(s, `custom-${i}`), ...axis!,
      }))));
  };
  const draw = async (next: Axis) => {
    axis = next;
    const { metrics } = await api<CustomMetricNamesView>('GET', `/apps/${app}/metrics/custom?since=${since()}`);
    const chosen = select.value;
    replace(select, h('option', { value: '' }, metrics.length === 0 ? 'none yet' : 'choose…'),
      ...metrics.map((m) => h('option', { value: m.name }, `${m.name} (${m.reading})`)));
    select.value = metrics.some((m) => m.name === chosen) ? chosen : '';
    await drawChosen();
  };
  return { element, draw };
}

function processSection(p: ProcessMetrics, metrics: AppMetrics, releases: ReleaseMarker[]): HTMLElement {
  const summary = Object.entries(p.summary).filter(([, v]) => typeof v === 'number');
  const from = Date.parse(metrics.since);
  const to = Date.parse(metrics.until);
  return h('section', { 'data-process-metrics': p.processType, style: 'margin-bottom:16px' },
    h('h3', { style: 'font-size:14px;margin:8px 0' }, p.processType, ' ', h('span', { className: 'muted' }, `(${metrics.resolution} resolution)`)),
    h('table', { 'data-testid': 'metrics-summary' }, h('tbody', {}, h('tr', {}, ...summary.map(([k]) => h('th', {}, label(k)))),
      h('tr', {}, ...summary.map(([k, v]) => h('td', { 'data-summary': k }, formatValue(k, v as number)))))),
    grid(...seriesNames(p.points).map((name) => lineChart({ name, label: label(name), points: p.points, from, to, releases }))));
}
