/**
 * `--since` and `--until` of log searches, metrics and errors: a duration back from now
 * (`30s`, `15m`, `2h`, `7d`, `1w`, as `journalctl` and `docker logs` take them) or an ISO 8601
 * time (`2026-12-05T10:00:00Z`, or a date `2026-12-05`, which is midnight UTC). Pure: `now` is
 * passed in.
 */
import { InvalidInputError } from '../../core/errors.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface TimeRange {
  since?: Date;
  until?: Date;
}

/** A point in time from `--since`/`--until`; `what` names the flag in the error. */
export function parseTimeBound(value: string, now: Date, what: string): Date {
  const text = value.trim();
  const duration = /^(\d+)(s|m|h|d|w)$/.exec(text);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNITS[duration[2]!]!);
  if (ISO_TIME.test(text)) {
    const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new InvalidInputError(`${what} "${value}" is neither a duration back from now (30s, 15m, 2h, 7d, 1w) nor an ISO 8601 time (2026-12-05T10:00:00Z)`);
}

/** Both bounds, each optional; `since` must come before `until`. */
export function parseTimeRange(since: string | undefined, until: string | undefined, now: Date): TimeRange {
  const range: TimeRange = {
    since: since === undefined || since === '' ? undefined : parseTimeBound(since, now, 'since'),
    until: until === undefined || until === '' ? undefined : parseTimeBound(until, now, 'until'),
  };
  if (range.since && range.until && range.since >= range.until) {
    throw new InvalidInputError(`since (${range.since.toISOString()}) must be before until (${range.until.toISOString()})`);
  }
  return range;
}
