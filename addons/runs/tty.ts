/**
 * `devflow run --tty` (issue 21; Heroku's `heroku run bash`): the command once in the app's
 * current release on a pseudo-terminal of the app's runtime, its bytes relayed by the caller
 * (the API's WebSocket). Recorded as a run like any other (state, exit code), but its output is
 * not kept: it is a screen with keystrokes echoed, not a log. Killed when `signal` aborts (the
 * client went away), or after the timeout.
 */
import { DevflowError, InvalidInputError, errorMessage } from '../../core/errors.js';
import type { AppName } from '../../core/names.js';
import type { TtySession } from '../../scheduler/index.js';
import { DEFAULT_RUN_TIMEOUT_MS, beginRun, logEnd, type RunDeps } from './runner.js';
import { endState } from './states.js';
import { finishRun, type RunRecord } from './store.js';

export interface TtyRequest {
  command: string;
  actor: string;
  rows: number;
  cols: number;
  onData(chunk: Buffer): void;
  signal: AbortSignal;
  timeoutMs?: number;
}

export interface StartedTty {
  run: RunRecord;
  terminal: Pick<TtySession, 'write' | 'resize'>;
  /** The finished run; never rejects. */
  done: Promise<RunRecord>;
}

const MAX_SIDE = 1000;

/** A terminal's rows or columns, as sent by a client: 1 to 1000. */
export function parseTerminalSide(input: unknown, what: 'rows' | 'cols'): number {
  const value = typeof input === 'string' && /^\d{1,4}$/.test(input) ? Number(input) : input;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SIDE) {
    throw new InvalidInputError(`${what} must be a whole number from 1 to ${MAX_SIDE}`);
  }
  return value;
}

export async function startTty(deps: RunDeps, appName: AppName, request: TtyRequest): Promise<StartedTty> {
  const { runTty } = deps.runtime;
  if (!runTty) throw new DevflowError('runtime_unavailable', `the ${deps.runtime.kind} runtime cannot run interactive processes`);
  const { app, run, spec } = await beginRun(deps, appName, { command: request.command, actor: request.actor, detached: false });
  let session: TtySession;
  try {
    session = await runTty.call(deps.runtime, spec, {
      timeoutMs: request.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS, rows: request.rows, cols: request.cols,
      onData: request.onData, signal: request.signal,
    });
  } catch (err) {
    await finishRun(deps.sql, app.name, run.id, 'failed', null, [`run failed to start: ${errorMessage(err)}`]);
    throw err;
  }
  const done = session.exited.then((result) =>
    finishRun(deps.sql, app.name, run.id, endState({ ...result, aborted: request.signal.aborted }), result.exitCode, []));
  logEnd(deps, app.name, done);
  return { run, terminal: { write: (d) => session.write(d), resize: (r, c) => session.resize(r, c) }, done };
}
