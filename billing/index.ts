/**
 * The billing role's face (DESIGN.md "billing/"; issue 20). What is built: the usage ledger of
 * instance time, fed by a metered runtime driver, kept true across restarts by a reconcile
 * loop; router requests and egress per app and hour (traffic-meter.ts); database and storage
 * bytes sampled hourly (size-sampler.ts); all read per app or team and month (usage.ts);
 * plans and the quotas checked where a user acts (plans.ts, quotas.ts), a deploy's build included;
 * Stripe for the platform (stripe/): a customer per team, Checkout and portal links, verified
 * webhooks that set the team's subscription state, and usage sent as meter events from an outbox.
 */
import { errorMessage } from '../core/errors.js';
import { runPeriodically, type Periodic } from '../core/periodic.js';
import type { Sql } from '../core/store/database.js';
import type { RuntimeDriver } from '../scheduler/index.js';
import { databaseNow, reconcileIntervals } from './ledger.js';
import { sampleSizes, storeSizes } from './size-sampler.js';
import { TrafficMeter, type TrafficCounters } from './traffic-meter.js';

export { meterRuntime, sizeOf } from './metered-runtime.js';
export { appUsage, teamUsage, type AppUsage, type TeamUsage, type UsageTotals } from './usage.js';
export { parseUsageStep, usageSeries, type UsagePoint, type UsageSeries, type UsageStep } from './usage-series.js';
export type { TrafficCounters } from './traffic-meter.js';
export { PLANS, QuotaExceededError, type Plan } from './plans.js';
export { assertMayBuild, assertMayCreateApp, assertMayScale, assignPlan, teamPlan, teamUse } from './quotas.js';
export { monthOf, parseMonth, type Period } from './months.js';
export { platformBilling, reportUsageOnce, startStripeMeterReporting, type PlatformBilling, type TeamBilling } from './stripe/platform.js';
export { maskSecret } from './stripe/client.js';

const RECONCILE_MS = 60_000;

/**
 * Sees the runtime's instances at once (closing what went while DevFlow was down) and then
 * once a minute (ledger.ts reconcileIntervals).
 */
export async function startMeteringLoop(deps: { sql: Sql; runtime: Pick<RuntimeDriver, 'kind' | 'list'>; log(line: string): void }): Promise<Periodic> {
  const reconcile = async () => {
    try {
      const listedAt = await databaseNow(deps.sql);
      const present = (await deps.runtime.list()).map((i) => i.id);
      const { closed } = await reconcileIntervals(deps.sql, deps.runtime.kind, present, listedAt);
      if (closed > 0) deps.log(`metering: closed ${closed} interval(s) of instances that are gone`);
    } catch (err) {
      deps.log(`metering: could not reconcile with the runtime: ${errorMessage(err)}`);
    }
  };
  await reconcile();
  return runPeriodically(reconcile, RECONCILE_MS);
}

const SAMPLE_SIZES_MS = 3_600_000;

/**
 * The router's traffic flushed into the ledger once a minute, and the app databases' sizes
 * sampled at once and then hourly. Stopping flushes the traffic counted since the last flush.
 */
export function startUsageSampling(deps: { sql: Sql; serverUrl: string; traffic: TrafficCounters; log(line: string): void }): Periodic {
  const meter = new TrafficMeter(deps);
  meter.start();
  const sample = async () => {
    try {
      await storeSizes(deps.sql, new Date(), await sampleSizes(deps));
    } catch (err) {
      deps.log(`metering: could not sample database sizes: ${errorMessage(err)}`);
    }
  };
  const first = sample();
  const sizes = runPeriodically(sample, SAMPLE_SIZES_MS);
  return {
    async stop() {
      await first;
      await Promise.all([sizes.stop(), meter.stop()]);
    },
  };
}
