import { describe, expect, it } from 'vitest';
import { customMetric, MAX_SERIES, readingOf, seriesKey, stepFor } from './custom.js';
import type { StoredPoint } from './points.js';

const T0 = Date.parse('2026-12-06T03:00:00Z');
const at = (minutes: number, seconds = 0) => new Date(T0 + minutes * 60_000 + seconds * 1000);
const since = at(0);
const until = at(10);

function point(minutes: number, value: number | null, extra: Partial<StoredPoint> = {}): StoredPoint {
  return { name: 'm', kind: 'gauge', unit: '', attributes: { 'service.instance.id': 'web.1' }, at: at(minutes), value, count: null, temporality: null, monotonic: null, ...extra };
}
const counter = (minutes: number, value: number, attributes: Record<string, unknown> = { 'service.instance.id': 'web.1' }) =>
  point(minutes, value, { kind: 'sum', temporality: 'cumulative', monotonic: true, attributes });
const figures = (m: ReturnType<typeof customMetric>, i = 0) => m.series[i]!.points.map((p) => [(p.at.getTime() - T0) / 60_000, p.value]);

describe('readingOf', () => {
  it.each([
    ['gauge', null, null, 'value'],
    ['sum', 'cumulative', true, 'rate'],
    ['sum', 'delta', true, 'rate'],
    ['sum', null, null, 'rate'], // written before migration 090: a Prometheus counter
    ['sum', 'cumulative', false, 'value'], // an up-down counter
    ['sum', 'delta', false, 'rate'],
    ['histogram', 'cumulative', null, 'mean'],
    ['summary', null, null, 'mean'],
    ['exponential_histogram', 'delta', null, 'mean'],
  ] as const)('%s (%s, monotonic %s) is read as %s', (kind, temporality, monotonic, reading) => {
    expect(readingOf({ kind, temporality, monotonic })).toBe(reading);
  });
});

describe('stepFor', () => {
  it.each([
    [10, 60], [120, 60], [121, 120], [6 * 60, 300], [24 * 60, 900], [7 * 24 * 60, 3600],
  ])('%i minutes are drawn in steps of %i s', (minutes, step) => {
    expect(stepFor(since, at(minutes))).toBe(step);
  });
});

describe('customMetric', () => {
  it('reads a gauge as its last value in each step', () => {
    const m = customMetric('m', [point(1, 3), point(1, 5), point(2, 4), point(4, 7)].map((p, i) => (i === 1 ? { ...p, at: at(1, 30) } : p)), since, until);
    expect(m.reading).toBe('value');
    expect(m.stepSeconds).toBe(60);
    expect(figures(m)).toEqual([[1, 5], [2, 4], [4, 7]]);
  });

  it('reads a cumulative counter as its increase per second, a fall as a restart from 0', () => {
    // 60 more each minute (1/s); then the process restarts and counts 30 in its first minute.
    const m = customMetric('m', [counter(1, 100), counter(2, 160), counter(3, 220), counter(4, 30), counter(5, 90)], since, until);
    expect(m.reading).toBe('rate');
    expect(figures(m)).toEqual([[2, 1], [3, 1], [4, 0.5], [5, 1]]);
  });

  it('needs two points of a cumulative counter for a rate', () => {
    expect(customMetric('m', [counter(1, 100)], since, until).series[0]!.points).toEqual([]);
  });

  it('adds delta sums up over the step', () => {
    const delta = (minutes: number, seconds: number, value: number) => ({ ...point(minutes, value, { kind: 'sum', temporality: 'delta', monotonic: true }), at: at(minutes, seconds) });
    const m = customMetric('m', [delta(1, 0, 30), delta(1, 30, 90), delta(3, 0, 6)], since, until);
    expect(figures(m)).toEqual([[1, 2], [3, 0.1]]);
  });

  it('reads an up-down counter as its value', () => {
    const m = customMetric('m', [point(1, 5, { kind: 'sum', temporality: 'cumulative', monotonic: false }), point(2, 3, { kind: 'sum', temporality: 'cumulative', monotonic: false })], since, until);
    expect(m.reading).toBe('value');
    expect(figures(m)).toEqual([[1, 5], [2, 3]]);
  });

  it("reads a histogram as the mean of the step's observations (sum and count increases)", () => {
    const h = (minutes: number, sum: number, count: number) => point(minutes, sum, { kind: 'histogram', temporality: 'cumulative', count });
    // 10 observations adding up to 2.5 s, then 5 adding up to 5 s, then a restart with 2 of 0.2 s.
    const m = customMetric('m', [h(1, 1, 4), h(2, 3.5, 14), h(3, 8.5, 19), h(4, 0.2, 2), h(5, 0.2, 2)], since, until);
    expect(m.reading).toBe('mean');
    expect(figures(m)).toEqual([[2, 0.25], [3, 1], [4, 0.1]]);
  });

  it('keeps one series per attribute set, whatever the order of the keys, sorted by attributes', () => {
    const a = { 'service.instance.id': 'web.2', route: '/cart' };
    const b = { route: '/', 'service.instance.id': 'web.1' };
    const m = customMetric('m', [counter(1, 0, a), counter(1, 0, b), counter(2, 60, { route: '/cart', 'service.instance.id': 'web.2' }), counter(2, 120, b)], since, until);
    expect(m.series.map((s) => s.attributes)).toEqual([b, a]);
    expect(m.series.map((s) => s.points.map((p) => p.value))).toEqual([[2], [1]]);
    expect(seriesKey(a)).toBe(seriesKey({ route: '/cart', 'service.instance.id': 'web.2' }));
  });

  it(`keeps the ${MAX_SERIES} series seen last and counts the ones left out`, () => {
    const points = Array.from({ length: MAX_SERIES + 3 }, (_, i) => ({ ...point(1, i, { attributes: { n: i } }), at: at(1, i) }));
    const m = customMetric('m', points, since, until);
    expect(m.series).toHaveLength(MAX_SERIES);
    expect(m.seriesLeftOut).toBe(3);
    expect(m.series.map((s) => s.attributes.n)).not.toContain(0);
    expect(m.series.map((s) => s.attributes.n)).toContain(MAX_SERIES + 2);
  });

  it('has no series without points', () => {
    expect(customMetric('m', [], since, until)).toMatchObject({ name: 'm', series: [], seriesLeftOut: 0 });
  });
});
