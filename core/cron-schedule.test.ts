import { describe, expect, it } from 'vitest';
import { nextCronTime, parseCronSchedule } from './cron-schedule.js';

const at = (iso: string) => new Date(iso);

function errorOf(work: () => unknown): unknown {
  try {
    work();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('parseCronSchedule', () => {
  it.each([
    ['0 7 * * *', { minutes: [0], hours: [7] }],
    ['*/15 * * * *', { minutes: [0, 15, 30, 45] }],
    ['0 9-17/4 * * mon-fri', { hours: [9, 13, 17], daysOfWeek: [1, 2, 3, 4, 5] }],
    ['0 0 1,15 jan,JUL *', { daysOfMonth: [1, 15], months: [1, 7] }],
    ['0 0 * * 7', { daysOfWeek: [0] }],
    ['@daily', { minutes: [0], hours: [0] }],
    ['@HOURLY', { minutes: [0], hours: Array.from({ length: 24 }, (_, i) => i) }],
    ['@weekly', { daysOfWeek: [0] }],
  ])('reads %j', (source, fields) => {
    const schedule = parseCronSchedule(source);
    for (const [name, values] of Object.entries(fields)) {
      expect([...(schedule as unknown as Record<string, Set<number>>)[name]!].sort((a, b) => a - b), name).toEqual(values);
    }
  });

  it.each([
    ['61 * * * *', 'minute', /minute field: 61 is out of range 0-59/],
    ['0 24 * * *', 'hour', /hour field: 24 is out of range 0-23/],
    ['0 0 0 * *', 'day-of-month', /day-of-month field: 0 is out of range 1-31/],
    ['0 0 * 13 *', 'month', /month field: 13 is out of range 1-12/],
    ['0 0 * * funday', 'day-of-week', /day-of-week field: "funday" is not a number/],
    ['*/0 * * * *', 'minute', /minute field: step 0 must be at least 1/],
    ['5/10 * * * *', 'minute', /minute field: "5\/10": a step needs a range or \*/],
    ['0 17-9 * * *', 'hour', /hour field: range 17-9 runs backwards/],
    ['0 7 * *', undefined, /has 4 field\(s\); a schedule has five/],
    ['@fortnightly', undefined, /unknown macro "@fortnightly"/],
    ['@reboot', undefined, /@reboot is not supported/],
    ['', undefined, /a schedule is five fields/],
    [42, undefined, /a schedule is five fields/],
  ])('refuses %j, naming the %s field', (source, field, message) => {
    expect(errorOf(() => parseCronSchedule(source))).toMatchObject({ field, code: 'invalid_input', message: expect.stringMatching(message) });
  });
});

describe('nextCronTime (UTC)', () => {
  it.each([
    ['0 7 * * *', '2026-12-05T06:59:30Z', '2026-12-05T07:00:00.000Z'],
    ['0 7 * * *', '2026-12-05T07:00:00Z', '2026-12-06T07:00:00.000Z'],
    ['*/15 * * * *', '2026-12-05T10:16:00Z', '2026-12-05T10:30:00.000Z'],
    ['@daily', '2026-12-31T23:59:59Z', '2027-01-01T00:00:00.000Z'],
    ['0 0 29 2 *', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['30 9 * * mon', '2026-12-05T12:00:00Z', '2026-12-07T09:30:00.000Z'],
    // Both day fields restricted: either matches (the 10th, or a Monday).
    ['0 0 10 * mon', '2026-12-05T12:00:00Z', '2026-12-07T00:00:00.000Z'],
    ['0 0 31 * *', '2026-11-15T00:00:00Z', '2026-12-31T00:00:00.000Z'],
  ])('%s after %s is %s', (source, after, next) => {
    expect(nextCronTime(parseCronSchedule(source), at(after)).toISOString()).toBe(next);
  });

  it('says so for a date that never comes', () => {
    expect(() => nextCronTime(parseCronSchedule('0 0 31 2 *'), at('2026-01-01T00:00:00Z'))).toThrow(/never matches a real date/);
  });
});
