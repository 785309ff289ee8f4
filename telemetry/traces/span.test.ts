import { describe, expect, it } from 'vitest';
import { isoMicros } from './span.js';

describe('isoMicros', () => {
  it.each([
    ['a time with microseconds', 1_764_950_400_123_456, '2025-12-05T16:00:00.123456Z'],
    ['the same second again (from the cache)', 1_764_950_400_000_007, '2025-12-05T16:00:00.000007Z'],
    ['the next second', 1_764_950_401_999_999, '2025-12-05T16:00:01.999999Z'],
    ['the epoch', 0, '1970-01-01T00:00:00.000000Z'],
    ['before the epoch', -1, '1969-12-31T23:59:59.999999Z'],
    ['back to an earlier second', 1_764_950_400_500_000, '2025-12-05T16:00:00.500000Z'],
  ])('%s', (_name, us, iso) => {
    expect(isoMicros(us)).toBe(iso);
    // What PostgreSQL and Date read back agrees to the millisecond.
    expect(Date.parse(iso)).toBe(Math.floor(us / 1000));
  });
});
