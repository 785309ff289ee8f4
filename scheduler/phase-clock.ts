/**
 * Per-phase timing of a deployment (issue 15): the pipeline and the rollout wrap each phase in
 * `time()`, and the figures go to the store and, as one summary line, to the deployment's log.
 * A phase that fails is timed too, so a failed deployment shows where its time went.
 */
import type { DeploymentPhase, PhaseTiming } from '../core/store/deployment-phases.js';

/** What the rollout needs: a way to time a phase. Callers without a clock pass UNTIMED. */
export interface PhaseTimer {
  time<T>(phase: DeploymentPhase, work: () => Promise<T>): Promise<T>;
}

export const UNTIMED: PhaseTimer = { time: (_phase, work) => work() };

export class PhaseClock implements PhaseTimer {
  private readonly timings: PhaseTiming[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a phase measured elsewhere (the queue wait starts when the push was recorded). */
  record(phase: DeploymentPhase, startedAt: number, endedAt: number): void {
    this.timings.push({ phase, startedAt: new Date(startedAt), ms: Math.max(0, endedAt - startedAt) });
  }

  async time<T>(phase: DeploymentPhase, work: () => Promise<T>): Promise<T> {
    const started = this.now();
    try {
      return await work();
    } finally {
      this.record(phase, started, this.now());
    }
  }

  list(): PhaseTiming[] {
    return [...this.timings];
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * One log line: each phase's duration in order, then how long after `since` (the deployment's
 * creation, when the push was received) the last phase ended.
 */
export function describePhases(timings: readonly PhaseTiming[], since: Date, label: string): string {
  if (timings.length === 0) return `-----> Timing: nothing timed`;
  const parts = timings.map((t) => `${t.phase} ${seconds(t.ms)}`);
  const end = Math.max(...timings.map((t) => t.startedAt.getTime() + t.ms));
  return `-----> Timing: ${parts.join(', ')}; ${label} ${seconds(end - since.getTime())} after the push was received`;
}
