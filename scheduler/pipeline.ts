/**
 * One deployment from queued to live: export the pushed tree, build it, record release vN,
 * roll it out. Holds the app's lock until the release is live, so deployments of one app never
 * overlap, and publishes every state change so the waiting `git push` can finish; the previous
 * instances are retired after that. Each phase is timed (phase-clock.ts), stored and logged.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { buildApp } from '../builder/index.js';
import { homePaths } from '../core/config.js';
import { DeploymentLog } from '../core/deployment-log.js';
import { BuildError, DevflowError, ReleaseError, errorMessage } from '../core/errors.js';
import { withAppLock } from '../core/locks.js';
import { getApp, getFormation, type AppRecord } from '../core/store/apps.js';
import { deployConfigVars, publicUrl } from './previews/app-context.js';
import { getDeployment, lastDeployedSha, transitionDeployment } from '../core/store/deployments.js';
import { createRelease } from '../core/store/releases.js';
import type { Artifact, Deployment, DeploymentState, Instance } from '../core/types.js';
import { listDeploymentPhases, saveDeploymentPhases, type PhaseTiming } from '../core/store/deployment-phases.js';
import type { SchedulerDeps } from './deps.js';
import { withAppJsonHealthchecks } from './app-json.js';
import { withAppJsonCron } from './app-json-cron.js';
import { retireInstances, rollOut } from './rollout.js';
import { describePhases, PhaseClock } from './phase-clock.js';
import { buildDeadline, DEFAULT_BUILD_TIMEOUT_MS } from './build-deadline.js';
import { CancelledError, cancelSignal } from './cancel.js';
import { markRetiring } from './retiring.js';
import { webReplicas } from './plan.js';

export function sourceTarPath(home: string, deploymentId: number): string {
  return path.join(homePaths(home).builds, String(deploymentId), 'source.tar');
}

function buildSourceDir(home: string, deploymentId: number): string {
  return path.join(homePaths(home).builds, String(deploymentId), 'src');
}

export async function runDeployment(deps: SchedulerDeps, deploymentId: number): Promise<void> {
  const deployment = await getDeployment(deps.sql, deploymentId);
  const app = await getApp(deps.sql, deployment.app);
  const clock = new PhaseClock();
  let retire: (() => Promise<void>) | undefined;
  let unmarkRetiring = () => {};
  // Heard from before the deployment reads `building` (a cancel can come as soon as it does)
  // until its release starts: a cancel then stops the build (scheduler/cancel.ts).
  const cancel = cancelSignal(deps.bus, deploymentId);
  await withAppLock(deps.sql, app.id, async () => {
    if (!(await transitionDeployment(deps.sql, deploymentId, 'queued', 'building'))) return;
    // Phases timed before the deployment was queued (a push's `receive`) lead the figures.
    for (const p of await listDeploymentPhases(deps.sql, deploymentId)) clock.record(p.phase, p.startedAt.getTime(), p.startedAt.getTime() + p.ms);
    clock.record('queue', deployment.createdAt.getTime(), Date.now());
    await publishState(deps, deployment, 'building');
    const log = new DeploymentLog(deps.sql, deps.bus, deploymentId, app.name);
    let state: DeploymentState = 'building';
    try {
      await assertBaseIsCurrent(deps, app.id, deployment);
      log.line(`-----> Building ${app.parentId === null ? app.name : 'the preview'} from ${deployment.ref.replace('refs/heads/', '')} at ${deployment.sha.slice(0, 7)}`);
      // Refusals (billing's build-minutes quota) come before any work, so nothing is built or run.
      await deps.beforeBuild?.(app);
      // What the web instances will need (docker: their network namespaces) gets ready while the
      // build runs, unless the last deploy left it ready (retireAfterLive).
      deps.runtime.prepareStarts?.(app.name, webReplicas(await getFormation(deps.sql, app.id)));
      const config = await deployConfigVars(deps.sql, app, deps.previewAddons, log);
      const artifact = await buildFromSource(deps, deployment, config, log, clock, cancel.signal);
      await deps.sourceHook?.beforeRelease(app, buildSourceDir(deps.config.home, deploymentId), log);
      cancel.signal.throwIfAborted();
      cancel.stop();
      await transitionDeployment(deps.sql, deploymentId, 'building', 'releasing');
      state = 'releasing';
      await publishState(deps, deployment, 'releasing');
      const release = await createRelease(deps.sql, {
        appId: app.id, deploymentId, sha: deployment.sha, artifact, config,
        description: `Deploy ${deployment.sha.slice(0, 7)}`, actor: deployment.actor ?? undefined,
      });
      log.line(`-----> Releasing v${release.version}`);
      const previous = await rollOut(deps, app, release, log, clock);
      // Listed as retiring before the lock is released, so the reconciler never stops them undrained.
      unmarkRetiring = markRetiring(previous.map((i) => i.id));
      log.line(`-----> v${release.version} is live at ${await publicUrl(deps.sql, deps.config, app)}`);
      await recordTimings(deps, deployment, clock.list(), log, 'live');
      await log.flush();
      await transitionDeployment(deps.sql, deploymentId, 'releasing', 'succeeded', { releaseVersion: release.version });
      await publishState(deps, deployment, 'succeeded', null, release.version);
      const unmark = unmarkRetiring;
      retire = () => retireAfterLive(deps, app, deployment, previous, log).finally(unmark);
    } catch (err) {
      unmarkRetiring();
      const reason = failureReason(err);
      for (const line of failureLines(err)) log.line(line);
      await recordTimings(deps, deployment, clock.list(), log, 'failed');
      await log.flush();
      await transitionDeployment(deps.sql, deploymentId, state, 'failed', { reason });
      await publishState(deps, deployment, 'failed', reason);
    } finally {
      await fs.rm(path.join(homePaths(deps.config.home).builds, String(deploymentId)), { recursive: true, force: true });
    }
  }).finally(() => cancel.stop());
  // The push returned when the deployment succeeded; the old instances drain and stop after
  // that, outside the app's lock, so the next push of the app need not wait for them either.
  await retire?.();
}

/** Stores the timings and writes them to the log as one line. */
async function recordTimings(deps: SchedulerDeps, deployment: Deployment, timings: PhaseTiming[], log: DeploymentLog, label: string): Promise<void> {
  log.line(describePhases(timings, deployment.createdAt, label));
  await saveDeploymentPhases(deps.sql, deployment.id, timings).catch((err: unknown) => {
    log.line(` !     Could not store the phase timings: ${errorMessage(err)}`);
  });
}

/** Retires the previous release's instances; a failure here is logged, the deployment stays succeeded. */
async function retireAfterLive(deps: SchedulerDeps, app: AppRecord, deployment: Deployment, previous: Instance[], log: DeploymentLog): Promise<void> {
  const clock = new PhaseClock();
  await clock.time('retire', () => retireInstances(deps, app, previous, log)).catch((err: unknown) => {
    log.line(` !     Retiring the previous instances: ${errorMessage(err)}`);
  });
  await recordTimings(deps, deployment, clock.list(), log, 'done');
  await log.flush();
  // Ready for the app's next push, made now that nothing of this one is left to do.
  deps.runtime.prepareStarts?.(app.name, webReplicas(await getFormation(deps.sql, app.id).catch(() => [])));
  await deps.bus.publish({ type: 'app.changed', app: app.name });
}

async function buildFromSource(
  deps: SchedulerDeps,
  deployment: Deployment,
  config: Record<string, string>,
  log: DeploymentLog,
  clock: PhaseClock,
  cancelled: AbortSignal,
): Promise<Artifact> {
  const paths = homePaths(deps.config.home);
  const buildDir = path.join(paths.builds, String(deployment.id));
  const sourceDir = buildSourceDir(deps.config.home, deployment.id);
  await clock.time('export', async () => {
    await fs.mkdir(sourceDir, { recursive: true });
    await execa('tar', ['-x', '-f', sourceTarPath(deps.config.home, deployment.id), '-C', sourceDir]);
  });
  const target = deps.runtime.kind === 'process' ? 'slug' : 'image';
  // A slug is what the process runtime runs, so it lives outside the throw-away build dir.
  const slugDir = path.join(paths.slugs, deployment.app, `d${deployment.id}`);
  const workDir = path.join(buildDir, 'work');
  await fs.mkdir(workDir, { recursive: true });
  const deadline = buildDeadline(deps.buildTimeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS, { stopping: deps.stopping, cancelled });
  const result = await clock.time('build', () => buildApp({
    app: deployment.app,
    sha: deployment.sha,
    sourceDir,
    target,
    workDir,
    slugDir,
    cacheDir: path.join(paths.cache, deployment.app),
    env: config,
    log,
    docker: deps.docker,
    signal: deadline.signal,
  })).catch(async (err: unknown) => {
    await fs.rm(slugDir, { recursive: true, force: true });
    throw err;
  }).finally(() => deadline.clear());
  log.line(`-----> Built with ${result.strategy}${result.buildpacks.length ? ` (${result.buildpacks.join(', ')})` : ''}`);
  return withAppJsonCron(await withAppJsonHealthchecks(result.artifact, sourceDir, log), sourceDir, log);
}

/**
 * Pushes that raced each other all saw the same branch head. Once one of them is deployed (and
 * git moved the branch), git would refuse the others' ref updates after the fact; they are
 * refused here instead, before anything is built or released.
 */
async function assertBaseIsCurrent(deps: SchedulerDeps, appId: number, deployment: Deployment): Promise<void> {
  if (deployment.trigger !== 'push') return;
  const deployed = await lastDeployedSha(deps.sql, appId, deployment.ref);
  if (deployed !== null && deployed !== deployment.baseSha) {
    throw new ReleaseError(
      `another push deployed ${deployed.slice(0, 7)} to this branch while this push waited: fetch, merge and push again`,
    );
  }
}

function failureReason(err: unknown): string {
  if (err instanceof DevflowError && err.code === 'forbidden') return `deploy refused: ${err.message}`;
  if (err instanceof CancelledError) return err.message;
  return err instanceof BuildError ? `build failed: ${err.message}` : `release failed: ${errorMessage(err)}`;
}

function failureLines(err: unknown): string[] {
  const lines = [` !     ${failureReason(err)}`];
  if (err instanceof BuildError && err.tail.length > 0) {
    lines.push(' !     Last lines of the failing step:');
    for (const line of err.tail) lines.push(` !     ${line}`);
  }
  if (err instanceof ReleaseError && err.output.length > 0) {
    lines.push(' !     Last output of the new instance:');
    for (const line of err.output) lines.push(` !     ${line}`);
  }
  lines.push(' !     The previous release (if any) is still serving.');
  return lines;
}

async function publishState(
  deps: SchedulerDeps,
  deployment: Deployment,
  state: DeploymentState,
  reason: string | null = null,
  releaseVersion: number | null = null,
): Promise<void> {
  await deps.bus.publish({ type: 'deployment.state', deploymentId: deployment.id, app: deployment.app, state, reason, releaseVersion });
}
