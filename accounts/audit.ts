/**
 * The audit log (issue 19): one row per change, appended, never updated or deleted by the code
 * (a trigger refuses both; migration 035). Rows live in monthly partitions of `audit_log`, made
 * ahead of time by `ensureAuditPartitions`; retention drops whole months
 * (`dropAuditPartitionsBefore`), the one way rows leave.
 */
import type { Sql } from '../core/store/database.js';

export interface AuditRow {
  actor: string;
  team: string | null;
  app: string | null;
  action: string;
  target: string | null;
  sourceIp: string | null;
  requestId: string | null;
}

export interface AuditRecord extends AuditRow {
  id: number;
  at: Date;
}

export async function recordAudit(sql: Sql, row: AuditRow): Promise<void> {
  await sql`
    INSERT INTO audit_log (actor, team, app, action, target, source_ip, request_id)
    VALUES (${row.actor}, ${row.team}, ${row.app}, ${row.action}, ${row.target}, ${row.sourceIp}, ${row.requestId})`;
}

export interface AuditQuery {
  /** Team names the caller may read; 'all' for the instance. */
  teams: 'all' | string[];
  team?: string;
  app?: string;
  since?: Date;
  limit: number;
  /** Rows with a smaller id (paging newest first). */
  beforeId?: number;
}

export async function listAudit(sql: Sql, q: AuditQuery): Promise<AuditRecord[]> {
  if (q.teams !== 'all' && q.teams.length === 0) return [];
  const rows = await sql<{ id: string; at: Date; actor: string; team: string | null; app: string | null; action: string; target: string | null; source_ip: string | null; request_id: string | null }[]>`
    SELECT id, at, actor, team, app, action, target, source_ip, request_id FROM audit_log
    WHERE ${q.teams === 'all' ? sql`true` : sql`team = ANY(${q.teams})`}
      AND ${q.team === undefined ? sql`true` : sql`team = ${q.team}`}
      AND ${q.app === undefined ? sql`true` : sql`app = ${q.app}`}
      AND ${q.since === undefined ? sql`true` : sql`at >= ${q.since}`}
      AND ${q.beforeId === undefined ? sql`true` : sql`id < ${q.beforeId}`}
    ORDER BY id DESC LIMIT ${q.limit}`;
  return rows.map((r) => ({
    id: Number(r.id), at: r.at, actor: r.actor, team: r.team, app: r.app, action: r.action, target: r.target,
    sourceIp: r.source_ip, requestId: r.request_id,
  }));
}

/** "audit_log_2026_12" for December 2026. */
export function partitionName(month: Date): string {
  return `audit_log_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

function monthStart(date: Date, offset = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + offset, 1));
}

/**
 * This month's and the next `ahead` months' partitions. Rows of a month with no partition land
 * in the default one; a month is only created while the default holds none of its rows.
 */
export async function ensureAuditPartitions(sql: Sql, now = new Date(), ahead = 1): Promise<void> {
  for (let i = 0; i <= ahead; i++) {
    const from = monthStart(now, i);
    const to = monthStart(now, i + 1);
    const [row] = await sql<{ taken: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM audit_log_default WHERE at >= ${from} AND at < ${to}) AS taken`;
    if (row!.taken) continue;
    await sql.unsafe(`CREATE TABLE IF NOT EXISTS ${partitionName(from)} PARTITION OF audit_log
      FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`);
  }
}

/** Drops the monthly partitions wholly older than `month`; returns their names. */
export async function dropAuditPartitionsBefore(sql: Sql, month: Date): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'audit_log' AND c.relname ~ '^audit_log_[0-9]{4}_[0-9]{2}$'`;
  const cutoff = partitionName(monthStart(month));
  const old = rows.map((r) => r.name).filter((name) => name < cutoff).sort();
  for (const name of old) await sql.unsafe(`DROP TABLE ${name}`);
  return old;
}

/** At start: partitions for this month and the next, and months older than `keepMonths` dropped. */
export async function prepareAuditLog(sql: Sql, keepMonths: number, now = new Date()): Promise<string[]> {
  await ensureAuditPartitions(sql, now);
  return dropAuditPartitionsBefore(sql, monthStart(now, -keepMonths));
}
