import { describe, expect, it } from 'vitest';
import { AlertRuleError, formatAlertCondition, parseAlertCondition, type AlertCondition } from './rule-parser.js';

describe('parseAlertCondition', () => {
  it.each<[string, AlertCondition, string]>([
    ['5xx_rate > 5% for 5m', { kind: 'metric', metric: '5xx_rate', op: '>', threshold: 5, forMs: 300_000 }, '5xx_rate > 5% for 5m'],
    ['5xx_rate>5%', { kind: 'metric', metric: '5xx_rate', op: '>', threshold: 5, forMs: 0 }, '5xx_rate > 5%'],
    ['p95 >= 1.5s for 30s', { kind: 'metric', metric: 'p95', op: '>=', threshold: 1500, forMs: 30_000 }, 'p95 >= 1500ms for 30s'],
    ['P99 > 800ms FOR 1h', { kind: 'metric', metric: 'p99', op: '>', threshold: 800, forMs: 3_600_000 }, 'p99 > 800ms for 1h'],
    ['request_rate < 1 for 15m', { kind: 'metric', metric: 'request_rate', op: '<', threshold: 1, forMs: 900_000 }, 'request_rate < 1/min for 15m'],
    ['request_rate < 2/s', { kind: 'metric', metric: 'request_rate', op: '<', threshold: 120, forMs: 0 }, 'request_rate < 120/min'],
    ['memory_mb > 1gb for 10m', { kind: 'metric', metric: 'memory_mb', op: '>', threshold: 1024, forMs: 600_000 }, 'memory_mb > 1024mb for 10m'],
    ['cpu <= 90.5%', { kind: 'metric', metric: 'cpu', op: '<=', threshold: 90.5, forMs: 0 }, 'cpu <= 90.5%'],
    ['crash_loop', { kind: 'event', event: 'crash_loop' }, 'crash_loop'],
    [' deploy_failed ', { kind: 'event', event: 'deploy_failed' }, 'deploy_failed'],
    ['certificate_failing', { kind: 'event', event: 'certificate_failing' }, 'certificate_failing'],
  ])('%j', (input, condition, formatted) => {
    expect(parseAlertCondition(input)).toEqual(condition);
    expect(formatAlertCondition(condition)).toBe(formatted);
  });

  it.each<[string, string, number]>([
    ['', 'empty: write e.g. "5xx_rate > 5% for 5m" or "crash_loop"', 1],
    ['latency > 5', 'unknown metric or event "latency"; metrics: 5xx_rate, 4xx_rate, p50, p95, p99, request_rate, cpu, memory_mb; events: crash_loop, deploy_failed, certificate_failing', 1],
    ['5xx_rate = 5%', 'expected >, >=, < or <= after 5xx_rate', 10],
    ['5xx_rate >', 'expected a threshold after ">"', 11],
    ['5xx_rate > five', '"five" is not a number', 12],
    ['5xx_rate > 5 for 5m', '5xx_rate is measured in %; write e.g. "5%"', 13],
    ['p95 > 800 for 5m', 'p95 is measured in ms or s; write e.g. "800ms"', 10],
    ['5xx_rate > 5% during 5m', 'expected "for <duration>" after the threshold, found "during"', 15],
    ['5xx_rate > 5% for', 'expected a duration after "for", such as 5m', 18],
    ['5xx_rate > 5% for 5 minutes', '"5" is not a duration such as 30s, 5m or 1h', 19],
    ['5xx_rate > 5% for 5m now', 'unexpected "now" after the duration', 22],
    ['crash_loop for 5m', '"crash_loop" is an event and takes nothing after it', 12],
  ])('refuses %j', (input, message, column) => {
    let caught: unknown;
    try {
      parseAlertCondition(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AlertRuleError);
    expect((caught as AlertRuleError).message).toBe(`alert condition: ${message} (at column ${column})`);
    expect((caught as AlertRuleError).column).toBe(column);
  });
});
