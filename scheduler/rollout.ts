/**
 * Start-first rolling release: start the new instances, wait until every web instance is
 * healthy, switch routes, then drain and stop the old ones. If anything fails before the
 * switch, the new instances are removed and the running release is untouched.
 */
import { ReleaseError, errorMessage } from '../core/errors.js';
import type { AppName, ProcessType } from '../core/names.js';
import { getFormation, setCurrentRelease } from '../core/store/apps.js';
import type { Instance, LogSink, Release } from '../core/types.js';
import type { SchedulerDeps } from './deps.js';
import { waitUntilHealthy } from './health.js';
import { desiredFormation } from './plan.js';
import type { InstanceSpec } from './runtime/types.js';

export function instanceEnv(app: AppName, release: Release): Record<string, string> {
  return { ...release.config, DEVFLOW_APP: app, DEVFLOW_RELEASE: `v${release.version}` };
}

export function instanceSpec(app: AppName, release: Release, processType: string, slot: number): InstanceSpec {
  return {
    app,
    release: release.version,
    processType: processType as ProcessType,
    slot,
    artifact: release.artifact,
    env: instanceEnv(app, release),
  };
}

export async function rollOut(deps: SchedulerDeps, app: { id: number; name: AppName }, release: Release, log: LogSink): Promise<void> {
  const desired = desiredFormation(await getFormation(deps.sql, app.id), release.artifact.processes);
  const previous = await deps.runtime.list(app.name);
  const started: Instance[] = [];
  try {
    for (const { processType, replicas } of desired) {
      for (let slot = 1; slot <= replicas; slot++) {
        log.line(`-----> Starting ${processType}.${slot} (v${release.version})`);
        started.push(await deps.runtime.start(instanceSpec(app.name, release, processType, slot)));
      }
    }
    for (const instance of started) await checkHealth(deps, instance, log);
  } catch (err) {
    await stopAll(deps, started);
    throw err instanceof ReleaseError ? err : new ReleaseError(`could not start v${release.version}: ${errorMessage(err)}`, { cause: err });
  }
  await setCurrentRelease(deps.sql, app.id, release.version);
  await deps.routes.refresh();
  if (previous.length > 0) {
    log.line(`-----> Stopping ${previous.length} old instance(s)`);
    await new Promise((r) => setTimeout(r, deps.drainMs));
    await stopAll(deps, previous);
  }
}

async function checkHealth(deps: SchedulerDeps, instance: Instance, log: LogSink): Promise<void> {
  if (!instance.upstream) return;
  log.line(`-----> Waiting for ${instance.processType} to answer HTTP`);
  const isAlive = async () => (await deps.runtime.list(instance.app)).some((i) => i.id === instance.id && i.state !== 'exited');
  try {
    await waitUntilHealthy(instance.upstream, deps.healthCheck, isAlive);
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
