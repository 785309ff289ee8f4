/**
 * Prometheus's text exposition format (Prometheus docs, "Exposition formats", text-based format
 * 0.0.4), as an app's own `/metrics` endpoint answers, parsed into the metrics store's points
 * (the same rows as OTLP metric points, otlp/metrics.ts). Lines are `# HELP`, `# TYPE`, other
 * comments, blank, or samples: `name{label="value",…} value [timestamp]`, with label values
 * escaping `\\`, `\"` and `\n`, and values that may be `+Inf`, `-Inf` or `NaN`. Counters become
 * cumulative monotonic sums, gauges and untyped samples gauges; a histogram or summary becomes one point per label set
 * with its `_sum` as value and `_count` as count (buckets and quantiles are left out, as for
 * OTLP histograms). A line that is none of these is an error naming its line. Pure.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { MetricPoint, PointKind } from '../otlp/metrics.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line gives one. */
  timestampMs?: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` per metric family. */
  types: Map<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const fail = (why: string): never => {
      throw new InvalidInputError(`line ${i + 1} of the metrics is not in Prometheus's text format: ${why}: ${JSON.stringify(line.slice(0, 120))}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const type = /^#\s*TYPE\s+(\S+)\s+(\S+)\s*$/.exec(line);
      if (type) {
        if (!TYPES.has(type[2]!)) fail(`unknown type "${type[2]}"`);
        types.set(type[1]!, type[2]!);
      }
      return; // HELP and other comments
    }
    const name = NAME.exec(line)?.[0] ?? fail('a sample starts with a metric name');
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1).trimStart();
      while (!rest.startsWith('}')) {
        const label = LABEL_NAME.exec(rest)?.[0] ?? fail('a label name was expected');
        rest = rest.slice(label.length).trimStart();
        if (!rest.startsWith('="')) fail(`label ${label} has no ="value"`);
        let value = '';
        let j = 2;
        for (; j < rest.length && rest[j] !== '"'; j++) {
          if (rest[j] !== '\\') value += rest[j];
          else {
            const next = rest[++j];
            value += next === 'n' ? '\n' : next === '\\' || next === '"' ? next : fail(`label ${label} has an unknown escape \\${next ?? ''}`);
          }
        }
        if (j >= rest.length) fail(`label ${label}'s value is not closed`);
        labels[label] = value;
        rest = rest.slice(j + 1).trimStart();
        if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
        else if (!rest.startsWith('}')) fail('labels are separated by commas and closed by }');
      }
      rest = rest.slice(1);
    }
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '' || !/^\s/.test(rest)) fail('a sample is a name, optional labels, a value and an optional timestamp');
    const value = numberOf(parts[0]!) ?? fail(`"${parts[0]}" is not a number`);
    const sample: Sample = { name, labels, value };
    if (parts[1] !== undefined) {
      if (!/^-?\d+$/.test(parts[1])) fail(`"${parts[1]}" is not a timestamp in milliseconds`);
      sample.timestampMs = Number(parts[1]);
    }
    samples.push(sample);
  });
  return { samples, types };
}

function numberOf(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : undefined;
}

/** The samples as store points of one app, stamped `at` unless a sample has its own time. */
export function pointsOfExposition(text: string, appId: number, at: Date, attributes: Record<string, unknown> = {}): MetricPoint[] {
  const { samples, types } = parseExposition(text);
  const points: MetricPoint[] = [];
  const grouped = new Map<string, MetricPoint>();
  for (const s of samples) {
    const time = s.timestampMs === undefined ? at : new Date(s.timestampMs);
    const family = familyOf(s.name, types);
    const type = types.get(family);
    if (type === 'histogram' || type === 'summary') {
      const suffix = s.name.slice(family.length);
      if (suffix !== '_sum' && suffix !== '_count') continue; // buckets and quantiles
      const labels = { ...attributes, ...s.labels };
      const key = `${family}\u0000${JSON.stringify(Object.entries(labels).sort())}`;
      let point = grouped.get(key);
      if (point === undefined) {
        point = { appId, name: family, kind: type, unit: '', attributes: labels, at: time, value: null, count: null, temporality: 'cumulative', monotonic: null };
        grouped.set(key, point);
        points.push(point);
      }
      if (suffix === '_sum') point.value = finiteOrNull(s.value);
      else point.count = finiteOrNull(s.value);
      continue;
    }
    const kind: PointKind = type === 'counter' ? 'sum' : 'gauge';
    const counter = kind === 'sum' ? { temporality: 'cumulative' as const, monotonic: true } : { temporality: null, monotonic: null };
    points.push({ appId, name: s.name, kind, unit: '', attributes: { ...attributes, ...s.labels }, at: time, value: finiteOrNull(s.value), count: null, ...counter });
  }
  return points;
}

/** The family a sample belongs to: its name, or the name less a histogram's or summary's suffix. */
function familyOf(name: string, types: ReadonlyMap<string, string>): string {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && (types.get(base) === 'histogram' || types.get(base) === 'summary')) return base;
  }
  return name;
}

/** The store keeps finite numbers; NaN and infinities are kept as no value. */
function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}
