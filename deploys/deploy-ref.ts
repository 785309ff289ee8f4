/**
 * Deploying without a push (`POST /api/v1/apps/{app}/deployments {"ref": "main"}`): the app's bare
 * repository already holds every pushed commit, so the ref is resolved there, its tree exported
 * with `git archive`, and the deployment queued exactly as a push's would be. `builder` picks the
 * strategy: `dockerfile` needs a Dockerfile at the commit; `buildpacks` leaves the Dockerfile out
 * of the build source so that buildpacks detect instead; `auto` lets the builder choose.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { homePaths } from '../core/config.js';
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import type { DeployRequest } from '../api/deploy-request.js';
import type { AppName } from '../core/names.js';
import { getApp } from '../core/store/apps.js';
import { createDeployment } from '../core/store/deployments.js';
import type { Deployment } from '../core/types.js';
import { sourceTarPath } from '../scheduler/pipeline.js';
import type { PushDeps } from './push.js';

export async function deployRef(deps: PushDeps, appName: AppName, request: DeployRequest, actor: string): Promise<Deployment> {
  const app = await getApp(deps.sql, appName);
  const gitDir = path.join(homePaths(deps.home).repos, `${app.name}.git`);
  const { sha, ref } = await resolveRef(gitDir, request.ref);
  if (request.builder === 'dockerfile' && !(await hasFile(gitDir, sha, 'Dockerfile'))) {
    throw new InvalidInputError(`builder "dockerfile" needs a Dockerfile, and ${request.ref} (${sha.slice(0, 7)}) has none`);
  }
  const { deployment, superseded } = await createDeployment(deps.sql, app, { ref, sha, trigger: 'api', actor });
  for (const id of superseded) {
    await deps.bus.publish({ type: 'deployment.state', deploymentId: id, app: app.name, state: 'superseded', reason: 'a newer deployment replaced it' });
  }
  const tar = sourceTarPath(deps.home, deployment.id);
  await fs.mkdir(path.dirname(tar), { recursive: true });
  const exclude = request.builder === 'buildpacks' ? ['--', '.', ':(exclude)Dockerfile'] : [];
  await execa('git', ['--git-dir', gitDir, 'archive', '--format=tar', '-o', tar, sha, ...exclude]);
  await deps.bus.publish({ type: 'deployment.state', deploymentId: deployment.id, app: app.name, state: 'queued' });
  await deps.queue.enqueue({ deploymentId: deployment.id, app: app.name });
  return deployment;
}

/** A branch deploys as refs/heads/<branch>; tags and commits keep their own name. */
async function resolveRef(gitDir: string, ref: string): Promise<{ sha: string; ref: string }> {
  for (const candidate of [`refs/heads/${ref}`, `refs/tags/${ref}`, ref]) {
    const r = await execa('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `${candidate}^{commit}`], { reject: false });
    if (r.exitCode === 0 && r.stdout.trim() !== '') return { sha: r.stdout.trim(), ref: candidate };
  }
  throw new NotFoundError(`ref "${ref}" is not in the app's repository: git push it first`);
}

async function hasFile(gitDir: string, sha: string, file: string): Promise<boolean> {
  const r = await execa('git', ['--git-dir', gitDir, 'cat-file', '-e', `${sha}:${file}`], { reject: false });
  return r.exitCode === 0;
}
