/**
 * The billing role's face (DESIGN.md "billing/"; issue 20). What is built: the usage ledger of
 * instance time, fed by a metered runtime driver, kept true across restarts by a reconcile
 * loop, and read per app and month. Plans, quotas and Stripe are still to come.
 */
import { errorMessage } from '../core/errors.js';
import { runPeriodically, type Periodic } from '../core/periodic.js';
import type { Sql } from '../core/store/database.js';
import type { RuntimeDriver } from '../scheduler/runtime/types.js';
import { databaseNow, reconcileIntervals } from './ledger.js';

export { meterRuntime, sizeOf } from './metered-runtime.js';
export { appUsage, type AppUsage } from './usage.js';
export { monthOf, parseMonth, type Period } from './months.js';

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
