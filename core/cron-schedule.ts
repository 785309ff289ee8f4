/**
 * Cron schedules (POSIX crontab's five fields, as Vixie cron reads them, and the `@daily`-style
 * macros; Dokku's app.json `cron` uses the same): the one parser, pure, with table tests beside
 * it. Written here rather than taken from a library so every error names the field that is wrong
 * ("hour field: 24 is out of range 0-23"). Times are UTC.
 *
 * In the kernel because two roles use it: the scheduler checks app.json at deploy (a bad
 * schedule fails the push) and addons/cron computes the next runs.
 */
import { InvalidInputError } from './errors.js';

export interface CronSchedule {
  /** As written, e.g. "0 7 * * *" or "@daily". */
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday (7 is read as 0). */
  daysOfWeek: ReadonlySet<number>;
  /** Vixie cron: when both day fields are restricted, a day matching either runs. */
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

export class CronScheduleError extends InvalidInputError {
  constructor(readonly field: string | undefined, message: string) {
    super(message);
  }
}

export function parseCronSchedule(input: unknown): CronSchedule {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new CronScheduleError(undefined, 'a schedule is five fields "minute hour day-of-month month day-of-week" (e.g. "0 7 * * *") or a macro such as @daily');
  }
  const source = input.trim();
  const expanded = source.startsWith('@') ? expandMacro(source) : source;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) {
    throw new CronScheduleError(undefined, `"${source}" has ${parts.length} field(s); a schedule has five: minute hour day-of-month month day-of-week`);
  }
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = parts.map((part, i) => parseField(part, FIELDS[i]!));
  const daysOfWeek = new Set([...rawDaysOfWeek!].map((d) => (d === 7 ? 0 : d)));
  return {
    source, minutes: minutes!, hours: hours!, daysOfMonth: daysOfMonth!, months: months!, daysOfWeek,
    dayOfMonthRestricted: !parts[2]!.startsWith('*'), dayOfWeekRestricted: !parts[4]!.startsWith('*'),
  };
}

function expandMacro(source: string): string {
  const macro = MACROS[source.toLowerCase()];
  if (macro !== undefined) return macro;
  if (source.toLowerCase() === '@reboot') throw new CronScheduleError(undefined, '@reboot is not supported: use a release command (Procfile release:) or a process type instead');
  throw new CronScheduleError(undefined, `unknown macro "${source}": use ${Object.keys(MACROS).join(', ')}`);
}

function parseField(text: string, field: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const fail = (why: string): never => {
      throw new CronScheduleError(field.name, `${field.name} field: ${why} (in "${text}"; allowed ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''})`);
    };
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') fail(`"${item}" is not a value, range or step`);
    const step = stepText === undefined ? 1 : parseNumber(stepText, fail);
    if (step < 1) fail(`step ${step} must be at least 1`);
    const [low, high] = range === '*' ? [field.min, field.max] : rangeOf(range!, field, fail);
    if (stepText !== undefined && range !== '*' && !range!.includes('-')) fail(`"${item}": a step needs a range or *`);
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return values;
}

function rangeOf(range: string, field: FieldSpec, fail: (why: string) => never): [number, number] {
  const [a, b, extra] = range.split('-');
  if (extra !== undefined) fail(`"${range}" is not a range`);
  const low = valueOf(a!, field, fail);
  const high = b === undefined ? low : valueOf(b, field, fail);
  if (high < low) fail(`range ${range} runs backwards`);
  return [low, high];
}

function valueOf(text: string, field: FieldSpec, fail: (why: string) => never): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = named >= 0 ? named + (field.name === 'month' ? 1 : 0) : parseNumber(text, fail);
  if (value < field.min || value > field.max) fail(`${value} is out of range ${field.min}-${field.max}`);
  return value;
}

function parseNumber(text: string, fail: (why: string) => never): number {
  if (!/^\d{1,4}$/.test(text)) fail(`"${text}" is not a number`);
  return Number(text);
}

/** The first minute strictly after `after` that the schedule matches (UTC). */
export function nextCronTime(schedule: CronSchedule, after: Date): Date {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  // Bounded: every valid schedule matches within a few years (Feb 29 on a Monday, at worst ~28).
  for (let guard = 0; guard < 200_000; guard++) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(schedule, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t;
    }
  }
  throw new CronScheduleError('day-of-month', `"${schedule.source}" never matches a real date`);
}

function dayMatches(schedule: CronSchedule, t: Date): boolean {
  const dom = schedule.daysOfMonth.has(t.getUTCDate());
  const dow = schedule.daysOfWeek.has(t.getUTCDay());
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return dom || dow;
  if (schedule.dayOfMonthRestricted) return dom;
  if (schedule.dayOfWeekRestricted) return dow;
  return true;
}
