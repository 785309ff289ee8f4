/**
 * Alert rules and their notifications in the store (migration 031). A change of a rule's state
 * and the notification it owes are written in one transaction, and only if the rule is still
 * in the state it was read in, so two evaluators (or a restart mid-pass) never notify twice.
 */
import type { Sql } from '../../core/store/database.js';
import { NotFoundError } from '../../core/errors.js';
import type { Channel } from './channels.js';
import type { AlertState, AlertStatus } from './evaluate.js';
import { parseAlertCondition, type AlertCondition } from './rule-parser.js';

export interface AlertRule {
  id: number;
  appId: number;
  app: string;
  condition: AlertCondition;
  /** The condition as the user wrote it, normalised. */
  text: string;
  channel: Channel;
  state: AlertState;
  lastValue: number | null;
  createdAt: Date;
}

interface RuleRow {
  id: number;
  app_id: number;
  app: string;
  condition: string;
  channel: Channel;
  status: AlertStatus;
  since: Date | null;
  last_value: number | null;
  created_at: Date;
}

function toRule(row: RuleRow): AlertRule {
  return {
    id: row.id, appId: row.app_id, app: row.app, condition: parseAlertCondition(row.condition), text: row.condition, channel: row.channel,
    state: { status: row.status, since: row.since }, lastValue: row.last_value, createdAt: row.created_at,
  };
}

export async function addAlertRule(sql: Sql, appId: number, text: string, channel: Channel): Promise<AlertRule> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO alert_rules (app_id, condition, channel) VALUES (${appId}, ${text}, ${sql.json(channel as never)}) RETURNING id`;
  return (await listAlertRules(sql, { ruleId: row!.id }))[0]!;
}

export async function removeAlertRule(sql: Sql, appId: number, ruleId: number): Promise<void> {
  const removed = await sql`DELETE FROM alert_rules WHERE id = ${ruleId} AND app_id = ${appId}`;
  if (removed.count === 0) throw new NotFoundError(`no alert rule ${ruleId} on this app; \`devflow alerts <app>\` lists them`);
}

export async function listAlertRules(sql: Sql, filter: { appId?: number; ruleId?: number } = {}): Promise<AlertRule[]> {
  const rows = await sql<RuleRow[]>`
    SELECT r.id, r.app_id, a.name AS app, r.condition, r.channel, r.status, r.since, r.last_value, r.created_at
    FROM alert_rules r JOIN apps a ON a.id = r.app_id
    WHERE true ${filter.appId === undefined ? sql`` : sql`AND r.app_id = ${filter.appId}`}
      ${filter.ruleId === undefined ? sql`` : sql`AND r.id = ${filter.ruleId}`}
    ORDER BY r.id`;
  return rows.map(toRule);
}

/**
 * Saves a rule's new state if it is still `from`, with the notification it owes; returns
 * whether this caller made the change.
 */
export async function saveAlertState(
  sql: Sql, rule: AlertRule, from: AlertState, to: AlertState, value: number | null, notify: 'firing' | 'resolved' | undefined, now: Date,
): Promise<boolean> {
  return sql.begin(async (tx) => {
    const updated = await tx`
      UPDATE alert_rules SET status = ${to.status}, since = ${to.since}, last_value = ${value}, evaluated_at = ${now}
      WHERE id = ${rule.id} AND status = ${from.status}`;
    if (updated.count === 0) return false;
    if (notify) await tx`INSERT INTO alert_notifications (rule_id, status, value, at) VALUES (${rule.id}, ${notify}, ${value}, ${now})`;
    return true;
  });
}

export interface PendingNotification {
  id: number;
  rule: AlertRule;
  status: 'firing' | 'resolved';
  value: number | null;
  at: Date;
  attempts: number;
}

/** The oldest undelivered notification of each rule (a rule's "resolved" waits for its "firing"). */
export async function undeliveredNotifications(sql: Sql, maxAttempts: number): Promise<PendingNotification[]> {
  const rows = await sql<{ id: string; rule_id: number; status: 'firing' | 'resolved'; value: number | null; at: Date; attempts: number }[]>`
    SELECT DISTINCT ON (rule_id) id, rule_id, status, value, at, attempts FROM alert_notifications
    WHERE delivered_at IS NULL ORDER BY rule_id, id`;
  const waiting = rows.filter((r) => r.attempts < maxAttempts);
  if (waiting.length === 0) return [];
  const rules = new Map((await listAlertRules(sql)).map((r) => [r.id, r]));
  return waiting.filter((r) => rules.has(r.rule_id)).map((r) => ({
    id: Number(r.id), rule: rules.get(r.rule_id)!, status: r.status, value: r.value, at: r.at, attempts: r.attempts,
  }));
}

export async function markDelivered(sql: Sql, id: number): Promise<void> {
  await sql`UPDATE alert_notifications SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ${id}`;
}

export async function markFailed(sql: Sql, id: number, error: string): Promise<void> {
  await sql`UPDATE alert_notifications SET attempts = attempts + 1, last_error = ${error.slice(0, 500)} WHERE id = ${id}`;
}

export interface AlertHistoryEntry {
  ruleId: number;
  status: 'firing' | 'resolved';
  value: number | null;
  at: Date;
  deliveredAt: Date | null;
  attempts: number;
  lastError: string | null;
}

/** An app's recent notifications, newest first: what was sent, and what could not be. */
export async function alertHistory(sql: Sql, appId: number, limit = 50): Promise<AlertHistoryEntry[]> {
  const rows = await sql<{ rule_id: number; status: 'firing' | 'resolved'; value: number | null; at: Date; delivered_at: Date | null; attempts: number; last_error: string | null }[]>`
    SELECT n.rule_id, n.status, n.value, n.at, n.delivered_at, n.attempts, n.last_error
    FROM alert_notifications n JOIN alert_rules r ON r.id = n.rule_id
    WHERE r.app_id = ${appId} ORDER BY n.id DESC LIMIT ${limit}`;
  return rows.map((r) => ({ ruleId: r.rule_id, status: r.status, value: r.value, at: r.at, deliveredAt: r.delivered_at, attempts: r.attempts, lastError: r.last_error }));
}
