/**
 * One alert rule's state machine (issue 18), pure: given its state, the latest reading and the
 * time, the next state and whether to notify. States: `ok`, `pending` (breaching, not yet for
 * the rule's duration: Prometheus's pending), `firing`. Each transition into `firing` notifies
 * "firing" once and each transition out of it notifies "resolved" once; a rule that is still
 * firing, or still fine, says nothing.
 */
import type { AlertCondition, ThresholdOp } from './rule-parser.js';

export type AlertStatus = 'ok' | 'pending' | 'firing';

export interface AlertState {
  status: AlertStatus;
  /** When the condition started to hold (pending and firing). */
  since: Date | null;
}

/** A metric's latest value (undefined: no data, e.g. no requests), or whether an event holds. */
export type Reading = { kind: 'metric'; value: number | undefined } | { kind: 'event'; active: boolean };

export interface Evaluation {
  state: AlertState;
  notify?: 'firing' | 'resolved';
}

const COMPARE: Record<ThresholdOp, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b, '>=': (a, b) => a >= b, '<': (a, b) => a < b, '<=': (a, b) => a <= b,
};

export function breaches(condition: AlertCondition, reading: Reading): boolean {
  if (condition.kind === 'event') return reading.kind === 'event' && reading.active;
  return reading.kind === 'metric' && reading.value !== undefined && COMPARE[condition.op](reading.value, condition.threshold);
}

export function evaluateAlert(condition: AlertCondition, state: AlertState, reading: Reading, now: Date): Evaluation {
  const holdMs = condition.kind === 'metric' ? condition.forMs : 0;
  if (!breaches(condition, reading)) {
    const ok: AlertState = { status: 'ok', since: null };
    return state.status === 'firing' ? { state: ok, notify: 'resolved' } : { state: ok };
  }
  if (state.status === 'firing') return { state };
  const since = state.status === 'pending' && state.since ? state.since : now;
  if (now.getTime() - since.getTime() >= holdMs) return { state: { status: 'firing', since }, notify: 'firing' };
  return { state: { status: 'pending', since } };
}
