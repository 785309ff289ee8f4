/// <reference lib="dom" />
/**
 * A line chart of one series (issue 18's metric charts, issue 20's usage charts), drawn by uPlot
 * (MIT, github.com/leeoniya/uPlot), which esbuild bundles into the dashboard's one script
 * (api/bundle.ts, which also puts uPlot's stylesheet in the page): nothing is loaded from
 * elsewhere. What is drawn comes from chart-scale.ts (pure, tested); this makes the figure: a
 * caption with the latest value, uPlot's canvas with a time axis and a value axis from 0, a
 * legend that reads the value under the cursor, and a dashed marker at each release, labelled
 * with its version. The markers are elements in uPlot's layer over the plot, placed again at
 * every draw, so they stay on their time when the chart is resized.
 */
import uPlot from 'uplot';
import { h } from '../dom.js';
import { loneIndices, releasesOnAxis, seriesColumns, valueRange, type MetricPoint, type ReleaseMarker } from './chart-scale.js';

export type { ReleaseMarker } from './chart-scale.js';

const HEIGHT = 150;
/** Until the figure is laid out and its width known (a ResizeObserver then fits the chart to it). */
const FIRST_WIDTH = 500;
const LINE = '#3451d1';
const MARKER = '#b54708';
const AXIS = '#667085';
const GRID = '#f2f4f7';
const FONT = '10px system-ui, sans-serif';

export function formatValue(name: string, value: number): string {
  // The metrics API gives rates as percentages already (telemetry/metrics/summary.ts).
  if (name.startsWith('rate')) return `${Math.round(value * 10) / 10}%`;
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return String(Math.round(value * 100) / 100);
}

export interface LineChartOptions {
  name: string;
  label: string;
  points: MetricPoint[];
  /** The time axis, epoch ms. */
  from: number;
  to: number;
  releases: ReleaseMarker[];
  /** Dates on the time axis in UTC (the usage view counts in UTC); the browser's time zone otherwise. */
  utc?: boolean;
}

export function lineChart(options: LineChartOptions): HTMLElement {
  const { name } = options;
  const data = seriesColumns(options.points, name);
  const latest = [...data[1]].reverse().find((v) => v !== null);
  const plot = h('div', { 'data-plot': name });
  const figure = h('figure', { className: 'chart', 'data-chart': name, style: 'margin:0;min-width:0' },
    h('figcaption', { style: 'display:flex;justify-content:space-between;font-size:12px' }, h('strong', {}, options.label),
      h('span', { className: 'muted', 'data-latest': name }, latest == null ? 'no data' : `latest ${formatValue(name, latest)}`)),
    plot);
  const chart = new uPlot(chartOptions(options, data[1]), data, plot);
  fitToFigure(figure, chart);
  return figure;
}

function chartOptions(options: LineChartOptions, values: Array<number | null>): uPlot.Options {
  const { name, label } = options;
  const axis = { stroke: AXIS, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 } };
  return {
    width: FIRST_WIDTH,
    height: HEIGHT,
    ...(options.utc ? { tzDate: (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC') } : {}),
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: () => [options.from / 1000, options.to / 1000] },
      y: { range: () => valueRange(values) },
    },
    series: [
      {},
      {
        label, stroke: LINE, width: 1.5, spanGaps: false,
        value: (_u, v) => (v == null ? '–' : formatValue(name, v)),
        points: { fill: LINE, filter: (_u, _i, show) => (show ? null : loneIndices(values)) },
      },
    ],
    axes: [axis, { ...axis, size: 48, values: (_u, splits) => splits.map((v) => formatValue(name, v)) }],
    hooks: { draw: [(u) => placeMarkers(u, releasesOnAxis(options.releases, options.from, options.to))] },
  };
}

/** A dashed line and the version at each release, over the plot (uPlot's `over` layer is the plot's box). */
function placeMarkers(u: uPlot, releases: ReleaseMarker[]): void {
  const markers = releases.map((release) => {
    const left = u.valToPos(release.at / 1000, 'x');
    return h('div', {
      'data-release-marker': release.version, title: `release v${release.version}, ${new Date(release.at).toLocaleString()}`,
      style: `position:absolute;top:0;bottom:0;left:${left}px;border-left:1px dashed ${MARKER};pointer-events:none`,
    }, h('span', { style: `position:absolute;top:0;left:3px;font-size:10px;color:${MARKER}` }, `v${release.version}`));
  });
  u.over.querySelectorAll('[data-release-marker]').forEach((old) => old.remove());
  u.over.append(...markers);
}

/** uPlot draws at a width in pixels: the figure's, once laid out and whenever it changes. */
function fitToFigure(figure: HTMLElement, chart: uPlot): void {
  const observer = new ResizeObserver(() => {
    if (!figure.isConnected) {
      // The view was redrawn and this figure replaced.
      observer.disconnect();
      chart.destroy();
      return;
    }
    const width = Math.floor(figure.clientWidth);
    if (width > 0 && width !== chart.width) chart.setSize({ width, height: HEIGHT });
  });
  observer.observe(figure);
}
