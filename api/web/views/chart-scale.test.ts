import { describe, expect, it } from 'vitest';
import { niceTop, polylineRuns, seriesNames, xOf, type ChartBox, type MetricPoint } from './chart-scale.js';

const box: ChartBox = { width: 100, height: 50, from: Date.parse('2026-12-05T10:00:00Z'), to: Date.parse('2026-12-05T10:04:00Z') };
const at = (minute: number) => `2026-12-05T10:0${minute}:00.000Z`;

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

describe('polylineRuns', () => {
  it('places values on the box, breaking the line where a minute has none', () => {
    const points: MetricPoint[] = [
      { at: at(0), v: 0 }, { at: at(1), v: 10 }, { at: at(2), v: null }, { at: at(3), v: 5 }, { at: at(4), v: 20 },
    ];
    expect(polylineRuns(points, 'v', box, 10)).toEqual(['0,50 25,0', '75,25 100,0']);
  });

  it('draws nothing for a series with no values', () => {
    expect(polylineRuns([{ at: at(0), v: null }], 'v', box, 1)).toEqual([]);
  });
});

describe('xOf', () => {
  it('places a time inside the box and nothing outside it', () => {
    expect(xOf(Date.parse(at(2)), box)).toBe(50);
    expect(xOf(Date.parse('2026-12-05T09:59:00Z'), box)).toBeUndefined();
  });
});
