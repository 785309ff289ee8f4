import { describe, expect, it } from 'vitest';
import { acceptsStart, dayOfPartition, expiredPartitions, partitionBounds, partitionName } from './partitions.js';

const at = (iso: string) => Date.parse(iso);

describe('daily span partitions', () => {
  it.each([
    ['2026-12-05T00:00:00.000Z', 'spans_p20261205'],
    ['2026-12-05T23:59:59.999Z', 'spans_p20261205'],
    ['2027-01-01T00:00:00.000Z', 'spans_p20270101'],
  ])('%s is in %s', (iso, name) => {
    expect(partitionName(Math.floor(at(iso) / 86_400_000) * 86_400_000)).toBe(name);
  });

  it('bounds a day from its midnight to the next (UTC)', () => {
    expect(partitionBounds(at('2026-12-31T00:00:00Z'))).toEqual({ from: '2026-12-31T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
  });

  it.each([
    ['spans_p20261205', at('2026-12-05T00:00:00Z')],
    ['spans', undefined],
    ['spans_p2026120', undefined],
    ['other_p20261205', undefined],
  ])('reads the day of %s', (name, day) => {
    expect(dayOfPartition(name)).toBe(day);
  });

  const now = at('2026-12-05T12:00:00Z');
  it.each([
    ['now', '2026-12-05T11:59:00Z', 7, true],
    ['the oldest kept day', '2026-11-29T00:00:01Z', 7, true],
    ['a day past the retention', '2026-11-28T23:59:59Z', 7, false],
    ['a few hours ahead', '2026-12-05T20:00:00Z', 7, true],
    ['more than a day ahead', '2026-12-06T12:00:01Z', 7, false],
    ['yesterday with one day kept', '2026-12-04T23:00:00Z', 1, false],
  ])('accepts a span from %s: %s', (_what, iso, days, accepted) => {
    expect(acceptsStart(at(iso), now, days)).toBe(accepted);
  });

  it('drops whole partitions older than the retention, and nothing else', () => {
    const names = ['spans_p20261127', 'spans_p20261128', 'spans_p20261129', 'spans_p20261205', 'spans_p20261206', 'spans_keep'];
    expect(expiredPartitions(names, now, 7)).toEqual(['spans_p20261127', 'spans_p20261128']);
    expect(expiredPartitions(names, now, 1)).toEqual(['spans_p20261127', 'spans_p20261128', 'spans_p20261129']);
  });
});
