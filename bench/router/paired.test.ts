import { describe, expect, it } from 'vitest';
import { pairedDrop } from './paired.js';

describe('pairedDrop', () => {
  it('gives each round\'s drop in points of that round\'s nginx', () => {
    const r = pairedDrop([{ nginx: 100, off: 80, on: 78 }, { nginx: 50, off: 40, on: 40 }, { nginx: 200, off: 150, on: 140 }]);
    expect(r.drops).toEqual([2, 0, 5]);
    expect(r.median).toBe(2);
  });

  it.each([
    // n, k (interval from the (k+1)th smallest to the (k+1)th largest), coverage
    [5, undefined, undefined],
    [6, 0, 0.969],
    [8, 0, 0.992],
    [9, 1, 0.961],
    [12, 2, 0.961],
    [20, 5, 0.959],
  ])('with %i rounds the 95 %% interval drops %s values at each end', (n, k, coverage) => {
    const rounds = Array.from({ length: n }, (_, i) => ({ nginx: 100, off: 80, on: 80 - i }));
    const r = pairedDrop(rounds);
    if (k === undefined) {
      expect(r.low).toBeUndefined();
      return;
    }
    expect(r.low).toBeCloseTo(k, 9);
    expect(r.high).toBeCloseTo(n - 1 - k, 9);
    expect(r.confidence).toBeCloseTo(coverage!, 3);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(pairedDrop([1, 2, 3, 10].map((d) => ({ nginx: 100, off: 50, on: 50 - d }))).median).toBe(2.5);
  });
});
