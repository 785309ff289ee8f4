/**
 * One-off runs (Heroku's `heroku run`; issue 21): a command run once in the app's current
 * release, with its config and what the platform injects (DATABASE_URL, …), on the app's own
 * runtime through the driver's runOnce (the release phase's path): output streamed line by line,
 * the exit status kept, the process removed afterwards. An attached run is killed when its
 * client goes away (the caller aborts `signal`); a detached one runs on, its output kept in the
 * store as it comes, for `devflow runs:logs`. Cron runs (../cron) come through here too.
 */
import { DevflowError, NotFoundError, errorMessage } from '../../core/errors.js';
import type { AppName, ProcessType } from '../../core/names.js';
import { getApp, getFormation } from '../../core/store/apps.js';
import type { Sql } from '../../core/store/database.js';
import { getRelease } from '../../core/store/releases.js';
import { instanceEnv, oneOffLimits, type InstanceSpec, type PlatformEnv, type RuntimeDriver } from '../../scheduler/index.js';
import { endState } from './states.js';
import { finishRun, insertRun, saveRunOutput, type RunRecord } from './store.js';

export const RUN_PROCESS_TYPE = 'run' as ProcessType;
/** Heroku ends one-off dynos after a day; so does DevFlow. */
export const DEFAULT_RUN_TIMEOUT_MS = 24 * 3600_000;
const KEPT_LINES = 200;
const FLUSH_EVERY_MS = 1_000;

export interface RunDeps {
  sql: Sql;
  runtime: RuntimeDriver;
  platformEnv?: PlatformEnv;
  log: (line: string) => void;
}

export interface RunRequest {
  command: string;
  actor: string;
  detached: boolean;
  cronJob?: string;
  timeoutMs?: number;
  onLine?: (line: string) => void;
  /** Aborted when an attached run's client goes away. */
  signal?: AbortSignal;
}

export interface StartedRun {
  run: RunRecord;
  /** The finished run; never rejects (a failure to start is a failed run with the reason as output). */
  done: Promise<RunRecord>;
}

export async function startRun(deps: RunDeps, appName: AppName, request: RunRequest): Promise<StartedRun> {
  const { runOnce } = deps.runtime;
  if (!runOnce) throw new DevflowError('runtime_unavailable', `the ${deps.runtime.kind} runtime cannot run one-off processes`);
  const { app, run, spec } = await beginRun(deps, appName, request);
  const output: string[] = [];
  let dirty = false;
  const flusher = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    void saveRunOutput(deps.sql, run.id, [...output]).catch(() => {});
  }, FLUSH_EVERY_MS);
  const onLine = (line: string) => {
    output.push(line);
    if (output.length > KEPT_LINES) output.shift();
    dirty = true;
    request.onLine?.(line);
  };
  const done = runOnce.call(deps.runtime, spec, { timeoutMs: request.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS, onLine, signal: request.signal })
    .then(
      (result) => finishRun(deps.sql, app.name, run.id, endState({ ...result, aborted: request.signal?.aborted ?? false }), result.exitCode, output),
      (err: unknown) => {
        onLine(`run failed to start: ${errorMessage(err)}`);
        return finishRun(deps.sql, app.name, run.id, 'failed', null, output);
      },
    )
    .finally(() => clearInterval(flusher));
  logEnd(deps, app.name, done);
  return { run, done };
}

/** The app's current release, its run record (state running) and the instance spec of the command. */
export async function beginRun(deps: RunDeps, appName: AppName, request: Pick<RunRequest, 'command' | 'actor' | 'detached' | 'cronJob'>): Promise<{
  app: { id: number; name: AppName }; run: RunRecord; spec: InstanceSpec;
}> {
  const app = await getApp(deps.sql, appName);
  if (app.currentRelease === null) throw new NotFoundError(`${app.name} has no release yet: git push to deploy first`);
  const release = await getRelease(deps.sql, app.id, app.currentRelease);
  const platform = (await deps.platformEnv?.forApp(app)) ?? {};
  const run = await insertRun(deps.sql, app.name, {
    appId: app.id, release: release.version, command: request.command, detached: request.detached,
    cronJob: request.cronJob ?? null, actor: request.actor,
  });
  const spec: InstanceSpec = {
    app: app.name as AppName, release: release.version, processType: RUN_PROCESS_TYPE, slot: 1,
    artifact: release.artifact, env: instanceEnv(app.name as AppName, release, platform), command: request.command,
    ...oneOffLimits(await getFormation(deps.sql, app.id)),
  };
  return { app: { id: app.id, name: app.name as AppName }, run, spec };
}

export function logEnd(deps: RunDeps, app: AppName, done: Promise<RunRecord>): void {
  done.then((r) => deps.log(`[${app}] run ${r.id} (${r.command}) ${r.state}${r.exitCode === null ? '' : `, exit ${r.exitCode}`}`), () => {});
}
