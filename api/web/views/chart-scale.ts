/**
 * The geometry of the dashboard's metric charts (issue 18), kept pure so it is tested without a
 * browser: which series a metrics answer holds (every numeric field of its points, so a series
 * the API adds later, such as per-instance CPU, is drawn without a change here), a rounded top
 * for the value axis, and each series as polyline runs in the chart's pixel box, broken where a
 * minute has no value rather than drawn through it.
 */

export interface ChartBox {
  width: number;
  height: number;
  /** The time axis, in epoch milliseconds. */
  from: number;
  to: number;
}

export type MetricPoint = { at: string } & Record<string, unknown>;

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

/** One series as runs of "x,y" pairs; `top` is the value drawn at the top edge. */
export function polylineRuns(points: readonly MetricPoint[], name: string, box: ChartBox, top: number): string[] {
  const span = Math.max(box.to - box.from, 1);
  const runs: string[][] = [];
  let current: string[] | undefined;
  for (const point of points) {
    const value = point[name];
    if (typeof value !== 'number') {
      current = undefined;
      continue;
    }
    const x = ((Date.parse(point.at) - box.from) / span) * box.width;
    const y = box.height - (Math.min(value, top) / top) * box.height;
    if (!current) runs.push((current = []));
    current.push(`${round(x)},${round(y)}`);
  }
  return runs.map((run) => run.join(' '));
}

/** Where a time falls on the x axis, or undefined outside the box. */
export function xOf(at: number, box: ChartBox): number | undefined {
  if (at < box.from || at > box.to) return undefined;
  return round(((at - box.from) / Math.max(box.to - box.from, 1)) * box.width);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
