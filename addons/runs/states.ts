/**
 * A run's states and its one transition (STYLE.md 8): `running` until the process ends, then
 * `succeeded` (exit 0), `failed` (another exit code), `timed-out`, `killed` (its client went
 * away, or it was stopped) or `interrupted` (DevFlow stopped while it ran). Pure.
 */
import { InvalidInputError } from '../../core/errors.js';

export type RunState = 'running' | 'succeeded' | 'failed' | 'timed-out' | 'killed' | 'interrupted';

export interface RunEnding {
  exitCode: number;
  timedOut: boolean;
  /** Its client went away (an attached `devflow run`). */
  aborted: boolean;
}

export function endState(ending: RunEnding): Exclude<RunState, 'running' | 'interrupted'> {
  if (ending.timedOut) return 'timed-out';
  if (ending.aborted) return 'killed';
  return ending.exitCode === 0 ? 'succeeded' : 'failed';
}

const MAX_COMMAND_BYTES = 8 * 1024;

/** The command of `devflow run` or a cron job: one line of shell, as Heroku's `run` takes it. */
export function parseRunCommand(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new InvalidInputError('send the command to run, e.g. {"command": "node scripts/migrate.js"}');
  }
  if (Buffer.byteLength(input) > MAX_COMMAND_BYTES) throw new InvalidInputError(`the command is longer than ${MAX_COMMAND_BYTES} bytes`);
  if (input.includes('\0')) throw new InvalidInputError('the command contains a NUL byte');
  return input.trim();
}
