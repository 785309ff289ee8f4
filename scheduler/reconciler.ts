/**
 * The reconciler makes the runtime match the desired state in the store, after a restart of
 * DevFlow (even a SIGKILL mid-deploy) and periodically: instances of the current release are
 * adopted, missing ones started, orphans (other releases, deleted apps) stopped, and routes
 * rebuilt. Apps whose lock is held by a running deploy are left alone.
 */
import { errorMessage, NotFoundError } from '../core/errors.js';
import { tryWithAppLock } from '../core/locks.js';
import type { AppName } from '../core/names.js';
import { getApp, getFormation, listApps, type AppRecord } from '../core/store/apps.js';
import { getRelease } from '../core/store/releases.js';
import type { Instance } from '../core/types.js';
import { listCrashes } from '../core/store/crashes.js';
import { inBackoff } from './crash-loop.js';
import type { SchedulerDeps } from './deps.js';
import { recordExits } from './supervisor.js';
import { waitUntilHealthy } from './health.js';
import { desiredFormation, planReconcile } from './plan.js';
import { instanceSpec } from './instance-spec.js';
import { stopAll } from './rollout.js';
import { isRetiring } from './retiring.js';

export interface ReconcileReport {
  started: number;
  stopped: number;
  errors: string[];
}

export async function reconcileAll(deps: SchedulerDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { started: 0, stopped: 0, errors: [] };
  const [apps, instances] = await Promise.all([listApps(deps.sql), deps.runtime.list()]);
  const known = new Set(apps.map((a) => a.name as string));
  const orphans = instances.filter((i) => !known.has(i.app));
  await stopAll(deps, orphans);
  report.stopped += orphans.length;
  for (const app of apps) {
    try {
      const result = await tryWithAppLock(deps.sql, app.id, () => reconcileLocked(deps, app.name));
      if (result) {
        report.started += result.started;
        report.stopped += result.stopped;
      }
    } catch (err) {
      report.errors.push(`${app.name}: ${errorMessage(err)}`);
    }
  }
  await deps.routes.refresh();
  return report;
}

/**
 * The app and its instances are read again once its lock is held: the listing above may predate
 * a deploy that switched releases and let the lock go since (on docker, whose instances take
 * longest to start, a slow listing often spans one), and judged by that stale picture the new
 * release's live instances would be stopped as strays. Instances a rollout is draining are its
 * to stop (retiring.ts).
 */
async function reconcileLocked(deps: SchedulerDeps, name: string): Promise<{ started: number; stopped: number }> {
  // Only a destroyed app is skipped; a store that fails is reported by the caller as before.
  const app = await getApp(deps.sql, name as AppName).catch((err: unknown) => {
    if (err instanceof NotFoundError) return null;
    throw err;
  });
  if (app === null) return { started: 0, stopped: 0 };
  const found = (await deps.runtime.list(app.name)).filter((i) => !isRetiring(i.id));
  return reconcileApp(deps, app, found);
}

async function reconcileApp(deps: SchedulerDeps, app: AppRecord, found: Instance[]): Promise<{ started: number; stopped: number }> {
  if (app.currentRelease === null) {
    await stopAll(deps, found);
    return { started: 0, stopped: found.length };
  }
  // Exited instances count as crashes of their slot, which then wait out their backoff (supervisor.ts).
  const actual = await recordExits(deps, app, found);
  const release = await getRelease(deps.sql, app.id, app.currentRelease);
  const formation = await getFormation(deps.sql, app.id);
  const desired = desiredFormation(formation, release.artifact.processes);
  const crashes = await listCrashes(deps.sql, app.id);
  const now = new Date();
  const plan = planReconcile(desired, release.version, actual);
  plan.start = plan.start.filter((s) =>
    !inBackoff(crashes.find((c) => c.processType === s.processType && c.slot === s.slot), release.version, now));
  const platform = plan.start.length > 0 ? ((await deps.platformEnv?.forApp(app)) ?? {}) : {};
  await stopAll(deps, actual.filter((i) => plan.stop.includes(i.id)));
  for (const { processType, slot } of plan.start) {
    const size = formation.find((f) => f.processType === processType)?.size;
    const instance = await deps.runtime.start(instanceSpec(app.name as AppName, release, processType, slot, platform, size));
    if (instance.upstream) {
      await waitUntilHealthy(instance.upstream, deps.healthCheck, async () => true).catch(() => {});
    }
  }
  return { started: plan.start.length, stopped: plan.stop.length };
}
