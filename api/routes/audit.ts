/**
 * GET /api/v1/audit (issue 19): who changed what, newest first, of the teams the caller
 * administers (`?team=` one of them, `?app=`, `?since=7d` or an ISO time, paged by `?cursor=`).
 * `?format=jsonl` answers JSON lines, one row a line, for export.
 */
import type express from 'express';
import { listAudit, type Access, type AuditRecord } from '../../accounts/index.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Sql } from '../../core/store/database.js';
import { parseExpiry } from '../../core/store/api-tokens.js';
import { accessOf } from '../authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parseNumericCursor, parsePage, sendPage } from '../pagination.js';
import { route } from './handler.js';

export function registerAuditRoutes(v1: express.Router, deps: ApiDeps): void {
  v1.get('/audit', route(async (req, res) => {
    const page = parsePage(req.query, 100);
    const query = req.query as Record<string, unknown>;
    const rows = await listAudit(deps.sql, {
      teams: await administeredTeams(deps.sql, accessOf(res)),
      team: typeof query.team === 'string' ? query.team : undefined,
      app: typeof query.app === 'string' ? query.app : undefined,
      since: parseSince(query.since),
      limit: page.limit + 1,
      beforeId: parseNumericCursor(page.cursor),
    });
    if (query.format === 'jsonl') {
      res.type('application/x-ndjson').send(rows.slice(0, page.limit).map((r) => `${JSON.stringify(auditView(r))}\n`).join(''));
      return;
    }
    sendPage(req, res, page, rows, (r) => String(r.id), auditView);
  }));
}

/** Team names whose audit log the caller reads: those where they are admin or owner. */
async function administeredTeams(sql: Sql, access: Access): Promise<'all' | string[]> {
  if (access.teams === 'all') return 'all';
  const ids = [...access.teams.entries()].filter(([, role]) => role === 'owner' || role === 'admin').map(([id]) => id);
  const rows = await sql<{ name: string }[]>`SELECT name FROM teams WHERE id = ANY(${ids})`;
  return rows.map((r) => r.name);
}

/** "7d", "12h" (as token expiries) back from now, or an ISO time. */
export function parseSince(value: unknown, now = Date.now()): Date | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  try {
    const ms = parseExpiry(value);
    if (ms !== null) return new Date(now - ms);
  } catch {
    // Falls through to the message below, which names this parameter.
  }
  throw new InvalidInputError(`since "${String(value)}" is invalid: use a duration like 7d, 12h, 90m or an ISO time`);
}

export function auditView(r: AuditRecord) {
  return { id: r.id, at: r.at, actor: r.actor, team: r.team, app: r.app, action: r.action, target: r.target, sourceIp: r.sourceIp, requestId: r.requestId };
}
