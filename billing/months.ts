/** A billing month, `2026-12`, as the half-open UTC interval it covers. */
import { InvalidInputError } from '../core/errors.js';

export interface Period {
  month: string;
  start: Date;
  end: Date;
}

export function parseMonth(input: string): Period {
  const m = /^(\d{4})-(\d{2})$/.exec(input);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) throw new InvalidInputError(`"${input}" is not a month: write it as YYYY-MM, e.g. 2026-12`);
  const year = Number(m[1]);
  return { month: input, start: new Date(Date.UTC(year, month - 1, 1)), end: new Date(Date.UTC(year, month, 1)) };
}

export function monthOf(at: Date): Period {
  return parseMonth(`${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`);
}
