/**
 * Formation changes (`ps:scale`), under the app's lock and without a new release: scaling up
 * starts the new instances and health-checks them before routes include them; scaling down
 * takes instances out of the routes first, lets in-flight requests finish, then stops them. A
 * size change replaces the type's instances the same start-first way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, ReleaseError, errorMessage } from '../core/errors.js';
import { withAppLock } from '../core/locks.js';
import { parseProcessType, type AppName } from '../core/names.js';
import { getApp, getFormation } from '../core/store/apps.js';
import { clearCrashes } from '../core/store/crashes.js';
import { setFormation } from '../core/store/formation.js';
import { getRelease } from '../core/store/releases.js';
import type { Instance, LogSink, Release } from '../core/types.js';
import type { SchedulerDeps } from './deps.js';
import { formationView, type FormationView } from './processes-view.js';
import { RELEASE_PROCESS } from './release-phase.js';
import { instanceSpec } from './instance-spec.js';
import { checkHealth, stopAll } from './rollout.js';
import { planScale, slotOf, type ScaleRequest } from './scale.js';
import { DEFAULT_SIZE } from './sizes.js';

export async function scaleProcess(
  deps: SchedulerDeps, name: AppName, rawType: string, request: ScaleRequest, log: LogSink,
): Promise<FormationView> {
  const type = parseProcessType(rawType);
  const { id } = await getApp(deps.sql, name);
  return withAppLock(deps.sql, id, async () => {
    const app = await getApp(deps.sql, name);
    if (app.currentRelease === null) {
      throw new NotFoundError(`${name} has no release yet, so it has no process types: git push to deploy first`);
    }
    const release = await getRelease(deps.sql, app.id, app.currentRelease);
    assertProcessType(release, type);
    const row = (await getFormation(deps.sql, app.id)).find((f) => f.processType === type);
    const before = { processType: type, replicas: row?.replicas ?? (type === 'web' ? 1 : 0), size: row?.size ?? DEFAULT_SIZE };
    const after = { processType: type, replicas: request.replicas ?? before.replicas, size: request.size ?? before.size };
    await setFormation(deps.sql, app.id, after);
    await clearCrashes(deps.sql, app.id, type);
    try {
      await applyScale(deps, app, release, after, after.size !== before.size, log);
    } catch (err) {
      // The desired state must stay what actually runs, or the reconciler would retry forever.
      await setFormation(deps.sql, app.id, before);
      throw err instanceof ReleaseError ? err : new ReleaseError(`could not scale ${type}: ${errorMessage(err)}`, { cause: err });
    }
    return formationView(type, after.replicas, after.size);
  });
}

function assertProcessType(release: Release, type: string): void {
  if (type !== RELEASE_PROCESS && release.artifact.processes[type] !== undefined) return;
  const known = Object.keys(release.artifact.processes).filter((t) => t !== RELEASE_PROCESS);
  throw new NotFoundError(`process type "${type}" is not in v${release.version} (it has: ${known.join(', ') || 'none'})`);
}

async function applyScale(
  deps: SchedulerDeps, app: { id: number; name: AppName }, release: Release,
  target: { processType: string; replicas: number; size: string }, replace: boolean, log: LogSink,
): Promise<void> {
  const ofType = (await deps.runtime.list(app.name)).filter((i) => i.release === release.version && i.processType === target.processType);
  const live = ofType.filter((i) => i.state !== 'exited');
  const plan = planScale(live, target.replicas, replace);
  const started = await startHealthy(deps, app, release, target, plan.start, log);
  if (started.length > 0) await deps.routes.refresh();
  const leaving = [...plan.stop, ...ofType.filter((i) => i.state === 'exited' && slotOf(i) > target.replicas).map((i) => i.id)];
  if (leaving.length === 0) return;
  log.line(`-----> Stopping ${leaving.length} ${target.processType} instance(s)`);
  if (deps.routes.drain) await deps.routes.drain(leaving);
  else await deps.routes.refresh();
  await sleep(deps.drainMs);
  await stopAll(deps, ofType.filter((i) => leaving.includes(i.id)));
  const stillRunning = (await deps.runtime.list(app.name)).filter((i) => leaving.includes(i.id) && i.state !== 'exited');
  if (deps.routes.undrain && stillRunning.length > 0) await deps.routes.undrain(stillRunning.map((i) => i.id));
  else await deps.routes.refresh();
}

async function startHealthy(
  deps: SchedulerDeps, app: { id: number; name: AppName }, release: Release,
  target: { processType: string; size: string }, slots: number[], log: LogSink,
): Promise<Instance[]> {
  if (slots.length === 0) return [];
  const platform = (await deps.platformEnv?.forApp(app)) ?? {};
  const started: Instance[] = [];
  try {
    for (const slot of slots) {
      log.line(`-----> Starting ${target.processType}.${slot} (v${release.version}, ${target.size})`);
      started.push(await deps.runtime.start(instanceSpec(app.name, release, target.processType, slot, platform, target.size)));
    }
    for (const instance of started) await checkHealth(deps, instance, log, release.artifact.healthchecks);
    return started;
  } catch (err) {
    await stopAll(deps, started);
    throw err;
  }
}
