/**
 * Releases without a build (issue 4): changing config vars and rolling back. Each makes a new
 * immutable release from an existing build and rolls it out start-first under the app's lock,
 * exactly as a push does; the stored config vars change only once the release is live, so a
 * failed release changes nothing a later push would pick up.
 */
import { ConflictError, InvalidInputError, NotFoundError } from '../core/errors.js';
import { withAppLock } from '../core/locks.js';
import type { AppName } from '../core/names.js';
import { getApp, getConfigVars, type AppRecord } from '../core/store/apps.js';
import { replaceConfigVars } from '../core/store/config-vars.js';
import { createRelease, getRelease, listReleases } from '../core/store/releases.js';
import type { LogSink, Release } from '../core/types.js';
import { applyConfigChanges, describeConfigChanges, sameVars, type ConfigChanges } from './config-changes.js';
import type { SchedulerDeps } from './deps.js';
import { DEFAULT_KEEP_RELEASES } from './retention.js';
import { retireInstances, rollOut } from './rollout.js';

export interface ConfigResult {
  /** The release that carries the new config; null when the app has no release yet. */
  release: number | null;
  vars: Record<string, string>;
}

export async function setConfig(
  deps: SchedulerDeps, name: AppName, changes: ConfigChanges, actor: string, log: LogSink,
): Promise<ConfigResult> {
  const { id } = await getApp(deps.sql, name);
  return withAppLock(deps.sql, id, async () => {
    // Read again under the lock: a deploy may have finished while we waited for it.
    const app = await getApp(deps.sql, name);
    const vars = await getConfigVars(deps.sql, app.id);
    const next = applyConfigChanges(vars, changes);
    if (app.currentRelease === null || sameVars(vars, next)) {
      await replaceConfigVars(deps.sql, app.id, next);
      return { release: app.currentRelease, vars: next };
    }
    const current = await getRelease(deps.sql, app.id, app.currentRelease);
    const release = await releaseFrom(deps, app, current, next, describeConfigChanges(changes), actor, log);
    return { release: release.version, vars: next };
  });
}

/**
 * A new release of the current build and config vars, for when what DevFlow itself injects has
 * changed (the app's backend was enabled, so SUPABASE_URL and its keys now exist): a running
 * process only sees variables it was started with, so it takes a release to reach it. Null
 * when the app has no release yet (its first deploy will carry the variables).
 */
export async function refreshRelease(
  deps: SchedulerDeps, name: AppName, description: string, actor: string, log: LogSink,
): Promise<number | null> {
  const { id } = await getApp(deps.sql, name);
  return withAppLock(deps.sql, id, async () => {
    const app = await getApp(deps.sql, name);
    if (app.currentRelease === null) return null;
    const current = await getRelease(deps.sql, app.id, app.currentRelease);
    const vars = await getConfigVars(deps.sql, app.id);
    return (await releaseFrom(deps, app, current, vars, description, actor, log)).version;
  });
}

export interface RollbackResult {
  release: number;
  rolledBackTo: number;
}

export async function rollback(
  deps: SchedulerDeps, name: AppName, version: number | undefined, actor: string, log: LogSink,
): Promise<RollbackResult> {
  const { id } = await getApp(deps.sql, name);
  return withAppLock(deps.sql, id, async () => {
    const app = await getApp(deps.sql, name);
    if (app.currentRelease === null) throw new NotFoundError(`${name} has no releases yet: git push to deploy first`);
    const target = version === undefined ? await releaseBefore(deps, app) : await getRelease(deps.sql, app.id, version);
    assertRollbackTarget(deps, app, target);
    const release = await releaseFrom(deps, app, target, target.config, `Rollback to v${target.version}`, actor, log);
    return { release: release.version, rolledBackTo: target.version };
  });
}

/** The newest release older than the current one that went live and still has its build. */
async function releaseBefore(deps: SchedulerDeps, app: AppRecord): Promise<Release> {
  const older = (await listReleases(deps.sql, app.id, 1000)).filter((r) => r.version < (app.currentRelease ?? 0));
  const target = older.find((r) => r.state === 'succeeded' && !r.artifactRemoved);
  if (target === undefined) {
    throw new NotFoundError(`${app.name} has no earlier release to roll back to (current: v${app.currentRelease})`);
  }
  return target;
}

function assertRollbackTarget(deps: SchedulerDeps, app: AppRecord, target: Release): void {
  if (target.version === app.currentRelease) {
    throw new InvalidInputError(`v${target.version} is already the current release of ${app.name}`);
  }
  if (target.artifactRemoved) {
    const keep = deps.keepReleases ?? DEFAULT_KEEP_RELEASES;
    throw new ConflictError(
      `v${target.version} can no longer be rolled back to: its build was removed, as DevFlow keeps the builds ` +
        `of the last ${keep} releases only (DEVFLOW_KEEP_RELEASES); push its commit${target.sha ? ` ${target.sha.slice(0, 7)}` : ''} again instead`,
    );
  }
  if (target.state === 'failed') {
    throw new ConflictError(`v${target.version} never went live (${target.failureReason ?? 'its release failed'}); pick a release that did`);
  }
}

async function releaseFrom(
  deps: SchedulerDeps, app: AppRecord, source: Release, config: Record<string, string>,
  description: string, actor: string, log: LogSink,
): Promise<Release> {
  const release = await createRelease(deps.sql, {
    appId: app.id, deploymentId: null, sha: source.sha, artifact: source.artifact, config, description, actor,
  });
  log.line(`-----> ${description}: releasing v${release.version}`);
  const previous = await rollOut(deps, app, release, log);
  await replaceConfigVars(deps.sql, app.id, config);
  log.line(`-----> v${release.version} is live`);
  await retireInstances(deps, app, previous, log);
  return release;
}
