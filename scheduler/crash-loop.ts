/**
 * Crash loops, pure: each time the supervisor finds an instance of the current release exited,
 * it counts the exit for that process slot and waits an exponentially growing delay before the
 * replacement starts (1 s, 2 s, 4 s … capped at 5 min, as Heroku cools crashed dynos off). A
 * slot that exited CRASH_LOOP_EXITS times within the window is `crashed`. On docker the engine
 * (and on swarm, Swarm, within this same window: swarm-plan.ts restartPolicy) has already
 * restarted the instance MAX_RESTARTS times before DevFlow sees it exited, so one observed exit
 * there stands for MAX_RESTARTS + 1 real ones.
 */
import type { RuntimeKind } from '../core/types.js';
import type { CrashRecord } from '../core/store/crashes.js';
import { MAX_RESTARTS } from './runtime/docker-plan.js';

export const CRASH_LOOP_EXITS = 3;
/** Exits older than this are forgotten: an instance that ran this long without exiting is fine. */
export const CRASH_WINDOW_MS = 10 * 60_000;
export const BASE_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 5 * 60_000;

export function exitsPerObservation(kind: RuntimeKind): number {
  return kind === 'process' ? 1 : MAX_RESTARTS + 1;
}

export function backoffMs(exits: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, Math.min(exits - 1, 20)));
}

/** The record after one more observed exit of `slot`. */
export function recordExit(
  previous: CrashRecord | undefined,
  exit: { release: number; processType: string; slot: number; lastLines: string[]; kind: RuntimeKind },
  now: Date,
): CrashRecord {
  const fresh = previous === undefined || previous.release !== exit.release ||
    now.getTime() - previous.lastExitAt.getTime() > CRASH_WINDOW_MS;
  const exits = (fresh ? 0 : previous.exits) + exitsPerObservation(exit.kind);
  return {
    release: exit.release,
    processType: exit.processType,
    slot: exit.slot,
    exits,
    firstExitAt: fresh ? now : previous.firstExitAt,
    lastExitAt: now,
    restartAt: new Date(now.getTime() + backoffMs(exits)),
    lastLines: exit.lastLines,
  };
}

export function isCrashLoop(record: CrashRecord | undefined, release: number, now: Date): boolean {
  return record !== undefined && record.release === release && record.exits >= CRASH_LOOP_EXITS &&
    now.getTime() - record.lastExitAt.getTime() <= CRASH_WINDOW_MS;
}

/** Whether the slot must still wait before its replacement starts. */
export function inBackoff(record: CrashRecord | undefined, release: number, now: Date): boolean {
  return record !== undefined && record.release === release && record.restartAt.getTime() > now.getTime();
}
