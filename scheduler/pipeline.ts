/**
 * One deployment from queued to live: export the pushed tree, build it, record release vN,
 * roll it out. Holds the app's lock throughout, so deployments of one app never overlap,
 * and publishes every state change so the waiting `git push` can finish.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { buildApp } from '../builder/index.js';
import { homePaths } from '../core/config.js';
import { DeploymentLog } from '../core/deployment-log.js';
import { BuildError, ReleaseError, errorMessage } from '../core/errors.js';
import { withAppLock } from '../core/locks.js';
import { getApp } from '../core/store/apps.js';
import { deployConfigVars, publicUrl } from './previews/app-context.js';
import { getDeployment, lastDeployedSha, transitionDeployment } from '../core/store/deployments.js';
import { createRelease } from '../core/store/releases.js';
import type { Artifact, Deployment, DeploymentState } from '../core/types.js';
import type { SchedulerDeps } from './deps.js';
import { withAppJsonHealthchecks } from './app-json.js';
import { rollOut } from './rollout.js';

export function sourceTarPath(home: string, deploymentId: number): string {
  return path.join(homePaths(home).builds, String(deploymentId), 'source.tar');
}

export async function runDeployment(deps: SchedulerDeps, deploymentId: number): Promise<void> {
  const deployment = await getDeployment(deps.sql, deploymentId);
  const app = await getApp(deps.sql, deployment.app);
  await withAppLock(deps.sql, app.id, async () => {
    if (!(await transitionDeployment(deps.sql, deploymentId, 'queued', 'building'))) return;
    await publishState(deps, deployment, 'building');
    const log = new DeploymentLog(deps.sql, deps.bus, deploymentId, app.name);
    let state: DeploymentState = 'building';
    try {
      await assertBaseIsCurrent(deps, app.id, deployment);
      log.line(`-----> Building ${app.parentId === null ? app.name : 'the preview'} from ${deployment.ref.replace('refs/heads/', '')} at ${deployment.sha.slice(0, 7)}`);
      const config = await deployConfigVars(deps.sql, app);
      const artifact = await buildFromSource(deps, deployment, config, log);
      await transitionDeployment(deps.sql, deploymentId, 'building', 'releasing');
      state = 'releasing';
      await publishState(deps, deployment, 'releasing');
      const release = await createRelease(deps.sql, {
        appId: app.id, deploymentId, sha: deployment.sha, artifact, config,
        description: `Deploy ${deployment.sha.slice(0, 7)}`, actor: deployment.actor ?? undefined,
      });
      log.line(`-----> Releasing v${release.version}`);
      await rollOut(deps, app, release, log);
      log.line(`-----> v${release.version} is live at ${await publicUrl(deps.sql, deps.config, app)}`);
      await log.flush();
      await transitionDeployment(deps.sql, deploymentId, 'releasing', 'succeeded', { releaseVersion: release.version });
      await publishState(deps, deployment, 'succeeded', null, release.version);
    } catch (err) {
      const reason = failureReason(err);
      for (const line of failureLines(err)) log.line(line);
      await log.flush();
      await transitionDeployment(deps.sql, deploymentId, state, 'failed', { reason });
      await publishState(deps, deployment, 'failed', reason);
    } finally {
      await fs.rm(path.join(homePaths(deps.config.home).builds, String(deploymentId)), { recursive: true, force: true });
    }
  });
}

async function buildFromSource(
  deps: SchedulerDeps,
  deployment: Deployment,
  config: Record<string, string>,
  log: DeploymentLog,
): Promise<Artifact> {
  const paths = homePaths(deps.config.home);
  const buildDir = path.join(paths.builds, String(deployment.id));
  const sourceDir = path.join(buildDir, 'src');
  await fs.mkdir(sourceDir, { recursive: true });
  await execa('tar', ['-x', '-f', sourceTarPath(deps.config.home, deployment.id), '-C', sourceDir]);
  const target = deps.runtime.kind === 'process' ? 'slug' : 'image';
  // A slug is what the process runtime runs, so it lives outside the throw-away build dir.
  const slugDir = path.join(paths.slugs, deployment.app, `d${deployment.id}`);
  const workDir = path.join(buildDir, 'work');
  await fs.mkdir(workDir, { recursive: true });
  const result = await buildApp({
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
  }).catch(async (err: unknown) => {
    await fs.rm(slugDir, { recursive: true, force: true });
    throw err;
  });
  log.line(`-----> Built with ${result.strategy}${result.buildpacks.length ? ` (${result.buildpacks.join(', ')})` : ''}`);
  return withAppJsonHealthchecks(result.artifact, sourceDir, log);
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
