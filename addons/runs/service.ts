/** `devflow run`, `devflow runs`, `runs:logs` (issue 21): what the API calls for one-off runs. */
import { NotFoundError } from '../../core/errors.js';
import type { AppName } from '../../core/names.js';
import { getApp } from '../../core/store/apps.js';
import { startRun, type RunDeps, type RunRequest, type StartedRun } from './runner.js';
import { startTty, type StartedTty, type TtyRequest } from './tty.js';
import { findRun, listRuns, type RunRecord } from './store.js';

export class RunService {
  constructor(private readonly deps: RunDeps) {}

  start(app: AppName, request: Omit<RunRequest, 'cronJob'>): Promise<StartedRun> {
    return startRun(this.deps, app, request);
  }

  /** `devflow run --tty`: the caller relays the terminal's bytes (api/routes/run-tty.ts). */
  startTty(app: AppName, request: TtyRequest): Promise<StartedTty> {
    return startTty(this.deps, app, request);
  }

  async list(name: AppName): Promise<RunRecord[]> {
    return listRuns(this.deps.sql, await getApp(this.deps.sql, name));
  }

  async get(name: AppName, id: number): Promise<RunRecord> {
    const run = await findRun(this.deps.sql, await getApp(this.deps.sql, name), id);
    if (!run) throw new NotFoundError(`${name} has no run ${id}: see devflow runs ${name}`);
    return run;
  }
}
