/**
 * Issue 23 (idle under 100 MB): V8's young generation, once a burst (a start, a build, a burst
 * of API or proxied requests) has grown it, stays committed and resident at idle: Node 20's
 * memory reducer does not shrink it (measured: a test script's young generation stayed at 32 MB
 * for 20 idle seconds; one full collection then took it to 1 MB and the process's RSS from 84 to
 * 51 MB). `devflow up` measured 4-29 MB of young generation 10-15 s after its start with no
 * apps, which was most of the spread of its idle RSS.
 *
 * V8 shrinks the young generation in a full collection when the allocation rate it measured
 * over the last 5 s is low; it takes that measure at each collection. So, once DevFlow has been
 * idle (little CPU on average, no burst) for 2 s with a grown young generation: a young-generation collection (a
 * scavenge, about a millisecond) to close the burst's sample, then a full collection 6 s later,
 * when the newest sample alone covers 5 quiet seconds, which then gives the space back; if it did
 * not, another 6 s later, three at most. Measured in a test script (random burst sizes, 6 runs):
 * a full collection 4.5 s after the scavenge shrank it in 2 of 6, one 6 s after a first full
 * collection in 6 of 6. A busy process, or one whose young generation is already small, is left
 * alone, so a full collection's pause (10-40 ms) never lands in a burst and repeats only after
 * another burst. The same schedule runs when the heap in use is more than 4 MiB above the size
 * the last full collection left (garbage a build or a burst left in the old generation, which V8
 * may leave uncollected at idle for long). The collector is V8's own `gc` (`--expose-gc` set at run time, the function
 * taken from a fresh context, where V8 installs it).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export interface IdleSample {
  /** CPU time (user + system) the process used since the last look, µs. */
  cpuMicros: number;
  /** Wall time since the last look, ms. */
  elapsedMs: number;
  /** The young generation's committed size now, bytes. */
  youngCommitted: number;
  /** V8's heap in use now (live objects and garbage not yet collected), bytes. */
  heapUsed: number;
}

export interface IdleState {
  /** Idle time so far, ms (0 after a busy look). */
  quietMs: number;
  /** CPU time used in this quiet spell, µs. */
  quietCpuMicros: number;
  /** Whether this quiet spell's scavenge ran. */
  scavenged: boolean;
  /** Full collections in this quiet spell. */
  fullRuns: number;
  /** The quiet time of this spell's last collection. */
  lastAt: number;
  /** The heap in use right after the last full collection (about the live size), bytes. */
  liveAfterFull: number;
}

export const IDLE_START: IdleState = { quietMs: 0, quietCpuMicros: 0, scavenged: false, fullRuns: 0, lastAt: 0, liveAfterFull: 0 };
/**
 * Idle: under 5 % of one core on average over the quiet spell so far. DevFlow's own loops at rest
 * stay under it on average with 10 apps (measured 1-3 %, docs/benchmarks.md), but not in every
 * 2 s look: the loops' passes fall unevenly into the looks (a pass of each loop in one look, none
 * in the next), and a look above 5 % used to end the spell, so with 10 apps no collection ran.
 */
export const IDLE_CPU_SHARE = 0.05;
/** A look above a quarter of a core ends the spell whatever the average: a build, a burst of requests. */
export const BURST_CPU_SHARE = 0.25;
/** Grown: more than 4 MiB committed (a young generation at rest is 1-2 MiB). */
export const GROWN_YOUNG_BYTES = 4 * 2 ** 20;
/**
 * Garbage worth a collection: the heap in use more than 4 MiB above its size after the last full
 * collection. The old generation holds it, and its pages, until V8 collects on its own, which at
 * idle it may not do for long (a script's 70 MB of garbage stayed 15 idle seconds; one full
 * collection took its RSS from 142 to 84 MB).
 */
export const GARBAGE_BYTES = 4 * 2 ** 20;
const SCAVENGE_AFTER_MS = 2_000;
/** More than V8's 5 s window of allocation samples. */
const FULL_AFTER_MS = 6_000;
const FULL_RUNS = 3;

export type IdleAction = 'none' | 'scavenge' | 'full';

/** What to do at a look, and the state after it. */
export function idleStep(state: IdleState, sample: IdleSample): { action: IdleAction; state: IdleState } {
  const quietMs = state.quietMs + sample.elapsedMs;
  const quietCpuMicros = state.quietCpuMicros + sample.cpuMicros;
  const busy = sample.elapsedMs <= 0 || sample.cpuMicros / 1000 / sample.elapsedMs >= BURST_CPU_SHARE
    || quietCpuMicros / 1000 / quietMs >= IDLE_CPU_SHARE;
  if (busy) return { action: 'none', state: { ...IDLE_START, liveAfterFull: state.liveAfterFull } };
  const next = { ...state, quietMs, quietCpuMicros };
  const grown = sample.youngCommitted > GROWN_YOUNG_BYTES || sample.heapUsed - state.liveAfterFull > GARBAGE_BYTES;
  if (!grown) return { action: 'none', state: next };
  if (!state.scavenged) {
    return quietMs >= SCAVENGE_AFTER_MS ? { action: 'scavenge', state: { ...next, scavenged: true, lastAt: quietMs } } : { action: 'none', state: next };
  }
  if (state.fullRuns < FULL_RUNS && quietMs - state.lastAt >= FULL_AFTER_MS) {
    return { action: 'full', state: { ...next, fullRuns: state.fullRuns + 1, lastAt: quietMs } };
  }
  return { action: 'none', state: next };
}

export function youngCommitted(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;
}

let gc: ((options?: { type: 'major' | 'minor' }) => void) | undefined;

export function collectGarbage(type: 'major' | 'minor'): void {
  if (gc === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as typeof gc;
  }
  gc!({ type });
}

export interface IdleGc {
  stop(): void;
}

/** Looks every `everyMs` (unref'd: it never keeps the process alive). */
export function startIdleGc(everyMs = 2_000): IdleGc {
  let state = IDLE_START;
  let cpu = process.cpuUsage();
  let at = performance.now();
  const timer = setInterval(() => {
    const used = process.cpuUsage(cpu);
    const heapUsed = v8.getHeapStatistics().used_heap_size;
    const step = idleStep(state, { cpuMicros: used.user + used.system, elapsedMs: performance.now() - at, youngCommitted: youngCommitted(), heapUsed });
    state = step.state;
    if (step.action === 'scavenge') collectGarbage('minor');
    if (step.action === 'full') {
      collectGarbage('major');
      state = { ...state, liveAfterFull: v8.getHeapStatistics().used_heap_size };
    }
    // A collection's own CPU does not count as activity at the next look.
    cpu = process.cpuUsage();
    at = performance.now();
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
