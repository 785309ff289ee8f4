/**
 * Deploying without a push (`POST /api/v1/apps/{app}/deployments {"ref": "main"}`): the app's bare
 * repository already holds every pushed commit, so the receiver resolves the ref there and
 * exports its tree, and the deployment is queued exactly as a push's would be. `builder` picks the
 * strategy: `dockerfile` needs a Dockerfile at the commit; `buildpacks` leaves the Dockerfile out
 * of the build source so that buildpacks detect instead; `auto` lets the builder choose.
 */
import { InvalidInputError } from '../core/errors.js';
import type { AppName } from '../core/names.js';
import { getApp } from '../core/store/apps.js';
import type { Deployment } from '../core/types.js';
import type { AppRepositories } from '../receiver/index.js';
import { enqueueDeployment, type EnqueueDeps } from '../scheduler/index.js';

export type BuilderChoice = 'auto' | 'dockerfile' | 'buildpacks';
export const BUILDER_CHOICES: readonly BuilderChoice[] = ['auto', 'dockerfile', 'buildpacks'];

export interface DeployRequest {
  ref: string;
  builder: BuilderChoice;
}

export type DeployRefDeps = EnqueueDeps & { repos: AppRepositories };

export async function deployRef(deps: DeployRefDeps, appName: AppName, request: DeployRequest, actor: string): Promise<Deployment> {
  const app = await getApp(deps.sql, appName);
  const { sha, ref } = await deps.repos.resolveRef(app.name, request.ref);
  if (request.builder === 'dockerfile' && !(await deps.repos.hasFile(app.name, sha, 'Dockerfile'))) {
    throw new InvalidInputError(`builder "dockerfile" needs a Dockerfile, and ${request.ref} (${sha.slice(0, 7)}) has none`);
  }
  const exclude = request.builder === 'buildpacks' ? ['Dockerfile'] : [];
  return enqueueDeployment(deps, app, { ref, sha, baseSha: null, trigger: 'api', actor },
    (dest) => deps.repos.exportTree(app.name, sha, dest, { exclude }));
}
