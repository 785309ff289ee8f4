/**
 * Restarts per app and process type (issue 18, metrics), from the supervisor's crash records
 * (core/store/crashes.ts: one per process slot, its exit count within the current streak, which
 * restarts at a new release or after a quiet spell). Each recorded exit is followed by a restart
 * once its backoff passes, so the exits recorded since the last pass are the restarts of that
 * minute. Pure: the last pass's records and the current ones in, counts and the next state out.
 */
import type { CrashRecord } from '../../core/store/crashes.js';

export type CrashState = Pick<CrashRecord, 'processType' | 'slot' | 'exits' | 'firstExitAt' | 'lastExitAt'>;

export interface RestartCount {
  appId: number;
  processType: string;
  restarts: number;
}

const key = (appId: number, c: CrashState) => `${appId}/${c.processType}/${c.slot}`;

/**
 * `since` is when the last pass read the records. A slot in the same streak as then counts its
 * new exits; a new streak (or one not seen before) counts all its exits when it began after
 * `since`, else only its last exit when that came after `since` (its earlier ones were before).
 */
export function restartsSince(
  previous: ReadonlyMap<string, CrashState>, current: ReadonlyMap<number, readonly CrashState[]>, since: Date,
): { counts: RestartCount[]; next: Map<string, CrashState> } {
  const totals = new Map<string, RestartCount>();
  const next = new Map<string, CrashState>();
  for (const [appId, records] of current) {
    for (const c of records) {
      next.set(key(appId, c), c);
      const before = previous.get(key(appId, c));
      const n = before !== undefined && before.firstExitAt.getTime() === c.firstExitAt.getTime() ? Math.max(0, c.exits - before.exits)
        : c.firstExitAt >= since ? c.exits
        : c.lastExitAt >= since ? 1 : 0;
      if (n === 0) continue;
      const total = totals.get(`${appId}/${c.processType}`) ?? { appId, processType: c.processType, restarts: 0 };
      total.restarts += n;
      totals.set(`${appId}/${c.processType}`, total);
    }
  }
  return { counts: [...totals.values()], next };
}
