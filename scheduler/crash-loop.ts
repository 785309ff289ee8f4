/**
 * Crash loops, pure: each time the supervisor finds an instance of the current release exited,
 * it counts the exit for that process slot and waits an exponentially growing delay before the
 * replacement starts (1 s, 2 s, 4 s … capped at 5 min, as Heroku cools crashed dynos off).
 *
 * DEVFLOW_MAX_RESTARTS (N, RuntimeDriver.maxRestarts) is the same rule on every runtime: a
 * crashing instance is restarted N times, and its slot is `crashed` once it exited N + 1 times
 * within the window. On the process runtime those restarts are the supervisor's own, so each
 * observed exit is one. On docker the engine (and on swarm, Swarm, within this same window:
 * swarm-plan.ts restartPolicy) has already restarted the instance N times before DevFlow sees it
 * exited, so one observed exit there stands for N + 1 real ones, and is a crash loop at once.
 */
import type { RuntimeKind } from '../core/types.js';
import type { CrashRecord } from '../core/store/crashes.js';

/** Exits older than this are forgotten: an instance that ran this long without exiting is fine. */
export const CRASH_WINDOW_MS = 10 * 60_000;
export const BASE_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 5 * 60_000;

/** How a runtime restarts a crashing instance: who does it (its kind) and how often (DEVFLOW_MAX_RESTARTS). */
export interface Restarts {
  kind: RuntimeKind;
  maxRestarts: number;
}

/** The real exits one observed exit stands for. */
export function exitsPerObservation(restarts: Restarts): number {
  return restarts.kind === 'process' ? 1 : restarts.maxRestarts + 1;
}

/** The exits within the window that make a slot `crashed`: the first run and every restart. */
export function crashLoopExits(restarts: Restarts): number {
  return restarts.maxRestarts + 1;
}

export function backoffMs(exits: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, Math.min(exits - 1, 20)));
}

/** The record after one more observed exit of `slot`. */
export function recordExit(
  previous: CrashRecord | undefined,
  exit: { release: number; processType: string; slot: number; lastLines: string[] },
  restarts: Restarts,
  now: Date,
): CrashRecord {
  const fresh = previous === undefined || previous.release !== exit.release ||
    now.getTime() - previous.lastExitAt.getTime() > CRASH_WINDOW_MS;
  const exits = (fresh ? 0 : previous.exits) + exitsPerObservation(restarts);
  return {
    release: exit.release,
    processType: exit.processType,
    slot: exit.slot,
    exits,
    firstExitAt: fresh ? now : previous.firstExitAt,
    lastExitAt: now,
    restartAt: new Date(now.getTime() + backoffMs(exits)),
    lastLines: exit.lastLines,
    crashExits: crashLoopExits(restarts),
  };
}

/**
 * Whether the slot is `crashed`: by the threshold stored with its record (crashLoopExits when it
 * was recorded), so `ps`, the router and the alerts need not know the setting.
 */
export function isCrashLoop(record: CrashRecord | undefined, release: number, now: Date): boolean {
  return record !== undefined && record.release === release && record.exits >= record.crashExits &&
    now.getTime() - record.lastExitAt.getTime() <= CRASH_WINDOW_MS;
}

/** Whether the slot must still wait before its replacement starts. */
export function inBackoff(record: CrashRecord | undefined, release: number, now: Date): boolean {
  return record !== undefined && record.release === release && record.restartAt.getTime() > now.getTime();
}
