/**
 * Quotas where a user acts (issue 20): before an app is created, before a process type is
 * scaled up and before a deployment builds, the team's plan (team_plans) and what the team has
 * and used this month are checked with plans.ts quotaRefusal. A team on no plan is never refused.
 * A team with a Stripe subscription is on its plan while it holds (stripe/states.ts), on the free
 * plan after.
 */
import { InvalidInputError } from '../core/errors.js';
import type { Sql } from '../core/store/database.js';
import { DEFAULT_SIZE, type ScaleRequest } from '../scheduler/index.js';
import { monthOf } from './months.js';
import { findPlan, PLANS, QuotaExceededError, quotaRefusal, type Plan, type Request, type TeamUse } from './plans.js';
import { effectivePlan } from './stripe/states.js';

/**
 * The plan the team is treated as on: its Stripe subscription's while that holds (paying, or
 * within the grace period), the free plan once it lapsed, else what an operator assigned.
 */
export async function teamPlanStanding(sql: Sql, teamId: number): Promise<{ plan: Plan | undefined; lapsed?: { plan: string; status: string } }> {
  const [row] = await sql<Array<{ assigned: string | null; plan: string | null; status: string | null; grace_until: Date | null; now: Date }>>`
    SELECT (SELECT plan FROM team_plans WHERE team_id = ${teamId}) AS assigned, s.plan, s.status, s.grace_until, now()
    FROM (SELECT 1) AS one LEFT JOIN billing_subscriptions s ON s.team_id = ${teamId}`;
  const sub = row!.plan !== null ? { plan: row!.plan, status: row!.status!, graceUntil: row!.grace_until } : undefined;
  const effective = effectivePlan(row!.assigned ?? undefined, sub, row!.now);
  return { plan: effective.plan === undefined ? undefined : findPlan(effective.plan), ...(effective.lapsed ? { lapsed: effective.lapsed } : {}) };
}

export async function teamPlan(sql: Sql, teamId: number): Promise<Plan | undefined> {
  return (await teamPlanStanding(sql, teamId)).plan;
}

/** Puts a team on a plan, or on none (`none`: no quotas). */
export async function assignPlan(sql: Sql, teamId: number, name: string): Promise<Plan | undefined> {
  if (name === 'none') {
    await sql`DELETE FROM team_plans WHERE team_id = ${teamId}`;
    return undefined;
  }
  const plan = findPlan(name);
  if (!plan) throw new InvalidInputError(`plan "${name}" is unknown: use one of ${PLANS.map((p) => p.name).join(', ')}, or none`);
  await sql`INSERT INTO team_plans (team_id, plan) VALUES (${teamId}, ${plan.name})
    ON CONFLICT (team_id) DO UPDATE SET plan = EXCLUDED.plan, since = now()`;
  return plan;
}

/**
 * Apps and instances the team has now; instance-hours its apps ran this month (ledger, open
 * intervals up to now); build seconds from its apps' timed build phases that started this month
 * (as usage.ts counts them); database bytes of its apps at each one's latest hourly size sample
 * (size-sampler.ts), so the quota follows the samples as they land.
 */
export async function teamUse(sql: Sql, teamId: number, now = new Date()): Promise<TeamUse> {
  const month = monthOf(now);
  const [row] = await sql<Array<TeamUse>>`
    SELECT (SELECT count(*) FROM apps WHERE team_id = ${teamId})::int AS apps,
      (SELECT coalesce(sum(f.replicas), 0) FROM formation f JOIN apps a ON a.id = f.app_id WHERE a.team_id = ${teamId})::int AS instances,
      (SELECT coalesce(sum(extract(epoch FROM least(coalesce(stopped_at, now()), ${month.end}::timestamptz) - greatest(started_at, ${month.start}::timestamptz))), 0) / 3600
        FROM usage_instances WHERE team_id = ${teamId} AND NOT one_off AND started_at < ${month.end} AND coalesce(stopped_at, now()) > ${month.start})::float8 AS "instanceHours",
      (SELECT coalesce(sum(p.duration_ms), 0) / 1000.0 FROM deployment_phases p JOIN deployments d ON d.id = p.deployment_id JOIN apps a ON a.id = d.app_id
        WHERE a.team_id = ${teamId} AND p.phase = 'build' AND p.started_at >= ${month.start} AND p.started_at < ${month.end})::float8 AS "buildSeconds",
      (SELECT coalesce(sum(s.database_bytes), 0) FROM apps a CROSS JOIN LATERAL (
        SELECT database_bytes FROM usage_sizes WHERE app_id = a.id ORDER BY hour DESC LIMIT 1) s WHERE a.team_id = ${teamId})::float8 AS "databaseBytes"`;
  return row!;
}

async function check(sql: Sql, team: { id: number; name: string }, request: Request): Promise<void> {
  const { plan, lapsed } = await teamPlanStanding(sql, team.id);
  if (!plan) return;
  const refusal = quotaRefusal(team.name, plan, await teamUse(sql, team.id), request);
  if (refusal && lapsed) {
    // Say why the team is on the free plan, and what brings its plan back.
    refusal.message += `. Its ${lapsed.plan} subscription is ${lapsed.status} and its grace period is over: `
      + `pay or resubscribe (devflow billing:portal --team ${team.name}, devflow billing:subscribe --team ${team.name} --plan ${lapsed.plan})`;
  }
  if (refusal) throw new QuotaExceededError(refusal);
}

export async function assertMayCreateApp(sql: Sql, team: { id: number; name: string }): Promise<void> {
  await check(sql, team, { kind: 'create-app' });
}

/** Before scaling `type` of `app`; an app or type that does not exist is the scheduler's to refuse. */
export async function assertMayScale(sql: Sql, app: string, type: string, request: ScaleRequest): Promise<void> {
  const [row] = await sql<Array<{ team_id: number; team: string; replicas: number | null; size: string | null }>>`
    SELECT a.team_id, t.name AS team, f.replicas, f.size FROM apps a JOIN teams t ON t.id = a.team_id
    LEFT JOIN formation f ON f.app_id = a.id AND f.process_type = ${type} WHERE a.name = ${app}`;
  if (!row) return;
  const was = { replicas: row.replicas ?? 0, size: row.size ?? DEFAULT_SIZE };
  await check(sql, { id: row.team_id, name: row.team }, {
    kind: 'scale', replicas: request.replicas ?? was.replicas, size: request.size ?? (was.size as never), was,
  });
}

/**
 * Before a deployment of `app` builds (the scheduler's beforeBuild hook): refused once the
 * team's build minutes of the month are used up. A preview is an app of its parent's team.
 */
export async function assertMayBuild(sql: Sql, app: { id: number }): Promise<void> {
  const [row] = await sql<Array<{ team_id: number; team: string }>>`
    SELECT a.team_id, t.name AS team FROM apps a JOIN teams t ON t.id = a.team_id WHERE a.id = ${app.id}`;
  if (!row) return;
  await check(sql, { id: row.team_id, name: row.team }, { kind: 'build' });
}
