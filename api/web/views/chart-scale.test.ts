import { describe, expect, it } from 'vitest';
import { loneIndices, niceTop, releasesOnAxis, seriesColumns, seriesNames, valueRange, type MetricPoint } from './chart-scale.js';

const at = (minute: number) => `2026-12-05T10:0${minute}:00.000Z`;
const seconds = (minute: number) => Date.parse(at(minute)) / 1000;

describe('seriesNames', () => {
  it('lists every numeric field once, even one only some points have, and not the time', () => {
    const points: MetricPoint[] = [
      { at: at(0), requests: 3, rate5xx: null, p95Ms: 12 },
      { at: at(1), requests: 1, rate5xx: 0.5, p95Ms: 8, cpuPercent: 4, label: 'web' },
    ];
    expect(seriesNames(points)).toEqual(['requests', 'p95Ms', 'rate5xx', 'cpuPercent']);
  });
});

describe('niceTop', () => {
  it.each([[0, 1], [-3, 1], [Number.NaN, 1], [0.3, 0.5], [1, 1], [1.2, 2], [3, 5], [7, 10], [120, 200], [1000, 1000]])('%d → %d', (max, top) => {
    expect(niceTop(max)).toBeCloseTo(top);
  });
});

describe('seriesColumns', () => {
  it.each<[string, MetricPoint[], [number[], Array<number | null>]]>([
    ['times in seconds beside the values', [{ at: at(0), v: 0 }, { at: at(1), v: 10 }], [[seconds(0), seconds(1)], [0, 10]]],
    ['a minute without the series is a gap', [{ at: at(0), v: 1 }, { at: at(1), v: null }, { at: at(2), w: 3 }, { at: at(3), v: 5 }],
      [[seconds(0), seconds(1), seconds(2), seconds(3)], [1, null, null, 5]]],
    ['points out of order are put in time order', [{ at: at(2), v: 2 }, { at: at(0), v: 0 }], [[seconds(0), seconds(2)], [0, 2]]],
    ['a point without a readable time is left out', [{ at: 'yesterday', v: 1 }, { at: at(1), v: 2 }], [[seconds(1)], [2]]],
    ['no points, no columns', [], [[], []]],
  ])('%s', (_name, points, columns) => {
    expect(seriesColumns(points, 'v')).toEqual(columns);
  });
});

describe('valueRange', () => {
  it.each<[Array<number | null>, [number, number]]>([[[3, null, 7], [0, 10]], [[null], [0, 1]], [[], [0, 1]], [[0.2, 0.04], [0, 0.2]]])('%j → %j', (values, range) => {
    expect(valueRange(values)[0]).toBe(range[0]);
    expect(valueRange(values)[1]).toBeCloseTo(range[1]);
  });
});

describe('releasesOnAxis', () => {
  it('keeps the releases inside the axis, ends included, oldest first', () => {
    const from = Date.parse(at(0));
    const to = Date.parse(at(4));
    const releases = [{ version: 3, at: Date.parse(at(4)) }, { version: 1, at: from - 1 }, { version: 2, at: from }, { version: 4, at: to + 1 }];
    expect(releasesOnAxis(releases, from, to).map((r) => r.version)).toEqual([2, 3]);
  });
});

describe('loneIndices', () => {
  it.each<[Array<number | null>, number[]]>([[[1], [0]], [[1, 2], []], [[null, 3, null, 4, 5, null, 6], [1, 6]], [[], []], [[null, null], []]])('%j → %j', (values, lone) => {
    expect(loneIndices(values)).toEqual(lone);
  });
});
