import { describe, expect, it } from 'vitest';
import { trafficDelta, type AppTraffic, type TrafficSnapshot } from './traffic.js';

const traffic = (ok: number, failed: number, buckets: number[], sum: number): AppTraffic => ({
  counts: { '1xx': 0, '2xx': ok, '3xx': 0, '4xx': 0, '5xx': failed }, buckets, sum, count: ok + failed,
});

describe('trafficDelta', () => {
  it.each<[string, TrafficSnapshot, TrafficSnapshot, TrafficSnapshot]>([
    ['the requests since the last copy',
      new Map([['shop', traffic(10, 1, [5, 11], 1.5)]]),
      new Map([['shop', traffic(15, 3, [8, 18], 2.5)]]),
      new Map([['shop', traffic(5, 2, [3, 7], 1)]])],
    ['an app first seen counts from zero',
      new Map(),
      new Map([['blog', traffic(2, 0, [2, 2], 0.01)]]),
      new Map([['blog', traffic(2, 0, [2, 2], 0.01)]])],
    ['an app without new requests has no row',
      new Map([['shop', traffic(10, 1, [5, 11], 1.5)]]),
      new Map([['shop', traffic(10, 1, [5, 11], 1.5)]]),
      new Map()],
    ['counters that went down (a restart) start again',
      new Map([['shop', traffic(100, 0, [100, 100], 9)]]),
      new Map([['shop', traffic(3, 0, [3, 3], 0.1)]]),
      new Map([['shop', traffic(3, 0, [3, 3], 0.1)]])],
  ])('%s', (_what, before, after, expected) => {
    const delta = trafficDelta(before, after);
    expect([...delta.keys()]).toEqual([...expected.keys()]);
    for (const [app, d] of expected) {
      expect(delta.get(app)!.counts).toEqual(d.counts);
      expect(delta.get(app)!.buckets).toEqual(d.buckets);
      expect(delta.get(app)!.count).toBe(d.count);
      expect(delta.get(app)!.sum).toBeCloseTo(d.sum, 9);
    }
  });
});
