/**
 * The supervisor: restarts instances of the current release whose process exited, with an
 * exponential backoff per slot (crash-loop.ts), and keeps each slot's crash record (its exits
 * and last output lines) so `ps` and the router can say `crashed`. It runs every few seconds,
 * and from the reconciler, and leaves apps alone while a deploy or scale holds their lock.
 */
import { errorMessage } from '../core/errors.js';
import { tryWithAppLock } from '../core/locks.js';
import type { AppName } from '../core/names.js';
import { getApp, getFormation, listApps, type AppRecord } from '../core/store/apps.js';
import { listAllCrashes, listCrashes, saveCrash, type CrashRecord } from '../core/store/crashes.js';
import { getRelease } from '../core/store/releases.js';
import type { Instance } from '../core/types.js';
import { recordExit } from './crash-loop.js';
import type { SchedulerDeps } from './deps.js';
import { waitUntilHealthy } from './health.js';
import { desiredFormation } from './plan.js';
import { RELEASE_PROCESS } from './release-phase.js';
import { instanceSpec } from './instance-spec.js';
import { slotOf } from './scale.js';

export const SUPERVISE_EVERY_MS = 2_000;
const LAST_LINES = 20;

const isCrashed = (app: AppRecord) => (i: Instance) =>
  i.release === app.currentRelease && i.state === 'exited' && i.processType !== RELEASE_PROCESS;

function hasInstance(instances: Instance[], crash: CrashRecord): boolean {
  return instances.some((i) => i.release === crash.release && i.processType === crash.processType && slotOf(i) === crash.slot);
}

export async function superviseAll(deps: SchedulerDeps): Promise<string[]> {
  const [apps, instances, crashes] = await Promise.all([listApps(deps.sql), deps.runtime.list(), listAllCrashes(deps.sql)]);
  const now = new Date();
  const errors: string[] = [];
  let changed = false;
  for (const app of apps.filter((a) => a.currentRelease !== null)) {
    const mine = instances.filter((i) => i.app === app.name);
    const due = (crashes.get(app.id) ?? []).some((c) => c.release === app.currentRelease && c.restartAt <= now && !hasInstance(mine, c));
    if (!due && !mine.some(isCrashed(app))) continue;
    try {
      changed = (await tryWithAppLock(deps.sql, app.id, () => superviseApp(deps, app.name))) === true || changed;
    } catch (err) {
      errors.push(`${app.name}: ${errorMessage(err)}`);
    }
  }
  if (changed) await deps.routes.refresh();
  return errors;
}

async function superviseApp(deps: SchedulerDeps, name: AppName): Promise<boolean> {
  const app = await getApp(deps.sql, name);
  if (app.currentRelease === null) return false;
  await recordExits(deps, app, await deps.runtime.list(app.name));
  await restartDue(deps, app);
  return true;
}

/**
 * Records each exited instance of the current release as a crash of its slot, with its last
 * output, then removes it; returns the instances that remain. The caller holds the app's lock.
 */
export async function recordExits(deps: SchedulerDeps, app: AppRecord, actual: Instance[]): Promise<Instance[]> {
  const exited = actual.filter(isCrashed(app));
  if (exited.length === 0) return actual;
  const crashes = await listCrashes(deps.sql, app.id);
  const now = new Date();
  for (const instance of exited) {
    const slot = slotOf(instance);
    const lastLines = await deps.runtime.logs(instance.id, { tail: LAST_LINES }).catch(() => []);
    const previous = crashes.find((c) => c.processType === instance.processType && c.slot === slot);
    const record = recordExit(previous, { release: instance.release, processType: instance.processType, slot, lastLines }, deps.runtime, now);
    await saveCrash(deps.sql, app.id, record);
    await deps.runtime.stop(instance.id, { graceMs: 0 }).catch(() => {});
  }
  return actual.filter((i) => !exited.includes(i));
}

/** Starts the slots whose backoff has passed and that the formation still wants. */
async function restartDue(deps: SchedulerDeps, app: AppRecord): Promise<void> {
  const release = await getRelease(deps.sql, app.id, app.currentRelease!);
  const formation = await getFormation(deps.sql, app.id);
  const desired = desiredFormation(formation, release.artifact.processes);
  const [actual, crashes] = await Promise.all([deps.runtime.list(app.name), listCrashes(deps.sql, app.id)]);
  const now = new Date();
  for (const crash of crashes) {
    const wanted = desired.find((d) => d.processType === crash.processType)?.replicas ?? 0;
    if (crash.release !== release.version || crash.restartAt > now || crash.slot > wanted || hasInstance(actual, crash)) continue;
    const platform = (await deps.platformEnv?.forApp(app)) ?? {};
    const size = formation.find((f) => f.processType === crash.processType)?.size;
    const instance = await deps.runtime.start(instanceSpec(app.name, release, crash.processType, crash.slot, platform, size));
    if (instance.upstream) {
      const isAlive = async () => (await deps.runtime.list(app.name)).some((i) => i.id === instance.id && i.state !== 'exited');
      await waitUntilHealthy(instance.upstream, deps.healthCheck, isAlive).catch(() => {});
    }
  }
}
