/**
 * Plans and their quotas (issue 20), as data: what a team on each plan may have (apps,
 * instances, the largest size, database GB) and use in a month (instance-hours, build minutes, egress), and its price. A
 * team no operator put on a plan has no quotas: a DevFlow run for oneself meters but never
 * refuses. `quotaRefusal` is the pure check; it only ever looks at new work (a new app, more
 * or larger instances), so being over a quota never stops what already runs.
 */
import { DevflowError } from '../core/errors.js';
import { SIZES, type SizeName } from '../scheduler/index.js';

export type PlanName = 'free' | 'pro' | 'team';

export interface Plan {
  name: PlanName;
  /** Price per month, in US cents; instance-hours and egress past the quota are not billed yet. */
  priceCents: number;
  apps: number;
  /** Running instances over all the team's apps (the sum of their replicas). */
  instances: number;
  largestSize: SizeName;
  /** Instance-hours a month; over it, no scaling up until the month ends or the plan is raised. */
  instanceHours: number;
  /** Egress a month, in GB (10^9 bytes): reported against, never refused (soft). */
  egressGb: number;
  /** Build minutes a month (the deployments' timed build phases); used up, deploys are refused. */
  buildMinutes: number;
  /**
   * The team's app databases together, in GB (10^9 bytes), as the hourly size sample read them
   * (size-sampler.ts); over it, no new app, deploy or scale-up until a database shrinks.
   */
  databaseGb: number;
}

export const PLANS: readonly Plan[] = [
  { name: 'free', priceCents: 0, apps: 2, instances: 2, largestSize: 'eco', instanceHours: 750, egressGb: 5, buildMinutes: 100, databaseGb: 1 },
  { name: 'pro', priceCents: 2500, apps: 20, instances: 20, largestSize: 'standard', instanceHours: 10_000, egressGb: 100, buildMinutes: 1_000, databaseGb: 10 },
  { name: 'team', priceCents: 25000, apps: 200, instances: 200, largestSize: 'performance', instanceHours: 100_000, egressGb: 1000, buildMinutes: 10_000, databaseGb: 100 },
];

export function findPlan(name: string): Plan | undefined {
  return PLANS.find((p) => p.name === name);
}

/** What a team has and used this month, as quotas count it. */
export interface TeamUse {
  apps: number;
  instances: number;
  instanceHours: number;
  /** Seconds the team's apps spent building this month. */
  buildSeconds: number;
  /** The team's app databases together, at each one's latest size sample (0 before any sample). */
  databaseBytes: number;
}

/** New work a user asks for: an app, a process type at `replicas` of `size` instead of `was`, or a build (a deploy). */
export type Request =
  | { kind: 'create-app' }
  | { kind: 'scale'; replicas: number; size: SizeName; was: { replicas: number; size: string } }
  | { kind: 'build' };

export type QuotaName = 'apps' | 'instances' | 'largestSize' | 'instanceHours' | 'buildMinutes' | 'databaseGb';

export interface Refusal {
  quota: QuotaName;
  message: string;
}

const sizeRank = (size: string) => Object.keys(SIZES).indexOf(size);

/** The cheapest plan above `plan` that would allow it, to name in the message. */
function lifter(plan: Plan, allows: (p: Plan) => boolean): Plan | undefined {
  return PLANS.find((p) => p.priceCents > plan.priceCents && allows(p));
}

const GB = 1e9;

export function quotaRefusal(team: string, plan: Plan, use: TeamUse, request: Request): Refusal | undefined {
  const refuse = refuser(team, plan);
  const refusal = requestRefusal(refuse, plan, use, request);
  if (refusal !== undefined || use.databaseBytes < plan.databaseGb * GB) return refusal;
  // Databases over the quota refuse every kind of new work (a new app's database, a deploy, more instances), never what runs.
  return asksForMore(request)
    ? refuse('databaseGb', `whose databases may hold ${plan.databaseGb} GB and hold ${(use.databaseBytes / GB).toFixed(2)} GB (hourly sample); what runs keeps running, shrink a database to go on`,
      (p) => use.databaseBytes < p.databaseGb * GB)
    : undefined;
}

/** A new app, a build, or more or larger instances; scaling down or sideways asks for nothing more. */
function asksForMore(request: Request): boolean {
  return request.kind !== 'scale' || request.replicas > request.was.replicas || sizeRank(request.size) > sizeRank(request.was.size);
}

function refuser(team: string, plan: Plan) {
  return (quota: QuotaName, what: string, allows: (p: Plan) => boolean): Refusal => {
    const next = lifter(plan, allows);
    const how = next ? `the ${next.name} plan allows it: devflow plans:assign ${team} ${next.name} (an operator)` : 'no plan allows more';
    return { quota, message: `team "${team}" is on the ${plan.name} plan, ${what} (quota "${quota}"); ${how}` };
  };
}

function requestRefusal(refuse: ReturnType<typeof refuser>, plan: Plan, use: TeamUse, request: Request): Refusal | undefined {
  if (request.kind === 'build') {
    // A build already running finishes (what it used counts next time); only a new one is refused.
    return use.buildSeconds >= plan.buildMinutes * 60
      ? refuse('buildMinutes', `whose ${plan.buildMinutes} build minutes this month are used up (${Math.floor(use.buildSeconds / 60)} min); the running release is untouched`,
        (p) => use.buildSeconds < p.buildMinutes * 60)
      : undefined;
  }
  if (request.kind === 'create-app') {
    return use.apps + 1 > plan.apps ? refuse('apps', `which allows ${plan.apps} apps and it has ${use.apps}`, (p) => use.apps + 1 <= p.apps) : undefined;
  }
  if (!asksForMore(request)) return undefined; // scaling down or sideways is always allowed
  if (sizeRank(request.size) > sizeRank(plan.largestSize)) {
    return refuse('largestSize', `whose largest size is ${plan.largestSize}, not ${request.size}`, (p) => sizeRank(request.size) <= sizeRank(p.largestSize));
  }
  const instances = use.instances - request.was.replicas + request.replicas;
  if (instances > plan.instances) {
    return refuse('instances', `which allows ${plan.instances} instances and this makes ${instances}`, (p) => instances <= p.instances);
  }
  if (use.instanceHours >= plan.instanceHours) {
    return refuse('instanceHours', `whose ${plan.instanceHours} instance-hours this month are used up (${Math.floor(use.instanceHours)} h); what runs keeps running`,
      (p) => use.instanceHours < p.instanceHours);
  }
  return undefined;
}

/** A quota refusal: 403 over the API, with the message naming the quota and the plan that lifts it. */
export class QuotaExceededError extends DevflowError {
  constructor(readonly refusal: Refusal) {
    super('forbidden', refusal.message);
    this.name = 'QuotaExceededError';
  }
}
