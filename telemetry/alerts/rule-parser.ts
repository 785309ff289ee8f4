/**
 * Alert conditions (issue 18), as `devflow alerts:add --if '…'` takes them. Pure parser:
 *
 *   5xx_rate > 5% for 5m       a metric against a threshold, held for a duration (Prometheus's
 *   p95 > 800ms for 10m        `for:`); without `for`, the first breaching reading fires
 *   request_rate < 1 for 15m   requests per minute
 *   cpu > 90% for 5m           memory_mb > 400
 *   crash_loop                 an event: a process keeps crashing,
 *   deploy_failed              the latest deployment failed,
 *   certificate_failing        a custom domain's certificate cannot be issued
 *
 * Errors name the column (1-based) where the condition goes wrong.
 */
import { InvalidInputError } from '../../core/errors.js';

export type AlertMetric = '5xx_rate' | '4xx_rate' | 'p50' | 'p95' | 'p99' | 'request_rate' | 'cpu' | 'memory_mb';
export type AlertEvent = 'crash_loop' | 'deploy_failed' | 'certificate_failing';
export type ThresholdOp = '>' | '>=' | '<' | '<=';

export type AlertCondition =
  | { kind: 'metric'; metric: AlertMetric; op: ThresholdOp; threshold: number; forMs: number }
  | { kind: 'event'; event: AlertEvent };

export class AlertRuleError extends InvalidInputError {
  constructor(message: string, readonly column: number) {
    super(`alert condition: ${message} (at column ${column})`);
  }
}

/** Each metric's unit: the suffixes it accepts and what they multiply by (into the metric's own unit). */
const METRICS: Record<AlertMetric, { units: Record<string, number>; unitRequired?: string }> = {
  '5xx_rate': { units: { '%': 1 }, unitRequired: '%' },
  '4xx_rate': { units: { '%': 1 }, unitRequired: '%' },
  p50: { units: { ms: 1, s: 1000 }, unitRequired: 'ms' },
  p95: { units: { ms: 1, s: 1000 }, unitRequired: 'ms' },
  p99: { units: { ms: 1, s: 1000 }, unitRequired: 'ms' },
  request_rate: { units: { '': 1, '/min': 1, '/s': 60 } },
  cpu: { units: { '%': 1 }, unitRequired: '%' },
  memory_mb: { units: { '': 1, mb: 1, gb: 1024 } },
};
const EVENTS: readonly AlertEvent[] = ['crash_loop', 'deploy_failed', 'certificate_failing'];
const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

interface Token {
  text: string;
  column: number;
}

export function parseAlertCondition(input: string): AlertCondition {
  const tokens = tokenize(input);
  const [first] = tokens;
  if (!first) throw new AlertRuleError('empty: write e.g. "5xx_rate > 5% for 5m" or "crash_loop"', 1);
  const name = first.text.toLowerCase();
  if ((EVENTS as readonly string[]).includes(name)) {
    if (tokens[1]) throw new AlertRuleError(`"${name}" is an event and takes nothing after it`, tokens[1].column);
    return { kind: 'event', event: name as AlertEvent };
  }
  if (!(name in METRICS)) {
    throw new AlertRuleError(`unknown metric or event "${first.text}"; metrics: ${Object.keys(METRICS).join(', ')}; events: ${EVENTS.join(', ')}`, first.column);
  }
  const metric = name as AlertMetric;
  const op = tokens[1];
  if (!op || !['>', '>=', '<', '<='].includes(op.text)) {
    throw new AlertRuleError(`expected >, >=, < or <= after ${metric}`, op?.column ?? input.length + 1);
  }
  const value = tokens[2];
  if (!value) throw new AlertRuleError(`expected a threshold after "${op.text}"`, input.length + 1);
  const threshold = parseThreshold(metric, value);
  const forMs = parseFor(tokens.slice(3), input.length + 1);
  return { kind: 'metric', metric, op: op.text as ThresholdOp, threshold, forMs };
}

function parseThreshold(metric: AlertMetric, token: Token): number {
  const match = /^(\d+(?:\.\d+)?)(.*)$/.exec(token.text);
  if (!match) throw new AlertRuleError(`"${token.text}" is not a number`, token.column);
  const unit = match[2]!.toLowerCase();
  const spec = METRICS[metric];
  const factor = spec.units[unit];
  if (factor === undefined) {
    const expected = Object.keys(spec.units).filter(Boolean).join(' or ');
    throw new AlertRuleError(`${metric} is measured in ${expected}; write e.g. "${match[1]}${spec.unitRequired ?? Object.keys(spec.units).find(Boolean)}"`, token.column + match[1]!.length);
  }
  return Number(match[1]) * factor;
}

function parseFor(tokens: Token[], end: number): number {
  if (tokens.length === 0) return 0;
  const [word, duration, extra] = tokens;
  if (word!.text.toLowerCase() !== 'for') throw new AlertRuleError(`expected "for <duration>" after the threshold, found "${word!.text}"`, word!.column);
  if (!duration) throw new AlertRuleError('expected a duration after "for", such as 5m', end);
  const match = /^(\d+)(s|m|h)$/.exec(duration.text);
  if (!match) throw new AlertRuleError(`"${duration.text}" is not a duration such as 30s, 5m or 1h`, duration.column);
  if (extra) throw new AlertRuleError(`unexpected "${extra.text}" after the duration`, extra.column);
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

/** Words and operators with their columns; `5xx_rate>5%` splits like `5xx_rate > 5%`. */
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /(>=|<=|>|<)|([^\s<>]+)/g;
  for (const match of input.matchAll(pattern)) tokens.push({ text: match[0], column: match.index + 1 });
  return tokens;
}

/** The condition as users write it, e.g. "5xx_rate > 5% for 5m". */
export function formatAlertCondition(c: AlertCondition): string {
  if (c.kind === 'event') return c.event;
  const unit = { '5xx_rate': '%', '4xx_rate': '%', p50: 'ms', p95: 'ms', p99: 'ms', request_rate: '/min', cpu: '%', memory_mb: 'mb' }[c.metric];
  const duration = c.forMs === 0 ? '' : ` for ${c.forMs % 3_600_000 === 0 ? `${c.forMs / 3_600_000}h` : c.forMs % 60_000 === 0 ? `${c.forMs / 60_000}m` : `${c.forMs / 1000}s`}`;
  return `${c.metric} ${c.op} ${c.threshold}${unit}${duration}`;
}
