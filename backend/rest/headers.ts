/**
 * The request headers PostgREST reads (docs.postgrest.org, "Prefer header", "Media types",
 * "Pagination"): Prefer, Accept, Range and the profile headers. Pure parsing; unknown
 * preferences are ignored as PostgREST does with `handling=lenient` (its default).
 */
import { RestError } from './errors.js';
import type { Output } from './plan-output.js';
import type { CountMode } from './plan-read.js';
import type { ReturnMode } from './plan-write.js';

export interface Preferences {
  return?: ReturnMode;
  count?: CountMode;
  resolution?: 'merge' | 'ignore';
  missingDefault: boolean;
  rollback: boolean;
  /** The preferences that were understood, for the Preference-Applied header. */
  applied: string[];
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const prefs: Preferences = { missingDefault: false, rollback: false, applied: [] };
  const items = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const [key, value] = item.split('=').map((s) => s.trim());
    if (key === 'return' && (value === 'minimal' || value === 'headers-only' || value === 'representation')) prefs.return = value;
    else if (key === 'count' && (value === 'exact' || value === 'planned' || value === 'estimated')) prefs.count = value;
    else if (key === 'resolution' && (value === 'merge-duplicates' || value === 'ignore-duplicates')) prefs.resolution = value === 'merge-duplicates' ? 'merge' : 'ignore';
    else if (key === 'missing' && value === 'default') prefs.missingDefault = true;
    else if (key === 'tx' && value === 'rollback') prefs.rollback = true;
    else if (!(key === 'tx' && value === 'commit') && !(key === 'missing' && value === 'null')) continue;
    prefs.applied.push(`${key}=${value}`);
  }
  return prefs;
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*', 'application/vnd.pgrst.array+json']);

/** The first media type of Accept this API can produce. */
export function parseAccept(header: string | undefined): Output {
  if (header === undefined || header.trim() === '') return { format: 'json', stripNulls: false };
  const offered = header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    return { type: (type ?? '').toLowerCase(), params, q: q ? Number(q.slice(2)) : 1 };
  }).filter((o) => o.q > 0).sort((a, b) => b.q - a.q);
  for (const o of offered) {
    const stripNulls = o.params.includes('nulls=stripped');
    if (JSON_TYPES.has(o.type)) return { format: 'json', stripNulls };
    if (o.type === 'application/vnd.pgrst.object+json' || o.type === 'application/vnd.pgrst.object') return { format: 'object', stripNulls };
    if (o.type === 'text/csv') return { format: 'csv', stripNulls: false };
  }
  throw new RestError(406, 'PGRST107', `None of these media types are available: ${offered.map((o) => o.type).join(', ')}`);
}

export function contentType(output: Output): string {
  if (output.format === 'csv') return 'text/csv; charset=utf-8';
  if (output.format === 'object') return `application/vnd.pgrst.object+json${output.stripNulls ? '; nulls=stripped' : ''}; charset=utf-8`;
  return `application/json${output.stripNulls ? '; nulls=stripped' : ''}; charset=utf-8`;
}

/** `Range: 0-9` (items): offset and limit; an open end (`10-`) has no limit. */
export function parseRange(header: string | undefined): { offset: number; limit?: number } | null {
  if (!header) return null;
  const m = /^(?:items=)?\s*(\d+)-(\d*)\s*$/.exec(header);
  if (!m) return null;
  const from = Number(m[1]);
  if (m[2] === '') return { offset: from };
  const to = Number(m[2]);
  if (to < from) throw new RestError(416, 'PGRST103', 'Requested range not satisfiable', 'The lower boundary must be lower than or equal to the upper boundary in the Range header.');
  return { offset: from, limit: to - from + 1 };
}

/** The Content-Range of a page: `0-9/42`, `0-9/*`, or `*\/0` for an empty one. */
export function contentRange(offset: number, pageTotal: number, total: number | null): string {
  const range = pageTotal === 0 ? '*' : `${offset}-${offset + pageTotal - 1}`;
  return `${range}/${total ?? '*'}`;
}

/** The exposed schema a request names, via Accept-Profile (reads) or Content-Profile (writes). */
export function chooseSchema(header: string | undefined, exposed: string[]): string {
  if (header === undefined || header === '') return exposed[0] ?? 'public';
  if (!exposed.includes(header)) {
    throw new RestError(406, 'PGRST106', `The schema must be one of the following: ${exposed.join(', ')}`);
  }
  return header;
}
