import { describe, expect, it } from 'vitest';
import { parseTimeBound, parseTimeRange } from './time-range.js';

const now = new Date('2026-12-05T12:00:00Z');

describe('parseTimeBound', () => {
  it.each<[string, string]>([
    ['30s', '2026-12-05T11:59:30.000Z'],
    ['15m', '2026-12-05T11:45:00.000Z'],
    ['2h', '2026-12-05T10:00:00.000Z'],
    ['7d', '2026-11-28T12:00:00.000Z'],
    ['1w', '2026-11-28T12:00:00.000Z'],
    ['2026-12-05T10:30:00Z', '2026-12-05T10:30:00.000Z'],
    ['2026-12-05T10:30:00+01:00', '2026-12-05T09:30:00.000Z'],
    ['2026-12-04', '2026-12-04T00:00:00.000Z'],
  ])('%s', (value, expected) => {
    expect(parseTimeBound(value, now, 'since').toISOString()).toBe(expected);
  });

  it.each(['', '2 hours', '-2h', 'yesterday', '2026-13-45', '10'])('refuses %j', (value) => {
    expect(() => parseTimeBound(value, now, 'until')).toThrow(/^until ".*" is neither a duration/);
  });
});

describe('parseTimeRange', () => {
  it('takes either bound or both', () => {
    expect(parseTimeRange('2h', undefined, now)).toEqual({ since: new Date('2026-12-05T10:00:00Z'), until: undefined });
    expect(parseTimeRange(undefined, '1h', now)).toEqual({ since: undefined, until: new Date('2026-12-05T11:00:00Z') });
  });

  it('refuses a since that is not before until', () => {
    expect(() => parseTimeRange('1h', '2h', now)).toThrow('since (2026-12-05T11:00:00.000Z) must be before until (2026-12-05T10:00:00.000Z)');
  });
});
