/**
 * An app's own metrics read back (issue 18, metrics): the points its Prometheus endpoint gave
 * (scrape.ts) or it sent over OTLP (otlp/metrics.ts) as series over time, one per set of
 * attributes (instance, process type, release, the app's own labels), in steps of equal length.
 * How a point is read depends on what it is (docs: telemetry/README.md "Custom metrics"):
 *
 * | kind | read as |
 * | --- | --- |
 * | gauge, non-monotonic cumulative sum (up-down counter) | `value`: the last value of the step |
 * | monotonic sum (counter; Prometheus counter), cumulative | `rate`: its increase per second, a fall counted as a restart from 0 |
 * | any delta sum | `rate`: the deltas of the step added up, per second of the step |
 * | histogram, summary, exponential histogram | `mean`: the observations' mean in the step (sum increase / count increase; deltas likewise) |
 *
 * Points without a temporality (written before migration 090) are read as Prometheus counters
 * are: cumulative and monotonic. Pure: points in, series out.
 */
import type { MetricPoint } from '../otlp/metrics.js';

/** A metric point as the store keeps it (points.ts reads them). */
export interface StoredPoint {
  name: string;
  kind: MetricPoint['kind'];
  unit: string;
  attributes: Record<string, unknown>;
  at: Date;
  value: number | null;
  count: number | null;
  temporality: MetricPoint['temporality'];
  monotonic: boolean | null;
}

export type Reading = 'value' | 'rate' | 'mean';

export interface CustomSeries {
  attributes: Record<string, unknown>;
  /** One per step that has a figure, oldest first. */
  points: Array<{ at: Date; value: number }>;
}

export interface CustomMetric {
  name: string;
  kind: StoredPoint['kind'];
  unit: string;
  reading: Reading;
  since: Date;
  until: Date;
  stepSeconds: number;
  series: CustomSeries[];
  /** Series beyond MAX_SERIES, left out (the ones seen last are kept). */
  seriesLeftOut: number;
}

/** At most this many steps on the time axis, and series in one answer. */
export const MAX_STEPS = 120;
export const MAX_SERIES = 20;
const STEPS_SECONDS = [60, 120, 300, 600, 900, 1800, 3600];

/** The step for a range: the shortest of 1, 2, 5, 10, 15, 30 or 60 minutes giving at most MAX_STEPS steps. */
export function stepFor(since: Date, until: Date): number {
  const seconds = (until.getTime() - since.getTime()) / 1000;
  return STEPS_SECONDS.find((s) => seconds / s <= MAX_STEPS) ?? 3600;
}

export function readingOf(point: Pick<StoredPoint, 'kind' | 'temporality' | 'monotonic'>): Reading {
  switch (point.kind) {
    case 'gauge':
      return 'value';
    case 'sum':
      return point.temporality === 'delta' || point.monotonic !== false ? 'rate' : 'value';
    case 'histogram':
    case 'summary':
    case 'exponential_histogram':
      return 'mean';
    default: {
      const never: never = point.kind;
      throw new Error(`unknown metric kind ${String(never)}`);
    }
  }
}

/** A series' key: its attributes with sorted keys, so the same set in another order is the same series. */
export function seriesKey(attributes: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
}

/** Points of one metric (oldest first, as readMetricPoints gives them) as series over [since, until). */
export function customMetric(name: string, points: readonly StoredPoint[], since: Date, until: Date): CustomMetric {
  const stepSeconds = stepFor(since, until);
  const first = points[0];
  const reading = first === undefined ? 'value' : readingOf(first);
  const groups = new Map<string, StoredPoint[]>();
  for (const p of points) {
    const key = seriesKey(p.attributes);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [p]);
    else list.push(p);
  }
  // The series seen last are the ones a reader wants when there are too many (instances of old releases go first).
  const ordered = [...groups.values()].sort((a, b) => a.at(-1)!.at.getTime() - b.at(-1)!.at.getTime());
  const kept = ordered.slice(-MAX_SERIES);
  const series = kept
    .map((list) => ({ attributes: list[0]!.attributes, points: stepValues(list, reading, stepSeconds) }))
    .sort((a, b) => seriesKey(a.attributes).localeCompare(seriesKey(b.attributes)));
  return {
    name, kind: first?.kind ?? 'gauge', unit: first?.unit ?? '', reading, since, until, stepSeconds, series, seriesLeftOut: ordered.length - kept.length,
  };
}

/** The start of the step `at` falls in: steps are whole minutes (hours, …) of UTC, whatever `since` is. */
function stepOf(at: Date, stepSeconds: number): number {
  const stepMs = stepSeconds * 1000;
  return Math.floor(at.getTime() / stepMs) * stepMs;
}

interface Step {
  /** value: the last value; rate: the increase; mean: the sum's increase. */
  amount: number;
  /** rate: seconds covered by the increases (cumulative) ; mean: the count's increase. */
  weight: number;
}

function stepValues(list: readonly StoredPoint[], reading: Reading, stepSeconds: number): CustomSeries['points'] {
  const steps = new Map<number, Step>();
  const add = (at: Date, amount: number, weight: number, replace = false) => {
    const key = stepOf(at, stepSeconds);
    const step = steps.get(key);
    if (step === undefined || replace) steps.set(key, { amount, weight });
    else {
      step.amount += amount;
      step.weight += weight;
    }
  };
  const delta = list[0]?.temporality === 'delta';
  let previous: StoredPoint | undefined;
  for (const p of list) {
    if (reading === 'value') {
      if (p.value !== null) add(p.at, p.value, 1, true);
    } else if (delta) {
      // A delta point is the change since the sender's last one: it belongs to its step as it is.
      if (reading === 'rate' && p.value !== null) add(p.at, p.value, stepSeconds);
      if (reading === 'mean' && p.value !== null && p.count !== null) add(p.at, p.value, p.count);
    } else if (previous !== undefined) {
      const seconds = (p.at.getTime() - previous.at.getTime()) / 1000;
      if (reading === 'rate' && p.value !== null && previous.value !== null && seconds > 0) {
        add(p.at, increase(previous.value, p.value), seconds);
      }
      if (reading === 'mean' && p.value !== null && p.count !== null && previous.value !== null && previous.count !== null) {
        const restarted = p.count < previous.count;
        add(p.at, restarted ? p.value : p.value - previous.value, restarted ? p.count : p.count - previous.count);
      }
    }
    previous = p;
  }
  return [...steps].sort(([a], [b]) => a - b).flatMap(([at, step]) => {
    const value = figure(reading, step, delta, stepSeconds);
    return value === null ? [] : [{ at: new Date(at), value }];
  });
}

/** A cumulative counter's increase; a fall means it restarted from 0 (the process restarted). */
function increase(before: number, after: number): number {
  return after >= before ? after - before : after;
}

function figure(reading: Reading, step: Step, delta: boolean, stepSeconds: number): number | null {
  if (reading === 'value') return step.amount;
  if (reading === 'mean') return step.weight > 0 ? step.amount / step.weight : null;
  // A delta rate is over the whole step; a cumulative one over the time between the points.
  const seconds = delta ? stepSeconds : step.weight;
  return seconds > 0 ? step.amount / seconds : null;
}
