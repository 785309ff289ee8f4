/**
 * The scheduler's operations behind the API (issue 4): config vars, rollback, formation and
 * `ps`. The HTTP layer parses input and passes typed requests; this object only composes the
 * modules that do the work. Their release steps go to DevFlow's own log, prefixed by the app.
 */
import type { AppName } from '../core/names.js';
import { getApp, getConfigVars, getFormation } from '../core/store/apps.js';
import { listCrashes } from '../core/store/crashes.js';
import { getRelease } from '../core/store/releases.js';
import type { LogSink } from '../core/types.js';
import type { ConfigChanges } from './config-changes.js';
import { refreshRelease, rollback, setConfig, type ConfigResult, type RollbackResult } from './config-release.js';
import type { SchedulerDeps } from './deps.js';
import { scaleProcess } from './formation-ops.js';
import { describeFormation, describeInstances, type FormationView, type ProcessesView } from './processes-view.js';
import type { ScaleRequest } from './scale.js';

export interface ReleaseOperations {
  config(app: AppName): Promise<Record<string, string>>;
  setConfig(app: AppName, changes: ConfigChanges, actor: string): Promise<ConfigResult>;
  rollback(app: AppName, version: number | undefined, actor: string): Promise<RollbackResult>;
  /** Releases the current build and config again (config-release.ts refreshRelease); null before the first deploy. */
  refresh(app: AppName, description: string, actor: string): Promise<number | null>;
  processes(app: AppName): Promise<ProcessesView>;
  scale(app: AppName, type: string, request: ScaleRequest): Promise<FormationView>;
}

export function releaseOperations(deps: SchedulerDeps, log: (line: string) => void): ReleaseOperations {
  const sink = (app: AppName): LogSink => ({ line: (text) => log(`[${app}] ${text}`) });
  return {
    async config(name) {
      return getConfigVars(deps.sql, (await getApp(deps.sql, name)).id);
    },
    setConfig: (name, changes, actor) => setConfig(deps, name, changes, actor, sink(name)),
    rollback: (name, version, actor) => rollback(deps, name, version, actor, sink(name)),
    refresh: (name, description, actor) => refreshRelease(deps, name, description, actor, sink(name)),
    processes: (name) => describeProcesses(deps, name),
    scale: (name, type, request) => scaleProcess(deps, name, type, request, sink(name)),
  };
}

async function describeProcesses(deps: SchedulerDeps, name: AppName): Promise<ProcessesView> {
  const app = await getApp(deps.sql, name);
  const [formation, crashes, instances] = await Promise.all([
    getFormation(deps.sql, app.id), listCrashes(deps.sql, app.id), deps.runtime.list(app.name),
  ]);
  const processes = app.currentRelease === null ? {} : (await getRelease(deps.sql, app.id, app.currentRelease)).artifact.processes;
  return {
    release: app.currentRelease,
    formation: describeFormation(formation, processes),
    instances: describeInstances(instances, crashes, app.currentRelease, new Date()),
  };
}
