import { describe, expect, it } from 'vitest';
import { passMinute } from './sampler.js';

const at = (m: number, s = 0, ms = 0) => new Date(Date.UTC(2026, 11, 6, 12, m, s, ms));

describe('passMinute: the minute row a pass adds its traffic to', () => {
  it.each([
    // Every 60 s (the default): the minute before the pass's own, as before the setting.
    [at(1, 5), 60_000, at(0)],
    [at(1, 0), 60_000, at(0)],
    [at(1, 59, 999), 60_000, at(0)],
    // Every 10 s: the minute the last 10 s began in.
    [at(1, 15), 10_000, at(1)],
    [at(1, 10), 10_000, at(1)],
    [at(1, 9, 999), 10_000, at(0)],
    [at(1, 5), 10_000, at(0)],
    // Every 5 s, straddling a minute: the earlier one, as every 60 s does.
    [at(2, 3), 5000, at(1)],
  ])('a pass at %s every %d ms adds to %s', (now, everyMs, minute) => {
    expect(passMinute(now, everyMs)).toEqual(minute);
  });
});
