/**
 * What one tick of the cron loop does for one job, pure (table tests beside it): which
 * scheduled times fell between the last one dealt with and now; the latest runs if it is
 * recent (within the grace period), every earlier one is reported as missed, never silently
 * dropped: they fell while DevFlow was down (or a run of the job was still going).
 */
import { createHash } from 'node:crypto';
import { nextCronTime, type CronSchedule } from '../../core/cron-schedule.js';
import type { CronEntry } from '../../core/types.js';

/** A due time older than this is missed rather than run late. */
export const CRON_GRACE_MS = 2 * 60_000;
/** Past this many missed times (a long outage of a per-minute job) the count stops and the rest is skipped. */
const MAX_COUNTED = 100_000;

export interface CronTickPlan {
  /** The scheduled time to run now, if any. */
  run: Date | undefined;
  missed: number;
  lastMissed: Date | undefined;
  /** The new `last_planned_at`: the latest scheduled time dealt with. */
  plannedUpTo: Date;
}

export function planCronTick(schedule: CronSchedule, lastPlannedAt: Date, now: Date, graceMs = CRON_GRACE_MS): CronTickPlan {
  let due: Date | undefined;
  let previous: Date | undefined;
  let count = 0;
  for (let t = nextCronTime(schedule, lastPlannedAt); t <= now; t = nextCronTime(schedule, t)) {
    previous = due;
    due = t;
    if (++count >= MAX_COUNTED) break;
  }
  if (due === undefined) return { run: undefined, missed: 0, lastMissed: undefined, plannedUpTo: lastPlannedAt };
  const plannedUpTo = count >= MAX_COUNTED ? now : due;
  if (now.getTime() - due.getTime() <= graceMs) return { run: due, missed: count - 1, lastMissed: previous, plannedUpTo };
  return { run: undefined, missed: count, lastMissed: due, plannedUpTo };
}

/** A stable name for an app.json entry: the same schedule and command keep their history across releases. */
export function cronJobKey(entry: CronEntry): string {
  return createHash('sha256').update(`${entry.schedule}\n${entry.command}`).digest('hex').slice(0, 12);
}
