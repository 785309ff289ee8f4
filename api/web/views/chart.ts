/// <reference lib="dom" />
/**
 * A line chart as inline SVG (issue 18's metric charts): no chart library, nothing loaded from
 * elsewhere. The geometry is chart-scale.ts's; this only makes the elements. A dashed line marks
 * each release, labelled with its version.
 */
import { h } from '../dom.js';
import { niceTop, polylineRuns, xOf, type ChartBox, type MetricPoint } from './chart-scale.js';

const NS = 'http://www.w3.org/2000/svg';
const WIDTH = 500;
const HEIGHT = 120;
const PAD = { left: 44, right: 8, top: 8, bottom: 18 };

export interface ReleaseMarker { version: number; at: number }

function svg(tag: string, attrs: Record<string, string | number>, ...children: Array<SVGElement | string>): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

export function formatValue(name: string, value: number): string {
  // The metrics API gives rates as percentages already (telemetry/metrics/summary.ts).
  if (name.startsWith('rate')) return `${Math.round(value * 10) / 10}%`;
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return String(Math.round(value * 100) / 100);
}

/** `timeLabel` writes the time axis's two ends (default: the time of day; the usage chart's are dates). */
export function lineChart(options: {
  name: string; label: string; points: MetricPoint[]; from: number; to: number; releases: ReleaseMarker[]; timeLabel?: (at: number) => string;
}): HTMLElement {
  const timeLabel = options.timeLabel ?? ((at: number) => new Date(at).toLocaleTimeString());
  const { name, points } = options;
  const values = points.map((p) => p[name]).filter((v): v is number => typeof v === 'number');
  const top = niceTop(Math.max(0, ...values));
  const box: ChartBox = { width: WIDTH - PAD.left - PAD.right, height: HEIGHT - PAD.top - PAD.bottom, from: options.from, to: options.to };
  const plot = svg('g', { transform: `translate(${PAD.left},${PAD.top})` },
    svg('line', { x1: 0, y1: box.height, x2: box.width, y2: box.height, stroke: '#e4e7ec' }),
    svg('line', { x1: 0, y1: 0, x2: box.width, y2: 0, stroke: '#f2f4f7' }),
    svg('text', { x: -6, y: 4, 'text-anchor': 'end', 'font-size': 10, fill: '#667085' }, formatValue(name, top)),
    svg('text', { x: -6, y: box.height, 'text-anchor': 'end', 'font-size': 10, fill: '#667085' }, '0'),
    svg('text', { x: 0, y: box.height + 14, 'font-size': 10, fill: '#667085' }, timeLabel(options.from)),
    svg('text', { x: box.width, y: box.height + 14, 'text-anchor': 'end', 'font-size': 10, fill: '#667085' }, timeLabel(options.to)));
  for (const release of options.releases) {
    const x = xOf(release.at, box);
    if (x === undefined) continue;
    plot.append(svg('g', { 'data-release-marker': release.version },
      svg('line', { x1: x, y1: 0, x2: x, y2: box.height, stroke: '#b54708', 'stroke-dasharray': '3 3' }),
      svg('text', { x: x + 3, y: 10, 'font-size': 10, fill: '#b54708' }, `v${release.version}`)));
  }
  for (const run of polylineRuns(points, name, box, top)) {
    plot.append(svg('polyline', { points: run, fill: 'none', stroke: '#3451d1', 'stroke-width': 1.5, 'data-series': name }));
    // A lone minute makes no line: a dot shows it.
    if (!run.includes(' ')) {
      const [x, y] = run.split(',');
      plot.append(svg('circle', { cx: x!, cy: y!, r: 2.5, fill: '#3451d1' }));
    }
  }
  const latest = values.at(-1);
  return h('figure', { className: 'chart', 'data-chart': name, style: 'margin:0' },
    h('figcaption', { style: 'display:flex;justify-content:space-between;font-size:12px' }, h('strong', {}, options.label),
      h('span', { className: 'muted', 'data-latest': name }, latest === undefined ? 'no data' : `latest ${formatValue(name, latest)}`)),
    svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: '100%', role: 'img', 'aria-label': options.label }, plot) as unknown as HTMLElement);
}
