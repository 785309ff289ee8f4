/**
 * Start-first rolling release: start the new instances, wait until every web instance is
 * healthy, switch routes; then (retireInstances, after the pusher heard the release is live)
 * drain and stop the old ones. If anything fails before the switch, the new instances are
 * removed and the running release is untouched.
 */
import { ReleaseError, errorMessage } from '../core/errors.js';
import type { AppName } from '../core/names.js';
import { getFormation, setCurrentRelease } from '../core/store/apps.js';
import { clearCrashes } from '../core/store/crashes.js';
import { markReleaseFailed, markReleaseSucceeded } from '../core/store/release-states.js';
import type { HealthcheckSpec, Instance, LogSink, Release } from '../core/types.js';
import { runAppHealthchecks } from './app-healthcheck.js';
import type { SchedulerDeps } from './deps.js';
import { waitUntilHealthy } from './health.js';
import { desiredFormation } from './plan.js';
import { hasReleasePhase, runReleasePhase } from './release-phase.js';
import { pruneReleaseArtifacts } from './retention-run.js';
import { instanceSpec } from './instance-spec.js';
import { applyCapsOnceHealthy, bootSpec, type Booting } from './boot-limits.js';
import { UNTIMED, type PhaseTimer } from './phase-clock.js';
import { whileRetiring } from './retiring.js';


/**
 * The release phase runs first; the release is marked succeeded or failed (with the reason).
 * Returns once the new release serves, with the previous instances still running: the caller
 * retires them (retireInstances) after telling the pusher the release is live.
 */
export async function rollOut(
  deps: SchedulerDeps, app: { id: number; name: AppName }, release: Release, log: LogSink, timer: PhaseTimer = UNTIMED,
): Promise<Instance[]> {
  try {
    const platform = (await deps.platformEnv?.forApp(app)) ?? {};
    if (hasReleasePhase(release)) await timer.time('release-phase', () => runReleasePhase(deps, app.name, release, log, platform));
    return await replaceInstances(deps, app, release, log, platform, timer);
  } catch (err) {
    await markReleaseFailed(deps.sql, app.id, release.version, errorMessage(err)).catch(() => {});
    throw err;
  }
}

/**
 * After the switch: the previous instances get no new requests, finish the ones in flight
 * (drainMs), then stop; older releases' builds beyond the retention limit are removed.
 */
export async function retireInstances(deps: SchedulerDeps, app: { id: number; name: AppName }, previous: Instance[], log: LogSink): Promise<void> {
  if (previous.length > 0) {
    log.line(`-----> Draining and stopping ${previous.length} old instance(s)`);
    await whileRetiring(previous.map((i) => i.id), async () => {
      await new Promise((r) => setTimeout(r, deps.drainMs));
      await stopAll(deps, previous);
    });
    log.line(`-----> Stopped ${previous.map((i) => i.id).join(', ')}`);
  }
  await pruneReleaseArtifacts(deps, app, log);
}

async function startInstances(
  deps: SchedulerDeps, app: { id: number; name: AppName }, release: Release, log: LogSink, platform: Record<string, string>,
): Promise<Booting[]> {
  const formation = await getFormation(deps.sql, app.id);
  const sizeOf = (type: string) => formation.find((f) => f.processType === type)?.size;
  const booting: Booting[] = [];
  try {
    for (const { processType, replicas } of desiredFormation(formation, release.artifact.processes)) {
      for (let slot = 1; slot <= replicas; slot++) {
        log.line(`-----> Starting ${processType}.${slot} (v${release.version})`);
        const { spec, cpusOnceHealthy } = bootSpec(instanceSpec(app.name, release, processType, slot, platform, sizeOf(processType)), deps.runtime.setCpuLimit !== undefined);
        booting.push({ instance: await deps.runtime.start(spec), cpusOnceHealthy });
      }
    }
  } catch (err) {
    await stopAll(deps, booting.map((b) => b.instance));
    throw err;
  }
  return booting;
}

async function replaceInstances(
  deps: SchedulerDeps, app: { id: number; name: AppName }, release: Release, log: LogSink, platform: Record<string, string>, timer: PhaseTimer,
): Promise<Instance[]> {
  const previous = await deps.runtime.list(app.name);
  let booting: Booting[] = [];
  try {
    booting = await timer.time('start', () => startInstances(deps, app, release, log, platform));
    await timer.time('health', async () => {
      for (const { instance } of booting) await checkHealth(deps, instance, log, release.artifact.healthchecks);
      await applyCapsOnceHealthy(deps.runtime, booting, log);
    });
  } catch (err) {
    await stopAll(deps, booting.map((b) => b.instance));
    throw err instanceof ReleaseError ? err : new ReleaseError(`could not start v${release.version}: ${errorMessage(err)}`, { cause: err });
  }
  await timer.time('switch', async () => {
    await setCurrentRelease(deps.sql, app.id, release.version);
    await markReleaseSucceeded(deps.sql, app.id, release.version);
    await clearCrashes(deps.sql, app.id);
    await deps.routes.refresh();
  });
  return previous;
}

export async function checkHealth(deps: SchedulerDeps, instance: Instance, log: LogSink, checks?: HealthcheckSpec[]): Promise<void> {
  if (!instance.upstream) return;
  log.line(`-----> Waiting for ${instance.processType} to answer HTTP`);
  const isAlive = async () => (await deps.runtime.list(instance.app)).some((i) => i.id === instance.id && i.state !== 'exited');
  try {
    if (checks === undefined) await waitUntilHealthy(instance.upstream, deps.healthCheck, isAlive);
    else await runAppHealthchecks(instance.upstream, checks, isAlive);
  } catch (err) {
    const output = await deps.runtime.logs(instance.id, { tail: 20 }).catch(() => []);
    if (output.length > 0) {
      log.line('       Last output of the new instance:');
      for (const line of output) log.line(`       ${line}`);
    }
    throw err;
  }
}

export async function stopAll(deps: SchedulerDeps, instances: Instance[]): Promise<void> {
  await Promise.all(instances.map((i) => deps.runtime.stop(i.id, { graceMs: deps.stopGraceMs }).catch(() => {})));
}
