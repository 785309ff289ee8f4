import { describe, expect, it } from 'vitest';
import { customChartPoints, databaseChartPoints, readingLabel, seriesLabels } from './metric-figures.js';

describe('databaseChartPoints', () => {
  it('gives the size in MB and the cache hit ratio in %, none before a block was read', () => {
    expect(databaseChartPoints([
      { at: '2026-12-06T03:00:00.000Z', connections: 3, sizeBytes: 7_864_320, cacheHitRatio: 0.99123 },
      { at: '2026-12-06T03:01:00.000Z', connections: 0, sizeBytes: 7_000_000, cacheHitRatio: null },
    ])).toEqual([
      { at: '2026-12-06T03:00:00.000Z', connections: 3, sizeMb: 7.864, cacheHitPercent: 99.12 },
      { at: '2026-12-06T03:01:00.000Z', connections: 0, sizeMb: 7, cacheHitPercent: null },
    ]);
  });
});

describe('seriesLabels', () => {
  it.each([
    ['only the attributes that differ', [{ instance: 'web.1', release: 'v2' }, { instance: 'web.2', release: 'v2' }], ['instance=web.1', 'instance=web.2']],
    ['all of them when none differ (one series)', [{ instance: 'web.1', release: 'v2' }], ['instance=web.1 release=v2']],
    ['one missing on a series as a difference', [{ route: '/' }, { route: '/', method: 'GET' }], ['all', 'method=GET']],
    ['"all" for a series without attributes', [{}], ['all']],
  ])('names %s', (_name, attributes, labels) => {
    expect(seriesLabels(attributes.map((a) => ({ attributes: a, points: [] })))).toEqual(labels);
  });
});

describe('customChartPoints and readingLabel', () => {
  it('puts the values under the chart name and says how they are read', () => {
    expect(customChartPoints({ attributes: {}, points: [{ at: '2026-12-06T03:00:00.000Z', value: 1.5 }] }, 'custom-0'))
      .toEqual([{ at: '2026-12-06T03:00:00.000Z', 'custom-0': 1.5 }]);
    expect(readingLabel({ reading: 'rate', unit: '', stepSeconds: 60 })).toBe('rate per second, 1-minute steps');
    expect(readingLabel({ reading: 'rate', unit: 'By', stepSeconds: 300 })).toBe('rate: By per second, 5-minute steps');
    expect(readingLabel({ reading: 'value', unit: 'items', stepSeconds: 60 })).toBe('value (items), last of each step, 1-minute steps');
    expect(readingLabel({ reading: 'mean', unit: 's', stepSeconds: 60 })).toBe('mean of the observations (s), 1-minute steps');
  });
});
