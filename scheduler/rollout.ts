/**
 * Start-first rolling release: start the new instances, wait until every web instance is
 * healthy, switch routes, then drain and stop the old ones. If anything fails before the
 * switch, the new instances are removed and the running release is untouched.
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
import { runReleasePhase } from './release-phase.js';
import { pruneReleaseArtifacts } from './retention-run.js';
import { instanceSpec } from './instance-spec.js';

/**
 * The release phase runs first; the release is marked succeeded or failed (with the reason)
 * and, once live, older releases' builds beyond the retention limit are removed.
 */
export async function rollOut(deps: SchedulerDeps, app: { id: number; name: AppName }, release: Release, log: LogSink): Promise<void> {
  try {
    const platform = (await deps.platformEnv?.forApp(app)) ?? {};
    await runReleasePhase(deps, app.name, release, log, platform);
    await replaceInstances(deps, app, release, log, platform);
  } catch (err) {
    await markReleaseFailed(deps.sql, app.id, release.version, errorMessage(err)).catch(() => {});
    throw err;
  }
  await pruneReleaseArtifacts(deps, app, log);
}

async function replaceInstances(
  deps: SchedulerDeps, app: { id: number; name: AppName }, release: Release, log: LogSink, platform: Record<string, string>,
): Promise<void> {
  const formation = await getFormation(deps.sql, app.id);
  const sizeOf = (type: string) => formation.find((f) => f.processType === type)?.size;
  const desired = desiredFormation(formation, release.artifact.processes);
  const previous = await deps.runtime.list(app.name);
  const started: Instance[] = [];
  try {
    for (const { processType, replicas } of desired) {
      for (let slot = 1; slot <= replicas; slot++) {
        log.line(`-----> Starting ${processType}.${slot} (v${release.version})`);
        started.push(await deps.runtime.start(instanceSpec(app.name, release, processType, slot, platform, sizeOf(processType))));
      }
    }
    for (const instance of started) await checkHealth(deps, instance, log, release.artifact.healthchecks);
  } catch (err) {
    await stopAll(deps, started);
    throw err instanceof ReleaseError ? err : new ReleaseError(`could not start v${release.version}: ${errorMessage(err)}`, { cause: err });
  }
  await setCurrentRelease(deps.sql, app.id, release.version);
  await markReleaseSucceeded(deps.sql, app.id, release.version);
  await clearCrashes(deps.sql, app.id);
  await deps.routes.refresh();
  if (previous.length > 0) {
    log.line(`-----> Stopping ${previous.length} old instance(s)`);
    await new Promise((r) => setTimeout(r, deps.drainMs));
    await stopAll(deps, previous);
  }
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
