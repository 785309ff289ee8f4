/** plans, plans:assign (issue 20): the plans with their quotas and prices; a team's plan and use. */
import { createClient } from '../client.js';
import type { CommandInput } from '../command-spec.js';
import { print, type OutputOptions } from '../output.js';

interface PlanView { name: string; priceCents: number; apps: number; instances: number; largestSize: string; instanceHours: number; egressGb: number; buildMinutes: number; databaseGb: number }
interface TeamPlanView { team: string; plan: PlanView | null; used: { apps: number; instances: number; instanceHours: number; buildSeconds: number; databaseBytes: number } }

const price = (cents: number) => (cents === 0 ? 'free' : `$${(cents / 100).toFixed(2)}/month`);

export function formatPlans(plans: PlanView[]): string {
  const row = (cells: Array<string | number>) => cells.map((c, i) => String(c).padEnd(i === 0 ? 8 : 13)).join(' ').trimEnd();
  return [
    row(['PLAN', 'PRICE', 'APPS', 'INSTANCES', 'LARGEST SIZE', 'INST-HOURS', 'EGRESS', 'BUILD MIN', 'DATABASES']),
    ...plans.map((p) => row([p.name, price(p.priceCents), p.apps, p.instances, p.largestSize, p.instanceHours, `${p.egressGb} GB`, p.buildMinutes, `${p.databaseGb} GB`])),
  ].join('\n');
}

export function formatTeamPlan(t: TeamPlanView): string {
  if (t.plan === null) return `Team ${t.team} is on no plan: no quotas. It has ${t.used.apps} app(s), ${t.used.instances} instance(s), ${t.used.instanceHours.toFixed(1)} instance-hours this month.`;
  const p = t.plan;
  return [
    `=== team ${t.team}: ${p.name} plan (${price(p.priceCents)})`,
    `Apps:            ${t.used.apps} of ${p.apps}`,
    `Instances:       ${t.used.instances} of ${p.instances} (largest size ${p.largestSize})`,
    `Instance-hours:  ${t.used.instanceHours.toFixed(1)} of ${p.instanceHours} this month`,
    `Build minutes:   ${(t.used.buildSeconds / 60).toFixed(1)} of ${p.buildMinutes} this month`,
    `Databases:       ${(t.used.databaseBytes / 1e9).toFixed(2)} of ${p.databaseGb} GB (hourly sample)`,
  ].join('\n');
}

export async function showPlans({ opts }: CommandInput<OutputOptions & { team?: string }>): Promise<void> {
  const client = createClient(process.env);
  if (opts.team !== undefined) {
    const plan = await client.request<TeamPlanView>('GET', `/teams/${encodeURIComponent(opts.team)}/plan`);
    print(opts, plan, () => formatTeamPlan(plan));
    return;
  }
  const plans = await client.request<PlanView[]>('GET', '/plans');
  print(opts, plans, () => formatPlans(plans));
}

export async function assignPlan({ args: [team, plan], opts }: CommandInput<OutputOptions>): Promise<void> {
  const done = await createClient(process.env).request<{ team: string; plan: PlanView | null }>('PUT', `/teams/${encodeURIComponent(team!)}/plan`, { plan });
  print(opts, done, () => (done.plan === null ? `Team ${done.team} is on no plan now: no quotas` : `Team ${done.team} is on the ${done.plan.name} plan now`));
}
