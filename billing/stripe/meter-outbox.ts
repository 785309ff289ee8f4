/**
 * Usage reported to Stripe as Billing Meter events (Stripe docs, "Record usage for billing"),
 * through an outbox so that nothing is lost or counted twice:
 * - `fillMeterOutbox` derives, in one transaction per team, a row per whole hour and meter of the
 *   team's instance-seconds (usage_instances), build seconds (deployment_phases, counted in the
 *   hour the build ended, so a build still running is never cut off) and egress bytes
 *   (usage_traffic) from the usage ledger, and moves the team's one cursor past them. An hour is derived once it is over and every instance still open was seen alive after
 *   it (an instance that went while DevFlow was down closes where it was last seen, which could
 *   otherwise shrink an hour already reported).
 * - `sendMeterOutbox` sends due rows in batches, each with its identifier (outbox-plan.ts), and
 *   marks them sent in the transaction that claimed them. A crash between Stripe's answer and the
 *   commit leaves them unsent; the next send gets "already exists" for them, which marks them sent.
 *   A failure is retried with exponential backoff; no row is ever dropped.
 */
import type Stripe from 'stripe';
import type { Sql } from '../../core/store/database.js';
import { isDuplicateMeterEvent, meterIdentifier, retryDelayMs } from './outbox-plan.js';

/** The Stripe meters' event names, one per figure reported (settings: DEVFLOW_STRIPE_*METER_EVENT). */
export interface MeterEventNames {
  instanceSeconds: string;
  buildSeconds: string;
  egressBytes: string;
}

/** Derives the outbox rows of every team with a Stripe customer; returns how many rows it added. */
export async function fillMeterOutbox(sql: Sql, eventName: MeterEventNames): Promise<number> {
  const teams = await sql<Array<{ team_id: number }>>`SELECT team_id FROM billing_customers`;
  let added = 0;
  for (const { team_id } of teams) added += await fillTeam(sql, team_id, eventName);
  return added;
}

async function fillTeam(sql: Sql, teamId: number, events: MeterEventNames): Promise<number> {
  return sql.begin(async (tx) => {
    const [customer] = await tx<Array<{ stripe_customer_id: string; metered_until: Date; ready_until: Date }>>`
      SELECT c.stripe_customer_id, c.metered_until,
        least(date_trunc('hour', now() - interval '1 minute'),
          coalesce((SELECT min(date_trunc('hour', last_seen_at)) FROM usage_instances
            WHERE team_id = ${teamId} AND stopped_at IS NULL AND NOT one_off), 'infinity')) AS ready_until
      FROM billing_customers c WHERE c.team_id = ${teamId} FOR UPDATE SKIP LOCKED`;
    if (!customer || customer.ready_until <= customer.metered_until) return 0;
    const hours = await tx<Array<{ hour: Date; seconds: number }>>`
      SELECT h AS hour, round(sum(extract(epoch FROM least(coalesce(u.stopped_at, now()), h + interval '1 hour') - greatest(u.started_at, h))))::float8 AS seconds
      FROM generate_series(${customer.metered_until}::timestamptz, ${customer.ready_until}::timestamptz - interval '1 hour', interval '1 hour') AS h
      JOIN usage_instances u ON u.team_id = ${teamId} AND NOT u.one_off AND u.started_at < h + interval '1 hour' AND coalesce(u.stopped_at, now()) > h
      GROUP BY h HAVING round(sum(extract(epoch FROM least(coalesce(u.stopped_at, now()), h + interval '1 hour') - greatest(u.started_at, h)))) > 0`;
    const from = customer.metered_until;
    const until = customer.ready_until;
    const builds = await tx<Array<{ hour: Date; value: number }>>`
      SELECT date_trunc('hour', p.started_at + p.duration_ms * interval '1 millisecond') AS hour, round(sum(p.duration_ms) / 1000.0)::float8 AS value
      FROM deployment_phases p JOIN deployments d ON d.id = p.deployment_id JOIN apps a ON a.id = d.app_id
      WHERE a.team_id = ${teamId} AND p.phase = 'build'
        AND p.started_at + p.duration_ms * interval '1 millisecond' >= ${from} AND p.started_at + p.duration_ms * interval '1 millisecond' < ${until}
      GROUP BY 1 HAVING round(sum(p.duration_ms) / 1000.0) > 0`;
    const egress = await tx<Array<{ hour: Date; value: number }>>`
      SELECT hour, sum(egress_bytes)::float8 AS value FROM usage_traffic
      WHERE team_id = ${teamId} AND hour >= ${from} AND hour < ${until} GROUP BY hour HAVING sum(egress_bytes) > 0`;
    const rows = [
      ...hours.map((h) => ({ event: events.instanceSeconds, hour: h.hour, value: h.seconds })),
      ...builds.map((h) => ({ event: events.buildSeconds, hour: h.hour, value: h.value })),
      ...egress.map((h) => ({ event: events.egressBytes, hour: h.hour, value: h.value })),
    ];
    for (const { event, hour, value } of rows) {
      await tx`INSERT INTO billing_meter_outbox (team_id, stripe_customer_id, event_name, period_start, value, identifier)
        VALUES (${teamId}, ${customer.stripe_customer_id}, ${event}, ${hour}, ${value}, ${meterIdentifier(customer.stripe_customer_id, event, hour)})
        ON CONFLICT (team_id, event_name, period_start) DO NOTHING`;
    }
    await tx`UPDATE billing_customers SET metered_until = ${until} WHERE team_id = ${teamId}`;
    return rows.length;
  });
}

interface OutboxRow {
  id: string;
  stripe_customer_id: string;
  event_name: string;
  period_start: Date;
  value: string;
  identifier: string;
  attempts: number;
}

export interface SendOutcome {
  sent: number;
  failed: number;
}

/** Sends up to `batch` due rows; the claim, the sends and the marks are one transaction. */
export async function sendMeterOutbox(sql: Sql, stripe: Stripe, options: { batch?: number; log(line: string): void }): Promise<SendOutcome> {
  return sql.begin(async (tx) => {
    const rows = await tx<OutboxRow[]>`SELECT id, stripe_customer_id, event_name, period_start, value, identifier, attempts
      FROM billing_meter_outbox WHERE sent_at IS NULL AND next_attempt_at <= now()
      ORDER BY id LIMIT ${options.batch ?? 100} FOR UPDATE SKIP LOCKED`;
    const outcome = { sent: 0, failed: 0 };
    for (const row of rows) {
      try {
        await stripe.billing.meterEvents.create({
          event_name: row.event_name, identifier: row.identifier, timestamp: Math.floor(row.period_start.getTime() / 1000),
          payload: { stripe_customer_id: row.stripe_customer_id, value: row.value },
        });
      } catch (err) {
        if (!isDuplicateMeterEvent(err)) {
          const delay = retryDelayMs(row.attempts + 1);
          await tx`UPDATE billing_meter_outbox SET attempts = attempts + 1, last_error = ${(err as Error).message},
            next_attempt_at = now() + ${delay} * interval '1 millisecond' WHERE id = ${row.id}`;
          options.log(`billing: meter event ${row.identifier} not sent (try ${row.attempts + 1}, again in ${Math.round(delay / 1000)} s): ${(err as Error).message}`);
          outcome.failed++;
          continue;
        }
      }
      await tx`UPDATE billing_meter_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ${row.id}`;
      outcome.sent++;
    }
    return outcome;
  });
}
