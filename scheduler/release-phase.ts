/**
 * The release phase (Heroku's `release:` process type): before any instance of a new release
 * starts, its `release` command runs once, in the new build with the new config. Its output goes
 * to the deploy log; a non-zero exit or a timeout fails the release, and the running release
 * keeps serving because nothing of it was touched yet.
 */
import { ReleaseError } from '../core/errors.js';
import type { AppName, ProcessType } from '../core/names.js';
import type { LogSink, Release } from '../core/types.js';
import type { SchedulerDeps } from './deps.js';
import { instanceEnv } from './instance-spec.js';

export const RELEASE_PROCESS = 'release';
export const DEFAULT_RELEASE_TIMEOUT_MS = 300_000;
const SHOWN_ON_FAILURE = 20;

export function hasReleasePhase(release: Release): boolean {
  const command = release.artifact.processes[RELEASE_PROCESS];
  return command !== undefined && command.trim() !== '';
}

export async function runReleasePhase(
  deps: SchedulerDeps, app: AppName, release: Release, log: LogSink, platform: Record<string, string> = {},
): Promise<void> {
  if (!hasReleasePhase(release)) return;
  if (!deps.runtime.runOnce) throw new ReleaseError(`the ${deps.runtime.kind} runtime cannot run a release phase`);
  const timeoutMs = deps.releaseTimeoutMs ?? DEFAULT_RELEASE_TIMEOUT_MS;
  log.line(`-----> Running release command: ${release.artifact.processes[RELEASE_PROCESS]}`);
  const result = await deps.runtime.runOnce(
    {
      app, release: release.version, processType: RELEASE_PROCESS as ProcessType, slot: 1,
      artifact: release.artifact, env: instanceEnv(app, release, platform),
    },
    { timeoutMs, onLine: (line) => log.line(`       ${line}`) },
  );
  if (result.timedOut) {
    throw new ReleaseError(`release command timed out after ${Math.round(timeoutMs / 1000)} s (DEVFLOW_RELEASE_TIMEOUT)`);
  }
  if (result.exitCode !== 0) {
    const tail = result.output.slice(-SHOWN_ON_FAILURE);
    throw new ReleaseError(
      `release command exited with code ${result.exitCode}${tail.length > 0 ? `; last output: ${tail.slice(-3).join(' | ')}` : ''}`,
    );
  }
  log.line('-----> Release command succeeded');
}
