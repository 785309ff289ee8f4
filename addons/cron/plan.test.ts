import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from '../../core/cron-schedule.js';
import { cronJobKey, planCronTick } from './plan.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

describe('one cron tick for one job', () => {
  it.each([
    ['nothing due yet', '0 7 * * *', '2026-12-05T06:00:00Z', '2026-12-05T06:59:59Z', { run: undefined, missed: 0, lastMissed: undefined, plannedUpTo: '2026-12-05T06:00:00.000Z' }],
    ['due now: runs', '0 7 * * *', '2026-12-05T06:00:00Z', '2026-12-05T07:00:10Z', { run: '2026-12-05T07:00:00.000Z', missed: 0, lastMissed: undefined, plannedUpTo: '2026-12-05T07:00:00.000Z' }],
    ['due a minute ago (a slow tick): still runs', '0 7 * * *', '2026-12-05T06:00:00Z', '2026-12-05T07:01:30Z', { run: '2026-12-05T07:00:00.000Z', missed: 0 }],
    ['DevFlow was down over it: missed, reported', '0 7 * * *', '2026-12-05T06:00:00Z', '2026-12-05T09:00:00Z', { run: undefined, missed: 1, lastMissed: '2026-12-05T07:00:00.000Z', plannedUpTo: '2026-12-05T07:00:00.000Z' }],
    ['down for three runs, back at the fourth: three missed, the fourth runs', '0 * * * *', '2026-12-05T06:30:00Z', '2026-12-05T10:00:05Z', { run: '2026-12-05T10:00:00.000Z', missed: 3, lastMissed: '2026-12-05T09:00:00.000Z' }],
    ['down three days: every daily run counted', '@daily', '2026-12-01T12:00:00Z', '2026-12-04T12:00:00Z', { run: undefined, missed: 3, lastMissed: '2026-12-04T00:00:00.000Z' }],
  ])('%s', (_case, schedule, last, now, expected) => {
    const plan = planCronTick(parseCronSchedule(schedule), at(last), at(now));
    expect({ ...plan, run: iso(plan.run), lastMissed: iso(plan.lastMissed), plannedUpTo: iso(plan.plannedUpTo) }).toMatchObject(expected);
  });

  it('gives one entry the same key across releases, and another entry another', () => {
    const digest = { command: 'node jobs/digest.js', schedule: '0 7 * * *' };
    expect(cronJobKey({ ...digest })).toBe(cronJobKey(digest));
    expect(cronJobKey({ ...digest, schedule: '0 8 * * *' })).not.toBe(cronJobKey(digest));
    expect(cronJobKey(digest)).toMatch(/^[0-9a-f]{12}$/);
  });
});
