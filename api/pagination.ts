/**
 * Pagination of list endpoints: `?limit=` (1-200, default 50) and `?cursor=` (opaque, taken
 * from the previous page). Bodies stay plain JSON arrays, so existing clients keep working; the
 * next page is announced in a `Link: <…>; rel="next"` header (RFC 8288) and `X-Next-Cursor`.
 */
import type { Request, Response } from 'express';
import { InvalidInputError } from '../core/errors.js';

export interface PageRequest {
  limit: number;
  cursor: string | undefined;
}

export const MAX_LIMIT = 200;

export function parsePage(query: Record<string, unknown>, defaultLimit = 50): PageRequest {
  const raw = query.limit;
  const limit = raw === undefined ? defaultLimit : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidInputError(`limit must be an integer from 1 to ${MAX_LIMIT}, got "${String(raw)}"`);
  }
  const cursor = typeof query.cursor === 'string' && query.cursor !== '' ? query.cursor : undefined;
  return { limit, cursor };
}

export function parseNumericCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const n = Number(cursor);
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError(`cursor "${cursor}" is not valid; use the one from the Link header`);
  return n;
}

/**
 * Sends one page. Callers fetch limit + 1 rows; an extra row means there is a next page, whose
 * cursor `cursorOf` takes from the last row shown.
 */
export function sendPage<T, V>(req: Request, res: Response, page: PageRequest, rows: T[], cursorOf: (row: T) => string, view: (row: T) => V): void {
  const shown = rows.slice(0, page.limit);
  if (rows.length > page.limit && shown.length > 0) {
    const next = cursorOf(shown[shown.length - 1]!);
    const url = new URL(req.originalUrl, 'http://devflow.invalid');
    url.searchParams.set('limit', String(page.limit));
    url.searchParams.set('cursor', next);
    res.setHeader('Link', `<${url.pathname}${url.search}>; rel="next"`);
    res.setHeader('X-Next-Cursor', next);
  }
  res.json(shown.map(view));
}
