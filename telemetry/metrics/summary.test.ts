import { describe, expect, it } from 'vitest';
import { histogramQuantile, summarise, type MetricRow } from './summary.js';

const BOUNDS = [0.01, 0.1, 1];

describe('histogramQuantile', () => {
  it.each<[number, number[], number, number | undefined]>([
    [0.5, [0, 0, 0], 0, undefined],
    [0.5, [10, 10, 10], 10, 5],       // all in the first bucket: half way to 10 ms
    [0.5, [0, 10, 10], 10, 55],       // in (10 ms, 100 ms]: half way
    [0.95, [50, 90, 100], 100, 550],  // rank 95 in (100 ms, 1 s]: 5 of 10 in it
    [0.99, [50, 90, 90], 100, 1000],  // beyond the last bound: the last bound
  ])('q=%d of %j', (q, cumulative, total, expected) => {
    const value = histogramQuantile(q, BOUNDS, cumulative, total);
    if (expected === undefined) expect(value).toBeUndefined();
    else expect(value).toBeCloseTo(expected, 6);
  });
});

describe('summarise', () => {
  const row = (requests: number, s5xx: number, buckets: number[], cpu: number | null): MetricRow => ({
    at: new Date(), requests, status: { '1xx': 0, '2xx': requests - s5xx, '3xx': 0, '4xx': 0, '5xx': s5xx },
    latencyBuckets: buckets, latencySum: 0, cpuPercent: cpu, memoryMb: cpu === null ? null : cpu * 10, instances: 1,
  });

  it('adds the rows up: rates, shares, percentiles over the summed buckets, CPU mean and memory peak', () => {
    const s = summarise([row(60, 6, [30, 60, 60], 10), row(40, 0, [0, 40, 40], 30)], BOUNDS, 2);
    expect(s).toMatchObject({ requests: 100, requestsPerMinute: 50, rate5xx: 6, rate4xx: 0, cpuPercent: 20, memoryMb: 300 });
    expect(s.p50Ms).toBeCloseTo(10 + 90 * (20 / 70), 6);
  });

  it('has no shares or percentiles without requests', () => {
    expect(summarise([row(0, 0, [0, 0, 0], null)], BOUNDS, 1)).toMatchObject({ requests: 0, rate5xx: undefined, p95Ms: undefined, cpuPercent: undefined });
  });
});
