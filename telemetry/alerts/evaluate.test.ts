import { describe, expect, it } from 'vitest';
import { evaluateAlert, type AlertState, type Reading } from './evaluate.js';
import { parseAlertCondition } from './rule-parser.js';

const t = (minute: number) => new Date(Date.UTC(2026, 11, 5, 12, minute));
const metric = (value: number | undefined): Reading => ({ kind: 'metric', value });

/** Runs a rule over readings one minute apart and lists what each step notified. */
function run(rule: string, readings: Reading[], start: AlertState = { status: 'ok', since: null }) {
  const condition = parseAlertCondition(rule);
  let state = start;
  return readings.map((reading, minute) => {
    const result = evaluateAlert(condition, state, reading, t(minute));
    state = result.state;
    return `${state.status}${result.notify ? `!${result.notify}` : ''}`;
  });
}

describe('evaluateAlert', () => {
  it.each<[string, Reading[], string[]]>([
    ['5xx_rate > 5% for 3m', [1, 6, 7, 8, 9, 9, 2, 1].map(metric),
      ['ok', 'pending', 'pending', 'pending', 'firing!firing', 'firing', 'ok!resolved', 'ok']],
    ['5xx_rate > 5% for 3m', [6, 7, 2, 6, 7, 8, 9].map(metric),
      ['pending', 'pending', 'ok', 'pending', 'pending', 'pending', 'firing!firing']],
    ['5xx_rate > 5%', [6, 6, 5, 6].map(metric), ['firing!firing', 'firing', 'ok!resolved', 'firing!firing']],
    ['5xx_rate >= 5%', [5].map(metric), ['firing!firing']],
    ['request_rate < 1 for 1m', [0, 0, 0, 3].map(metric), ['pending', 'firing!firing', 'firing', 'ok!resolved']],
    ['5xx_rate > 5% for 1m', [9, 9, undefined, 9].map(metric), ['pending', 'firing!firing', 'ok!resolved', 'pending']],
    ['crash_loop', [true, true, false, false, true].map((active) => ({ kind: 'event', active }) as Reading),
      ['firing!firing', 'firing', 'ok!resolved', 'ok', 'firing!firing']],
  ])('%s over %j', (rule, readings, expected) => {
    expect(run(rule, readings)).toEqual(expected);
  });

  it('resolves a rule that was firing before a restart, once', () => {
    expect(run('crash_loop', [{ kind: 'event', active: false }, { kind: 'event', active: false }], { status: 'firing', since: t(0) }))
      .toEqual(['ok!resolved', 'ok']);
  });

  it('keeps the time the condition started while pending and firing', () => {
    const condition = parseAlertCondition('p95 > 500ms for 2m');
    const pending = evaluateAlert(condition, { status: 'ok', since: null }, metric(900), t(1)).state;
    expect(pending).toEqual({ status: 'pending', since: t(1) });
    expect(evaluateAlert(condition, pending, metric(900), t(3))).toEqual({ state: { status: 'firing', since: t(1) }, notify: 'firing' });
  });
});
