/**
 * What the dashboard's metric charts draw (issue 18), kept pure so it is tested without a
 * browser: which series a metrics answer holds (every numeric field of its points, so a series
 * the API adds later, such as per-instance CPU, is drawn without a change here), a rounded top
 * for the value axis, each series as the columns uPlot takes (times in seconds, a missing minute
 * as null so the line breaks there rather than being drawn through it), and which releases fall
 * on the time axis.
 */

export type MetricPoint = { at: string } & Record<string, unknown>;

/** uPlot's aligned data for one series: [times in epoch seconds, values or null]. */
export type SeriesColumns = [number[], Array<number | null>];

/** The numeric fields of the points, in the order the API sends them. */
export function seriesNames(points: readonly MetricPoint[]): string[] {
  const names: string[] = [];
  for (const point of points) {
    for (const [key, value] of Object.entries(point)) {
      if (key !== 'at' && typeof value === 'number' && !names.includes(key)) names.push(key);
    }
  }
  return names;
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above the largest value (1 when all are 0 or none). */
export function niceTop(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((top) => top >= max * (1 - 1e-12))!;
}

/** One series as uPlot's columns, in time order; a point without a number for it is a gap (null). */
export function seriesColumns(points: readonly MetricPoint[], name: string): SeriesColumns {
  const sorted = points.map((p) => ({ at: Date.parse(p.at), value: p[name] })).filter((p) => Number.isFinite(p.at)).sort((a, b) => a.at - b.at);
  return [sorted.map((p) => p.at / 1000), sorted.map((p) => (typeof p.value === 'number' ? p.value : null))];
}

/** The value axis: from 0 to a rounded top over the series' largest value. */
export function valueRange(values: ReadonlyArray<number | null>): [number, number] {
  return [0, niceTop(Math.max(0, ...values.filter((v): v is number => v !== null)))];
}

export interface ReleaseMarker { version: number; at: number }

/** The releases made inside the time axis [from, to] (epoch ms), oldest first: one marker each. */
export function releasesOnAxis(releases: readonly ReleaseMarker[], from: number, to: number): ReleaseMarker[] {
  return releases.filter((r) => r.at >= from && r.at <= to).sort((a, b) => a.at - b.at);
}

/** The indices of values with no value on either side: a lone minute makes no line, so a dot shows it. */
export function loneIndices(values: ReadonlyArray<number | null>): number[] {
  const lone: number[] = [];
  values.forEach((v, i) => {
    if (v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null) lone.push(i);
  });
  return lone;
}
